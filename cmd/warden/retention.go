package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/store/sqlstore"
)

func (a *app) auditArchiveCommand() *cobra.Command {
	var before, out string
	cmd := &cobra.Command{
		Use:   "archive --before YYYY-MM-DD|RFC3339 --out FILE",
		Short: "Write entries older than a date to a verifiable bundle, verify it, and only then prune them",
		Long: `Archive and prune audit entries older than --before (a date means 00:00 UTC
that day; an RFC 3339 time may be given instead).
The archive ends at a checkpoint signed for exactly its last entry and is read
back and verified before anything is deleted. Tree hashes are never pruned, so
the remaining log still verifies from the archive's last checkpoint onward.
Refused while a legal hold is set, and for entries younger than
audit.retention (2557 days by default).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cut, err := time.Parse(time.DateOnly, before)
			if err != nil {
				if cut, err = time.Parse(time.RFC3339Nano, before); err != nil {
					return &exitError{code: 2, err: warden.FieldErrorf(warden.EINVALID, "before", "--before must be a date such as 2019-01-31 or an RFC 3339 time")}
				}
			}
			return a.withAudit(cmd, func(c config.Config, db *sqlstore.DB, log *audit.Log, _ string) error {
				ctx := warden.NewContextWithActor(cmd.Context(), cliActor())
				ar, err := log.ArchiveBefore(ctx, cut.UTC(), c.Audit.Retention.D(), out, a.progress("archiving"))
				if err != nil {
					return err
				}
				if a.jsonOut {
					return a.printJSON(ar)
				}
				fmt.Fprintf(a.stdout, "Archived entries %d to %d (%d entries) to %s (sha256 %s), verified, then pruned them from the store.\nKeep the archive: it is the only copy of those entries.\n",
					ar.FirstIndex, ar.BeforeIndex-1, ar.Entries, out, ar.SHA256)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&before, "before", "", "archive entries older than this date (required)")
	cmd.Flags().StringVar(&out, "out", "", "archive bundle to write; must not exist (required)")
	_ = cmd.MarkFlagRequired("before")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

func (a *app) auditHoldCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "hold", Short: "Set, release or show the legal hold that stops archiving and pruning"}
	var reason string
	set := &cobra.Command{
		Use:   "set --reason TEXT",
		Short: "Set a legal hold",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withAuditChanges(cmd, func(c config.Config, db *sqlstore.DB, log *audit.Log, _ string) error {
				h, err := log.SetHold(warden.NewContextWithActor(cmd.Context(), cliActor()), reason)
				if err != nil {
					return err
				}
				return a.printHold(h, "Legal hold set")
			})
		},
	}
	set.Flags().StringVar(&reason, "reason", "", "why, e.g. the case or subpoena number (required)")
	_ = set.MarkFlagRequired("reason")
	var releaseReason string
	release := &cobra.Command{
		Use:   "release --reason TEXT",
		Short: "Release the legal hold",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withAuditChanges(cmd, func(c config.Config, db *sqlstore.DB, log *audit.Log, _ string) error {
				h, err := log.ReleaseHold(warden.NewContextWithActor(cmd.Context(), cliActor()), releaseReason)
				if err != nil {
					return err
				}
				return a.printHold(h, "Legal hold released")
			})
		},
	}
	release.Flags().StringVar(&releaseReason, "reason", "", "why the hold ends (required)")
	_ = release.MarkFlagRequired("reason")
	status := &cobra.Command{
		Use:   "status",
		Short: "Show the active legal hold, if any",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withAudit(cmd, func(c config.Config, db *sqlstore.DB, log *audit.Log, _ string) error {
				h, err := log.ActiveHold(cmd.Context())
				if err != nil {
					return err
				}
				if h == nil {
					if a.jsonOut {
						return a.printJSON(map[string]any{"active": false})
					}
					fmt.Fprintln(a.stdout, "No legal hold is set.")
					return nil
				}
				return a.printHold(h, "Legal hold active")
			})
		},
	}
	cmd.AddCommand(set, release, status)
	return cmd
}

func (a *app) printHold(h *audit.Hold, what string) error {
	if a.jsonOut {
		return a.printJSON(map[string]any{"active": h.ReleasedAt.IsZero(), "hold": h})
	}
	fmt.Fprintf(a.stdout, "%s: %s (id %s, set by %s at %s)\n", what, h.Reason, h.ID, h.SetBy, h.SetAt.Format(time.RFC3339))
	if !h.ReleasedAt.IsZero() {
		fmt.Fprintf(a.stdout, "Released by %s at %s: %s\n", h.ReleasedBy, h.ReleasedAt.Format(time.RFC3339), h.ReleaseReason)
	}
	return nil
}
