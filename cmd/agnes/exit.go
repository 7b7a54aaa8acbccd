package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes of the agnes command.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// usageError is a mistake in how a command was called (exit 2).
type usageError struct {
	msg string
	// help asks for the command's usage text instead of a one-line error
	// (a command group called without a subcommand).
	help bool
}

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// runError marks an error returned by a command's own work (exit 1), as
// opposed to cobra's errors about the command line (exit 2).
type runError struct{ err error }

func (e *runError) Error() string { return e.err.Error() }
func (e *runError) Unwrap() error { return e.err }

// exitCoder lets a command choose its exit code (serve may use this for
// distinct start-up failures).
type exitCoder interface{ ExitCode() int }

// markRunErrors wraps the RunE of every command so that errors from the
// commands' own work can be told apart from command-line errors cobra
// reports itself (unknown command or flag, argument count, required flag).
func markRunErrors(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			err := run(cmd, args)
			var ue *usageError
			if err == nil || errors.As(err, &ue) {
				return err
			}
			return &runError{err: err}
		}
	}
	for _, sub := range c.Commands() {
		markRunErrors(sub)
	}
}

// report prints err as one line on stderr and returns the exit code.
func report(stderr io.Writer, cmd *cobra.Command, err error) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) && ue.help {
		fmt.Fprint(stderr, cmd.UsageString())
		return exitUsage
	}
	var re *runError
	if errors.As(err, &re) && !errors.As(err, &ue) {
		fmt.Fprintf(stderr, "agnes: %s\n", firstLine(err.Error()))
		var ec exitCoder
		if errors.As(err, &ec) && ec.ExitCode() != 0 {
			return ec.ExitCode()
		}
		return exitError
	}
	// Cobra's own errors and usageError: the command line was wrong.
	path := "agnes"
	if cmd != nil {
		path = cmd.CommandPath()
	}
	fmt.Fprintf(stderr, "agnes: %s — run `%s --help` for usage\n", firstLine(err.Error()), path)
	return exitUsage
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}
