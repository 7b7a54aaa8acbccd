package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func (c *cli) adminSyncCmd() *cobra.Command {
	rebuild := &cobra.Command{
		Use:   "rebuild",
		Short: "Rescan the extracts and bring the registry up to date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			res, err := api.Rebuild(cmd.Context())
			if err != nil {
				return err
			}
			return c.emit(res, func() error {
				fmt.Fprintf(c.stdout, "Registry rebuilt: %d added, %d updated, %d removed, %d broken.\n",
					len(res.Added), len(res.Updated), len(res.Removed), len(res.Broken))
				for _, l := range []struct {
					label string
					ids   []string
				}{{"added", res.Added}, {"updated", res.Updated}, {"removed", res.Removed}, {"broken", res.Broken}} {
					if len(l.ids) > 0 {
						fmt.Fprintf(c.stdout, "  %s: %s\n", l.label, strings.Join(l.ids, ", "))
					}
				}
				if len(res.Broken) > 0 {
					fmt.Fprintln(c.stdout, "Broken extracts keep their previous data; see STATUS in agnes admin table list.")
				}
				return nil
			})
		},
	}
	return group("sync", "Registry synchronisation", rebuild)
}
