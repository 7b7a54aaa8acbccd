package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

func (c *cli) adminTokenCmd() *cobra.Command {
	var name, expiresIn string
	create := &cobra.Command{
		Use:   "create EMAIL",
		Short: "Create a personal access token for a user (shown once)",
		Long: `Create a personal access token for a user. The token is printed once, on
standard output by itself, so TOKEN=$(agnes admin token create EMAIL) works;
the server keeps only a hash and cannot show it again.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			t, err := api.CreateToken(cmd.Context(), args[0], name, expiresIn)
			if err != nil {
				return err
			}
			return c.emit(t, func() error {
				fmt.Fprintf(c.stderr, "Token %s %q for %s, expires %s.\n", t.ID, t.Name, t.UserEmail, when(t.ExpiresAt, "never"))
				fmt.Fprintln(c.stderr, "Copy it now: it cannot be shown again.")
				fmt.Fprintln(c.stdout, t.Token)
				return nil
			})
		},
	}
	create.Flags().StringVar(&name, "name", "", "a label for the token (e.g. laptop)")
	create.Flags().StringVar(&expiresIn, "expires-in", "90d", "lifetime: 90d, 24h, … or never")

	list := &cobra.Command{
		Use:   "list [EMAIL]",
		Short: "List tokens (of one user when EMAIL is given)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			user := ""
			if len(args) == 1 {
				user = args[0]
			}
			tokens, err := api.Tokens(cmd.Context(), user)
			if err != nil {
				return err
			}
			return c.emit(tokens, func() error {
				now := time.Now()
				t := newTable(c.stdout, "ID", "USER", "NAME", "PREFIX", "CREATED", "EXPIRES", "LAST USED", "STATUS")
				for _, tok := range tokens {
					t.row(tok.ID, tok.UserEmail, tok.Name, tok.Prefix+"…", when(&tok.CreatedAt, "-"),
						when(tok.ExpiresAt, "never"), when(tok.LastUsedAt, "never"), tok.Status(now))
				}
				return t.flush()
			})
		},
	}

	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			t, err := api.RevokeToken(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return c.emit(t, func() error {
				fmt.Fprintf(c.stdout, "Revoked token %s %q of %s.\n", t.ID, t.Name, t.UserEmail)
				return nil
			})
		},
	}
	return group("token", "Manage personal access tokens", create, list, revoke)
}
