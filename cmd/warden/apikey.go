package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/auth"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/store/sqlstore"
)

func (a *app) apikeyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "apikey",
		Short: "Create, list, rotate and revoke API keys (works with the server running or not)",
	}
	cmd.AddCommand(a.apikeyCreateCommand(), a.apikeyListCommand(), a.apikeyRevokeCommand(), a.apikeyRotateCommand())
	return cmd
}

// withKeys opens the configured store and runs fn with a key service.
func (a *app) withKeys(cmd *cobra.Command, fn func(*auth.Service) error) error {
	return a.withAuditChanges(cmd, func(c config.Config, db *sqlstore.DB, log *audit.Log, _ string) error {
		return fn(keyService(c, db, log))
	})
}

// createdKeyJSON is the --json output of create and rotate.
type createdKeyJSON struct {
	ID          string      `json:"id"`
	Key         string      `json:"key"`
	Role        warden.Role `json:"role"`
	Name        string      `json:"name"`
	ExpiresAt   time.Time   `json:"expires_at"`
	RotatedFrom string      `json:"rotated_from,omitempty"`
}

func (a *app) printCreated(k *auth.APIKey, secret string) error {
	if a.jsonOut {
		return a.printJSON(createdKeyJSON{ID: k.ID, Key: secret, Role: k.Role, Name: k.Name, ExpiresAt: k.ExpiresAt, RotatedFrom: k.RotatedFrom})
	}
	fmt.Fprintf(a.stdout, "Created %s key %q (id %s), expires %s.\n", k.Role, k.Name, k.ID, k.ExpiresAt.Format(time.RFC3339))
	if k.RotatedFrom != "" {
		fmt.Fprintf(a.stdout, "It succeeds %s, which keeps working until its new expiry.\n", k.RotatedFrom)
	}
	fmt.Fprintf(a.stdout, "The key is shown only this once:\n\n    %s\n\n", secret)
	return nil
}

func (a *app) apikeyCreateCommand() *cobra.Command {
	var role, name, expires string
	cmd := &cobra.Command{
		Use:   "create --role ROLE --name NAME [--expires 90d]",
		Short: "Create an API key and print it once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Checked here rather than with MarkFlagRequired, whose error
			// would exit 1 instead of the usage status 2.
			for _, f := range []string{"role", "name"} {
				if !cmd.Flags().Changed(f) {
					return &exitError{code: 2, err: warden.FieldErrorf(warden.EINVALID, f, "required flag --%s not set", f)}
				}
			}
			r, err := warden.ParseRole(role)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			req := auth.CreateKey{Name: name, Role: r}
			if expires != "" {
				if req.TTL, err = warden.ParseDuration(expires); err != nil {
					return &exitError{code: 2, err: warden.FieldErrorf(warden.EINVALID, "expires", "%v", err)}
				}
			}
			if err := req.Validate(); err != nil {
				return &exitError{code: 2, err: err}
			}
			return a.withKeys(cmd, func(s *auth.Service) error {
				k, secret, err := s.Create(warden.NewContextWithActor(cmd.Context(), cliActor()), req)
				if err != nil {
					return err
				}
				return a.printCreated(k, secret)
			})
		},
	}
	cmd.Flags().StringVar(&role, "role", "", "role: admin, analyst, auditor or service (required)")
	cmd.Flags().StringVar(&name, "name", "", "what the key is for, e.g. fineract-prod (required)")
	cmd.Flags().StringVar(&expires, "expires", "", "lifetime, e.g. 90d or 12h (default from auth.key_ttl, 90d)")
	return cmd
}

func (a *app) apikeyListCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List API keys (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withKeys(cmd, func(s *auth.Service) error {
				keys, err := s.List(cmd.Context())
				if err != nil {
					return err
				}
				now := time.Now()
				if a.jsonOut {
					type row struct {
						*auth.APIKey
						Prefix string `json:"prefix"`
						Status string `json:"status"`
					}
					rows := make([]row, 0, len(keys))
					for _, k := range keys {
						rows = append(rows, row{APIKey: k, Prefix: k.Prefix(), Status: k.Status(now)})
					}
					return a.printJSON(map[string]any{"api_keys": rows})
				}
				tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tROLE\tSTATUS\tCREATED\tEXPIRES")
				for _, k := range keys {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Role, k.Status(now),
						k.CreatedAt.Format(time.DateOnly), k.ExpiresAt.Format(time.DateOnly))
				}
				return tw.Flush()
			})
		},
	}
}

func (a *app) apikeyRevokeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an API key at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withKeys(cmd, func(s *auth.Service) error {
				k, err := s.Revoke(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if a.jsonOut {
					return a.printJSON(map[string]any{"id": k.ID, "status": k.Status(time.Now()), "revoked_at": k.RevokedAt})
				}
				fmt.Fprintf(a.stdout, "Revoked %s (%s).\n", k.ID, k.Name)
				return nil
			})
		},
	}
}

func (a *app) apikeyRotateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "rotate ID",
		Short: "Issue a successor key; the old one keeps working for auth.rotation_overlap",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withKeys(cmd, func(s *auth.Service) error {
				k, secret, err := s.Rotate(warden.NewContextWithActor(cmd.Context(), cliActor()), args[0])
				if err != nil {
					return err
				}
				return a.printCreated(k, secret)
			})
		},
	}
}
