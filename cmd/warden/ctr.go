package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/reporting/ctr"
	"github.com/wardenhq/warden/store/sqlstore"
)

// ctrService builds the business-day close from the configuration.
func ctrService(c config.Config, db *sqlstore.DB, rec ctr.Recorder) (*ctr.Service, error) {
	loc, err := time.LoadLocation(c.BusinessTimezone)
	if err != nil {
		return nil, fmt.Errorf("business_timezone: %w", err)
	}
	cut, err := time.Parse("15:04", c.Reporting.BusinessDayCutoff)
	if err != nil {
		return nil, fmt.Errorf("reporting.business_day_cutoff: %w", err)
	}
	rates, err := ctr.ParseRates(c.Reporting.USDRates)
	if err != nil {
		return nil, fmt.Errorf("reporting.usd_rates: %w", err)
	}
	cal := ctr.Calendar{Location: loc, Cutoff: time.Duration(cut.Hour())*time.Hour + time.Duration(cut.Minute())*time.Minute, Holidays: map[string]bool{}}
	for _, h := range c.Reporting.Holidays {
		cal.Holidays[h] = true
	}
	exempt := map[string]bool{}
	for _, id := range c.Reporting.CTRExempt {
		exempt[id] = true
	}
	return &ctr.Service{Store: db, Transactions: db, Audit: rec, Calendar: cal, Rates: rates, Exempt: exempt}, nil
}

// runScheduledClose closes ended business days every minute on whichever
// replica holds the lease.
func runScheduledClose(ctx context.Context, log *slog.Logger, svc *ctr.Service) {
	host, _ := os.Hostname()
	holder := fmt.Sprintf("%s/%d/%s", host, os.Getpid(), warden.NewID("serve"))
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			closed, err := svc.RunScheduled(ctx, holder)
			if err != nil && ctx.Err() == nil {
				log.Error("scheduled CTR close failed", "err", err)
			}
			for _, d := range closed {
				log.Info("business day closed", "business_day", d)
			}
		}
	}
}

func (a *app) ctrCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "ctr", Short: "Currency transaction reports: close a business day, list and approve reports"}
	var date, status string
	closeCmd := &cobra.Command{
		Use:   "close --date YYYY-MM-DD",
		Short: "Close a business day by hand: aggregate cash per person and store a CTR for everyone over $10,000",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := time.Parse(time.DateOnly, date); err != nil {
				return &exitError{code: 2, err: warden.FieldErrorf(warden.EINVALID, "date", "--date must be YYYY-MM-DD")}
			}
			return a.withAuditChanges(cmd, func(c config.Config, db *sqlstore.DB, log *audit.Log, _ string) error {
				svc, err := ctrService(c, db, log)
				if err != nil {
					return err
				}
				if !a.jsonOut {
					fmt.Fprintf(a.stderr, "closing business day %s… ", date)
				}
				res, err := svc.Close(warden.NewContextWithActor(cmd.Context(), cliActor()), date)
				if err != nil {
					if warden.ErrorCode(err) == warden.EINVALID {
						return &exitError{code: 2, err: err}
					}
					return err
				}
				if a.jsonOut {
					return a.printJSON(res)
				}
				fmt.Fprintln(a.stderr, "done")
				fmt.Fprintf(a.stdout, "Business day %s: %d cash transactions, %d persons, %d CTRs stored, %d exempt.\n",
					res.BusinessDay, res.Transactions, res.Persons, res.Reports, res.Exempted)
				if len(res.Unconverted) > 0 {
					fmt.Fprintf(a.stdout, "Left out, no USD rate configured (reporting.usd_rates): %v\n", res.Unconverted)
				}
				return nil
			})
		},
	}
	closeCmd.Flags().StringVar(&date, "date", "", "business day YYYY-MM-DD")
	_ = closeCmd.MarkFlagRequired("date")

	listCmd := &cobra.Command{
		Use:   "list --date YYYY-MM-DD [--status pending_review|approved|exported]",
		Short: "List a business day's CTRs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := time.Parse(time.DateOnly, date); err != nil {
				return &exitError{code: 2, err: warden.FieldErrorf(warden.EINVALID, "date", "--date must be YYYY-MM-DD")}
			}
			return a.withAudit(cmd, func(c config.Config, db *sqlstore.DB, _ *audit.Log, _ string) error {
				rs, err := db.Reports(cmd.Context(), date, status)
				if err != nil {
					return err
				}
				if a.jsonOut {
					return a.printJSON(map[string]any{"reports": rs})
				}
				if len(rs) == 0 {
					fmt.Fprintf(a.stdout, "No CTRs for %s.\n", date)
					return nil
				}
				tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tPERSON\tCASH IN (USD)\tCASH OUT (USD)\tITEMS\tSTATUS\tDUE BY")
				for _, r := range rs {
					fmt.Fprintf(tw, "%s\t%s\t%d.%02d\t%d.%02d\t%d\t%s\t%s\n", r.ID, r.PersonID, r.CashIn/100, r.CashIn%100, r.CashOut/100, r.CashOut%100, len(r.Items), r.Status, r.DueBy)
				}
				return tw.Flush()
			})
		},
	}
	listCmd.Flags().StringVar(&date, "date", "", "business day YYYY-MM-DD")
	listCmd.Flags().StringVar(&status, "status", "", "only reports in this status")
	_ = listCmd.MarkFlagRequired("date")

	approveCmd := &cobra.Command{
		Use:   "approve ID",
		Short: "Mark a CTR reviewed",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withAuditChanges(cmd, func(c config.Config, db *sqlstore.DB, log *audit.Log, _ string) error {
				svc, err := ctrService(c, db, log)
				if err != nil {
					return err
				}
				r, err := svc.Approve(warden.NewContextWithActor(cmd.Context(), cliActor()), args[0])
				if err != nil {
					return err
				}
				if a.jsonOut {
					return a.printJSON(r)
				}
				fmt.Fprintf(a.stdout, "%s approved by %s.\n", r.ID, r.ReviewedBy)
				return nil
			})
		},
	}
	cmd.AddCommand(closeCmd, listCmd, approveCmd)
	return cmd
}
