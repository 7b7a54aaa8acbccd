package server

import "strings"

// startupOptionSettings returns the parameter settings carried by the
// options startup parameter (libpq's PGOPTIONS, pgjdbc's options property),
// read the way PostgreSQL's backend reads it: the value splits at
// whitespace not escaped by a backslash, and "-c name=value",
// "-cname=value" and "--name=value" each set a parameter, with dashes in the
// name read as underscores. Other command-line switches are skipped, with
// their argument when they take one; a setting without "=" is skipped.
func startupOptionSettings(options string) [][2]string {
	args := splitStartupOptions(options)
	var out [][2]string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		var setting string
		switch {
		case a[1] == '-':
			setting = a[2:]
		case a[1] == 'c':
			setting = a[2:]
			if setting == "" && i+1 < len(args) {
				i++
				setting = args[i]
			}
		default:
			// A switch that takes an argument (postgres's getopt string
			// "B:c:C:D:d:f:h:k:N:p:r:S:t:v:W:") consumes the next word
			// when the argument is not attached.
			if len(a) == 2 && strings.IndexByte("BCDdfhkNprStvW", a[1]) >= 0 {
				i++
			}
			continue
		}
		name, value, ok := strings.Cut(setting, "=")
		if !ok || name == "" {
			continue
		}
		out = append(out, [2]string{strings.ReplaceAll(name, "-", "_"), value})
	}
	return out
}

// splitStartupOptions splits options at unescaped whitespace; a backslash
// makes the next character literal (PostgreSQL's pg_split_opts).
func splitStartupOptions(options string) []string {
	var args []string
	var cur strings.Builder
	inArg := false
	for i := 0; i < len(options); i++ {
		ch := options[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v':
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		case ch == '\\' && i+1 < len(options):
			i++
			cur.WriteByte(options[i])
			inArg = true
		default:
			cur.WriteByte(ch)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args
}
