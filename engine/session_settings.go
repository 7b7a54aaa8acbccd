package engine

import (
	"slices"
	"strconv"
	"strings"
)

// maxSessionSettings bounds the settings a Conn replays on its extra
// connections. A session sets a handful of names (search_path, the
// compatibility layer's variables), each kept once; one that sets more
// distinct ones runs everything on its primary connection instead.
const maxSessionSettings = 128

// sessionSettings are the SET, RESET and SET VARIABLE statements that ran
// successfully on a Conn, in order: what makes one DuckDB connection of the
// session resolve and evaluate statements like another. They are run again
// on every other connection of the Conn before it runs anything (sync).
//
// Only the last statement for each setting is kept, where that statement
// alone determines the setting's value (SET x = constant, RESET x); a
// statement whose value may depend on the current state (getvariable,
// current_setting) is kept with everything before it. Ordering by the last
// write keeps interplay right: SET schema after SET search_path replays
// after it.
type sessionSettings struct {
	seq      uint64 // of the last statement recorded
	log      []sessionSetting
	overflow bool // more than maxSessionSettings: extras can no longer be brought up to date
}

// sessionSetting is one recorded statement with its arguments.
type sessionSetting struct {
	seq  uint64
	key  string // what it sets; unique when it does not replace earlier statements
	sql  string
	args []any
}

// record adds a statement that ran on a connection that was up to date,
// replacing an earlier one for the same setting, and returns its seq.
func (ss *sessionSettings) record(sql string, args []any) uint64 {
	ss.seq++
	if ss.overflow {
		// Only the primary runs statements now, and it is up to date.
		return ss.seq
	}
	key, ok := settingKey(sql)
	if !ok {
		key = "#" + strconv.FormatUint(ss.seq, 10)
	}
	if i := slices.IndexFunc(ss.log, func(s sessionSetting) bool { return s.key == key }); i >= 0 {
		ss.log = slices.Delete(ss.log, i, i+1)
	}
	ss.log = append(ss.log, sessionSetting{seq: ss.seq, key: key, sql: sql, args: cloneArgs(args)})
	if len(ss.log) > maxSessionSettings {
		ss.overflow = true
	}
	return ss.seq
}

// since returns the statements recorded after seq, in order.
func (ss *sessionSettings) since(seq uint64) []sessionSetting {
	i, _ := slices.BinarySearchFunc(ss.log, seq+1, func(s sessionSetting, seq uint64) int {
		switch {
		case s.seq < seq:
			return -1
		case s.seq > seq:
			return 1
		}
		return 0
	})
	return ss.log[i:]
}

// cloneArgs copies args so that the caller may reuse its buffers ([]byte
// values point into the wire's read buffer).
func cloneArgs(args []any) []any {
	if len(args) == 0 {
		return nil
	}
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case []byte:
			out[i] = slices.Clone(v)
		case []any:
			out[i] = cloneArgs(v)
		default:
			out[i] = a
		}
	}
	return out
}

// settingKey names what a SET, RESET or SET VARIABLE statement sets
// ("variable x", "setting search_path"), exactly as written: two spellings
// of one name get two keys, which replays both in order and is still right.
// ok is false for a statement that does not name one unquoted setting or
// whose value may read the current state.
func settingKey(sql string) (key string, ok bool) {
	upper := strings.ToUpper(sql)
	if strings.Contains(upper, "GETVARIABLE") || strings.Contains(upper, "CURRENT_SETTING") {
		return "", false
	}
	sc := sqlScanner{s: sql}
	switch sc.next() {
	case "SET", "RESET":
	default:
		return "", false
	}
	kind := "setting "
	name := sc.word()
	if strings.EqualFold(name, "SESSION") {
		name = sc.word()
	}
	if strings.EqualFold(name, "VARIABLE") {
		kind = "variable "
		name = sc.word()
	}
	if name == "" {
		return "", false
	}
	switch sc.next() {
	case "=", "TO", "":
		return kind + name, true
	}
	return "", false
}

// word returns the next token if it is an unquoted word, as written; ""
// otherwise.
func (sc *sqlScanner) word() string {
	sc.skipBlank()
	start := sc.pos
	for sc.pos < len(sc.s) && isWordByte(sc.s[sc.pos]) {
		sc.pos++
	}
	return sc.s[start:sc.pos]
}
