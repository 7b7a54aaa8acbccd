package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (c *cli) adminUserCmd() *cobra.Command {
	var name string
	create := &cobra.Command{
		Use:   "create EMAIL",
		Short: "Create a user (a member of Everyone)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			u, err := api.CreateUser(cmd.Context(), args[0], name)
			if err != nil {
				return err
			}
			return c.emit(u, func() error {
				fmt.Fprintf(c.stdout, "Created user %s (%s). Next: agnes admin token create %s\n", u.Email, u.ID, u.Email)
				return nil
			})
		},
	}
	create.Flags().StringVar(&name, "name", "", "display name")

	list := &cobra.Command{
		Use:   "list",
		Short: "List users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			users, err := api.Users(cmd.Context())
			if err != nil {
				return err
			}
			return c.emit(users, func() error {
				t := newTable(c.stdout, "ID", "EMAIL", "NAME", "ACTIVE", "CREATED")
				for _, u := range users {
					t.row(u.ID, u.Email, orDash(u.Name), yesNo(u.Active), when(&u.CreatedAt, "-"))
				}
				return t.flush()
			})
		},
	}

	deactivate := &cobra.Command{
		Use:   "deactivate EMAIL",
		Short: "Deactivate a user: none of their tokens work any more",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			u, err := api.DeactivateUser(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return c.emit(u, func() error {
				fmt.Fprintf(c.stdout, "Deactivated %s; their tokens no longer authenticate.\n", u.Email)
				return nil
			})
		},
	}
	return group("user", "Manage users", create, list, deactivate)
}
