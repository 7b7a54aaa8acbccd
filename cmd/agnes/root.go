package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"
)

// cli is the state shared by the commands of one invocation: where output
// goes and the global flags.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	server, token  string // --server, --token
	json           bool   // --json (admin commands)
}

// execute runs the agnes command line and returns the process exit code.
func execute(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	root := c.rootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	return report(stderr, cmd, err)
}

func (c *cli) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "agnes",
		Short:         "Agnes: a PostgreSQL-wire SQL gateway with per-user grants",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE:          groupRunE,
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{msg: err.Error()}
	})
	pf := root.PersistentFlags()
	pf.StringVar(&c.server, "server", "", "Agnes server URL (overrides AGNES_SERVER and the stored login)")
	pf.StringVar(&c.token, "token", "", "personal access token (overrides AGNES_TOKEN and the stored login)")

	root.AddCommand(newServeCmd(), c.versionCmd(), c.loginCmd(), c.adminCmd())
	root.AddCommand(c.pullCmd(), c.queryCmd(), c.catalogCmd(), c.schemaCmd(), c.describeCmd(), c.diskInfoCmd(), c.initCmd())
	markRunErrors(root)
	return root
}

// groupRunE is the RunE of a command that only groups subcommands: called
// bare it prints its usage, called with an unknown word it says so; both
// are usage errors.
func groupRunE(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unknown command %q for %q", args[0], cmd.CommandPath())
	}
	return &usageError{msg: "missing command", help: true}
}

// group returns a command that only holds subcommands.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	g := &cobra.Command{Use: use, Short: short, Args: cobra.ArbitraryArgs, RunE: groupRunE}
	g.AddCommand(subs...)
	return g
}
