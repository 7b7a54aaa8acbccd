package connectors

import (
	"strings"
	"unicode/utf8"
)

// maxReasonLen bounds a reason stored in Table.Status or Extract.Err: it is
// shown in admin listings, one line per table.
const maxReasonLen = 300

// oneLine flattens a (possibly multi-line DuckDB) message to one bounded line.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= maxReasonLen {
		return s
	}
	cut := maxReasonLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// firstWords names a SQL statement in an error without quoting all of it.
func firstWords(q string) string {
	f := strings.Fields(q)
	if len(f) > 3 {
		f = f[:3]
	}
	return strings.Join(f, " ")
}
