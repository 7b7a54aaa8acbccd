package main

import (
	"bufio"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/keboola/agnes/client"
	"github.com/spf13/cobra"
)

func (c *cli) loginCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "login --server URL --token PAT",
		Short: "Check a personal access token against a server and store both",
		Long: `Check a personal access token against a server (GET /api/me) and store
the server and token for later commands. --token - reads the token from
standard input, which keeps it out of the shell history.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			server, token := c.server, c.token
			if server == "" {
				server = os.Getenv("AGNES_SERVER")
			}
			if token == "" {
				token = os.Getenv("AGNES_TOKEN")
			}
			if token == "-" {
				line, err := bufio.NewReader(c.stdin).ReadString('\n')
				if err != nil && line == "" {
					return fmt.Errorf("read token from standard input: %w", err)
				}
				token = line
			}
			server, token = client.NormalizeServer(server), strings.TrimSpace(token)
			if server == "" || token == "" {
				return usagef("login needs --server URL and --token PAT")
			}
			if u, err := url.Parse(server); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
				return usagef("--server %q is not an http(s) URL such as http://127.0.0.1:8000", server)
			}
			me, err := client.New(server, token).Me(cmd.Context())
			var apiErr *client.APIError
			if errors.As(err, &apiErr) && apiErr.Status == 401 {
				return fmt.Errorf("%s rejected the token: %w", server, err)
			}
			if err != nil {
				return err
			}
			path, err := saveCredentials(credentials{Server: server, Token: token})
			if err != nil {
				return err
			}
			role := ""
			if me.IsAdmin {
				role = " (admin)"
			}
			fmt.Fprintf(c.stdout, "Logged in to %s as %s%s. Credentials saved to %s\n", server, me.Email, role, path)
			return nil
		},
	}
}
