package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/keboola/agnes/client"
	"github.com/spf13/cobra"
)

func (c *cli) adminMarketplaceCmd() *cobra.Command {
	var reg client.MarketplaceRegistration
	add := &cobra.Command{
		Use:   "add SLUG URL [--branch B | --ref R] [--token-env NAME]",
		Short: "Register an upstream git repository holding a Claude Code plugin marketplace",
		Long: `Register an upstream git repository holding a Claude Code plugin marketplace
(.claude-plugin/marketplace.json). SLUG prefixes its plugins: grant them as
plugin SLUG/<plugin name>. Follows the default branch unless --branch is given;
--ref pins a tag or a 40-character commit SHA. For a private repository, put a
token in an environment variable of the server and pass its name with
--token-env (the token itself is never stored).`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if reg.Branch != "" && reg.Ref != "" {
				return usagef("give --branch or --ref, not both")
			}
			api, err := c.client()
			if err != nil {
				return err
			}
			reg.Slug, reg.URL = args[0], args[1]
			m, err := api.AddMarketplace(cmd.Context(), reg)
			if err != nil {
				return err
			}
			return c.emit(m, func() error {
				fmt.Fprintf(c.stdout, "Registered marketplace %s (%s, %s). Next: agnes admin marketplace sync %s\n",
					m.Slug, m.URL, trackedRef(m.Branch, m.Ref), m.Slug)
				return nil
			})
		},
	}
	add.Flags().StringVar(&reg.Branch, "branch", "", "branch to follow (default: the upstream's default branch)")
	add.Flags().StringVar(&reg.Ref, "ref", "", "pin a tag or a full 40-character commit SHA")
	add.Flags().StringVar(&reg.TokenEnv, "token-env", "", "name of the server environment variable holding a token for a private repository")
	add.Flags().StringVar(&reg.Name, "name", "", "display name (default: SLUG)")
	add.Flags().StringVar(&reg.Description, "description", "", "what the marketplace holds")

	list := &cobra.Command{
		Use:   "list",
		Short: "List registered marketplaces and their last sync",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			ms, err := api.Marketplaces(cmd.Context())
			if err != nil {
				return err
			}
			return c.emit(ms, func() error {
				t := newTable(c.stdout, "SLUG", "URL", "TRACKS", "PLUGINS", "REFUSED", "LAST SYNC", "COMMIT", "LAST ERROR")
				for _, m := range ms {
					t.row(m.Slug, m.URL, trackedRef(m.Branch, m.Ref), strconv.Itoa(m.Plugins), strconv.Itoa(m.Refused),
						when(m.LastSyncedAt, "never"), orDash(shortSHA(m.LastCommitSHA)), orDash(m.LastError))
				}
				return t.flush()
			})
		},
	}

	remove := &cobra.Command{
		Use:   "remove SLUG",
		Short: "Unregister a marketplace: its plugins stop being served and their grants are deleted",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			res, err := api.RemoveMarketplace(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return c.emit(res, func() error {
				fmt.Fprintf(c.stdout, "Removed marketplace %s and %d plugin grant(s).\n", res.Slug, res.GrantsRemoved)
				return nil
			})
		},
	}

	syncCmd := &cobra.Command{
		Use:   "sync [SLUG]",
		Short: "Fetch one marketplace (or all) now and wait for the outcome; exits 1 when a sync fails",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			slug := ""
			if len(args) == 1 {
				slug = args[0]
			}
			results, err := api.SyncMarketplaces(cmd.Context(), slug)
			if err != nil {
				return err
			}
			err = c.emit(results, func() error {
				if len(results) == 0 {
					fmt.Fprintln(c.stdout, "No marketplaces registered: agnes admin marketplace add SLUG URL")
				}
				for _, r := range results {
					if !r.OK {
						fmt.Fprintf(c.stdout, "%s: sync FAILED: %s (the previous content is still served)\n", r.Marketplace, r.Error)
						continue
					}
					fmt.Fprintf(c.stdout, "%s: synced %s, %d plugin(s) served, %d refused\n", r.Marketplace, shortSHA(r.Commit), len(r.Plugins), len(r.Refused))
					for _, p := range r.Refused {
						fmt.Fprintf(c.stdout, "  refused %s: %s\n", p.Name, p.Reason)
					}
					for _, w := range r.Warnings {
						fmt.Fprintf(c.stdout, "  warning: %s\n", w)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			var failed []string
			for _, r := range results {
				if !r.OK {
					failed = append(failed, r.Marketplace+": "+r.Error)
				}
			}
			if len(failed) > 0 {
				return errors.New("sync failed for " + strings.Join(failed, "; "))
			}
			return nil
		},
	}

	plugins := &cobra.Command{
		Use:   "plugins [SLUG]",
		Short: "List the plugins the last sync found, served or refused",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			slug := ""
			if len(args) == 1 {
				slug = args[0]
			}
			ps, err := api.MarketplacePlugins(cmd.Context(), slug)
			if err != nil {
				return err
			}
			return c.emit(ps, func() error {
				t := newTable(c.stdout, "GRANT ID", "VERSION", "STATUS", "DESCRIPTION")
				for _, p := range ps {
					status := "served"
					if p.Refused != "" {
						status = "refused: " + p.Refused
					}
					t.row(p.ID, orDash(p.Version), status, p.Description)
				}
				return t.flush()
			})
		},
	}
	return group("marketplace", "Manage the Claude Code plugin marketplaces users are served", add, list, remove, syncCmd, plugins)
}

// trackedRef says what a marketplace follows.
func trackedRef(branch, ref string) string {
	switch {
	case ref != "":
		return "ref " + ref
	case branch != "":
		return "branch " + branch
	}
	return "default branch"
}

func shortSHA(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
