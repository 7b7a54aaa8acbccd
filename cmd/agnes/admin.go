package main

import (
	"github.com/spf13/cobra"
)

func (c *cli) adminCmd() *cobra.Command {
	admin := group("admin", "Administer users, tokens, groups, grants and tables (Admin group only)",
		c.adminUserCmd(), c.adminTokenCmd(), c.adminGroupCmd(), c.adminGrantCmd(), c.adminTableCmd(), c.adminSyncCmd(), c.adminMarketplaceCmd())
	admin.PersistentFlags().BoolVar(&c.json, "json", false, "print JSON instead of a table")
	return admin
}

// emit prints v as JSON with --json, otherwise calls human.
func (c *cli) emit(v any, human func() error) error {
	if c.json {
		return printJSON(c.stdout, v)
	}
	return human()
}
