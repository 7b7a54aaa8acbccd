package main

import (
	"github.com/spf13/cobra"
)

// newServeCmd returns `agnes serve`.
func newServeCmd() *cobra.Command {
	return &cobra.Command{Use: "serve", Short: "Run the Agnes server (HTTP and PostgreSQL wire)"}
}
