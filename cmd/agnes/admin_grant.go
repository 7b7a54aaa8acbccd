package main

import (
	"fmt"

	"github.com/keboola/agnes/client"
	"github.com/spf13/cobra"
)

func (c *cli) adminGrantCmd() *cobra.Command {
	create := &cobra.Command{
		Use:   "create GROUP RESOURCE_TYPE RESOURCE_ID",
		Short: "Give a group access to a resource (e.g. table orders)",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			g, err := api.CreateGrant(cmd.Context(), args[0], args[1], args[2])
			if err != nil {
				return err
			}
			return c.emit(g, func() error {
				fmt.Fprintf(c.stdout, "Granted %s %s to %s (%s).\n", g.ResourceType, g.ResourceID, g.GroupName, g.ID)
				return nil
			})
		},
	}

	var filter client.GrantFilter
	list := &cobra.Command{
		Use:   "list",
		Short: "List grants",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			grants, err := api.Grants(cmd.Context(), filter)
			if err != nil {
				return err
			}
			return c.emit(grants, func() error {
				t := newTable(c.stdout, "ID", "GROUP", "TYPE", "RESOURCE", "CREATED")
				for _, g := range grants {
					t.row(g.ID, g.GroupName, g.ResourceType, g.ResourceID, when(&g.CreatedAt, "-"))
				}
				return t.flush()
			})
		},
	}
	list.Flags().StringVar(&filter.Group, "group", "", "only grants of this group")
	list.Flags().StringVar(&filter.ResourceType, "type", "", "only grants of this resource type")

	del := &cobra.Command{
		Use:   "delete ID",
		Short: "Delete a grant",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			if err := api.DeleteGrant(cmd.Context(), args[0]); err != nil {
				return err
			}
			return c.emit(map[string]any{"deleted": true, "id": args[0]}, func() error {
				fmt.Fprintf(c.stdout, "Deleted grant %s.\n", args[0])
				return nil
			})
		},
	}

	types := &cobra.Command{
		Use:   "resource-types",
		Short: "List the resource types grants can name",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			rts, err := api.ResourceTypes(cmd.Context())
			if err != nil {
				return err
			}
			return c.emit(rts, func() error {
				t := newTable(c.stdout, "TYPE", "ID FORMAT", "ADMIN SEES ALL", "DESCRIPTION")
				for _, rt := range rts {
					t.row(rt.Key, rt.IDFormat, yesNo(rt.AdminAll), rt.Description)
				}
				return t.flush()
			})
		},
	}
	return group("grant", "Manage grants of resources to groups", create, list, del, types)
}
