package server

import "testing"

// TestDurationParamShownAsPostgres checks time settings are kept the way
// PostgreSQL's SHOW prints them: node-postgres sends statement_timeout as a
// bare millisecond count in the startup packet, and PostgreSQL answers
// SHOW statement_timeout with 500ms, not 500.
func TestDurationParamShownAsPostgres(t *testing.T) {
	check := checkDuration("statement_timeout")
	for _, c := range []struct{ in, want string }{
		{"0", "0"},
		{"500", "500ms"},
		{" 500 ", "500ms"},
		{"'300ms'", "300ms"},
		{"1500", "1500ms"},
		{"5000", "5s"},
		{"1.5s", "1500ms"},
		{"90s", "90s"},
		{"60000", "1min"},
		{"120min", "2h"},
		{"3600s", "1h"},
		{"24h", "1d"},
		{"2500us", "2ms"},
		{"2600us", "3ms"},
		{"100us", "0"},
	} {
		got, err := check(c.in)
		if err != nil || got != c.want {
			t.Errorf("checkDuration(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "abc", "5 parsecs", "-1"} {
		if got, err := check(bad); err == nil {
			t.Errorf("checkDuration(%q) = %q, want an error", bad, got)
		}
	}
}
