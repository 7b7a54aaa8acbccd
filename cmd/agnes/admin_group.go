package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
)

func (c *cli) adminGroupCmd() *cobra.Command {
	var description string
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a group",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			g, err := api.CreateGroup(cmd.Context(), args[0], description)
			if err != nil {
				return err
			}
			return c.emit(g, func() error {
				fmt.Fprintf(c.stdout, "Created group %s (%s). Next: agnes admin group add-member %q EMAIL\n", g.Name, g.ID, g.Name)
				return nil
			})
		},
	}
	create.Flags().StringVar(&description, "description", "", "what the group is for")

	list := &cobra.Command{
		Use:   "list",
		Short: "List groups",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			groups, err := api.Groups(cmd.Context())
			if err != nil {
				return err
			}
			return c.emit(groups, func() error {
				t := newTable(c.stdout, "ID", "NAME", "SYSTEM", "MEMBERS", "GRANTS", "DESCRIPTION")
				for _, g := range groups {
					t.row(g.ID, g.Name, yesNo(g.IsSystem), strconv.Itoa(g.MemberCount), strconv.Itoa(g.GrantCount), orDash(g.Description))
				}
				return t.flush()
			})
		},
	}

	del := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a group with its memberships and grants",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			if err := api.DeleteGroup(cmd.Context(), args[0]); err != nil {
				return err
			}
			return c.emit(map[string]any{"deleted": true, "group": args[0]}, func() error {
				fmt.Fprintf(c.stdout, "Deleted group %s.\n", args[0])
				return nil
			})
		},
	}

	members := &cobra.Command{
		Use:   "members NAME",
		Short: "List a group's members",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			ms, err := api.Members(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return c.emit(ms, func() error {
				t := newTable(c.stdout, "USER ID", "EMAIL", "NAME", "SOURCE", "ACTIVE")
				for _, m := range ms {
					t.row(m.UserID, m.Email, orDash(m.Name), m.Source, yesNo(m.Active))
				}
				return t.flush()
			})
		},
	}

	add := &cobra.Command{
		Use:   "add-member NAME EMAIL",
		Short: "Add a user to a group",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			m, err := api.AddMember(cmd.Context(), args[0], args[1])
			if err != nil {
				return err
			}
			return c.emit(m, func() error {
				fmt.Fprintf(c.stdout, "Added %s to %s.\n", m.Email, args[0])
				return nil
			})
		},
	}

	remove := &cobra.Command{
		Use:   "remove-member NAME EMAIL",
		Short: "Remove a user from a group",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			if err := api.RemoveMember(cmd.Context(), args[0], args[1]); err != nil {
				return err
			}
			return c.emit(map[string]any{"removed": true, "group": args[0], "user": args[1]}, func() error {
				fmt.Fprintf(c.stdout, "Removed %s from %s.\n", args[1], args[0])
				return nil
			})
		},
	}
	return group("group", "Manage groups and their members", create, list, del, members, add, remove)
}
