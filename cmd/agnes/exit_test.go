package main

import (
	"bytes"
	"errors"
	"testing"

	"github.com/spf13/cobra"
)

type codedError struct{ code int }

func (e codedError) Error() string { return "start-up failed\nsecond line" }
func (e codedError) ExitCode() int { return e.code }

// TestReport covers the mapping from a command's outcome to the exit code
// and the stderr line, including a command choosing its own code.
func TestReport(t *testing.T) {
	cases := []struct {
		name   string
		runErr error
		code   int
		stderr string
	}{
		{"success", nil, 0, ""},
		{"plain error", errors.New("disk full"), 1, "agnes: disk full\n"},
		{"own exit code, first line only", codedError{3}, 3, "agnes: start-up failed\n"},
		{"usage error from RunE", usagef("bad combination"), 2, "agnes: bad combination — run `agnes sub --help` for usage\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := &cobra.Command{Use: "agnes", SilenceErrors: true, SilenceUsage: true}
			root.AddCommand(&cobra.Command{Use: "sub", RunE: func(*cobra.Command, []string) error { return c.runErr }})
			markRunErrors(root)
			root.SetArgs([]string{"sub"})
			var stderr bytes.Buffer
			cmd, err := root.ExecuteC()
			if code := report(&stderr, cmd, err); code != c.code || stderr.String() != c.stderr {
				t.Fatalf("exit %d stderr %q, want %d %q", code, stderr.String(), c.code, c.stderr)
			}
		})
	}
}
