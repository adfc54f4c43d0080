package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/screening"
	"github.com/wardenhq/warden/screening/bundled"
	"github.com/wardenhq/warden/store/sqlstore"
)

// withScreening opens the store, the audit log and the screening service
// with the lists in service (the bundled ones on a store that has none).
func (a *app) withScreening(cmd *cobra.Command, restore bool, fn func(svc *screening.Service, db *sqlstore.DB, log *audit.Log) error) error {
	return a.withAuditChanges(cmd, func(c config.Config, db *sqlstore.DB, log *audit.Log, _ string) error {
		svc := &screening.Service{Screener: screening.NewScreener(), Lists: db, Clearances: db, Audit: log}
		svc.Screener.ListThresholds = c.Screening.ListThresholds()
		if restore {
			start := time.Now()
			if !a.jsonOut {
				fmt.Fprint(a.stderr, "loading sanctions lists… ")
			}
			ctx := warden.NewContextWithActor(cmd.Context(), cliActor())
			if err := svc.Restore(ctx, bundled.Load); err != nil {
				return err
			}
			if !a.jsonOut {
				n := 0
				for _, l := range svc.Screener.Lists() {
					n += l.Entities
				}
				fmt.Fprintf(a.stderr, "%d lists, %d entries in %s\n", len(svc.Screener.Lists()), n, time.Since(start).Round(time.Millisecond))
			}
		}
		return fn(svc, db, log)
	})
}

func (a *app) listsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "lists", Short: "Load sanctions and PEP lists and show the versions in service"}
	var format string
	load := &cobra.Command{
		Use:   "load PATH...",
		Short: "Parse lists and put them in service (a list that fails to parse is rejected; the previous version stays)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Parse everything first: nothing changes unless every file parses.
			var snaps []*screening.Snapshot
			for _, p := range args {
				start := time.Now()
				if !a.jsonOut {
					fmt.Fprintf(a.stderr, "parsing %s… ", p)
				}
				sn, err := screening.LoadPath(p, format)
				if err != nil {
					if !a.jsonOut {
						fmt.Fprintln(a.stderr, "failed")
					}
					return &exitError{code: 1, err: fmt.Errorf("%s: %w (nothing was loaded; the lists in service are unchanged)", p, err)}
				}
				if !a.jsonOut {
					fmt.Fprintf(a.stderr, "%s, %d entries in %s\n", sn.Source, len(sn.Entities), time.Since(start).Round(time.Millisecond))
				}
				snaps = append(snaps, sn)
			}
			return a.withScreening(cmd, true, func(svc *screening.Service, db *sqlstore.DB, log *audit.Log) error {
				ctx := warden.NewContextWithActor(cmd.Context(), cliActor())
				type result struct {
					screening.ListVersion
					Added   int `json:"added"`
					Removed int `json:"removed"`
					Changed int `json:"changed"`
				}
				var out []result
				diffs, err := svc.LoadAll(ctx, snaps...)
				if err != nil {
					return err
				}
				bySource := map[string]*screening.Snapshot{}
				for i, sn := range snaps {
					d := diffs[i]
					bySource[sn.Source] = sn
					out = append(out, result{ListVersion: screening.VersionOf(sn), Added: len(d.Added), Removed: len(d.Removed), Changed: len(d.Changed)})
				}
				// Re-screen the customers and owners the change can affect;
				// new hits raise alerts.
				customers := &kyc.Service{Store: db, Audit: log, Screening: svc, Owners: db, Alerts: &cases.Alerts{Store: db, Audit: log}}
				if !a.jsonOut {
					fmt.Fprint(a.stderr, "re-screening affected customers… ")
				}
				rs, err := customers.Rescreen(ctx, db, bySource, diffs)
				if err != nil {
					return err
				}
				if !a.jsonOut {
					fmt.Fprintf(a.stderr, "%d of %d customers and %d of %d ownership structures re-screened, %d new hits, %d alerts raised\n",
						rs.Rescreened, rs.Customers, rs.StructuresRescreened, rs.Structures, rs.NewHits+rs.OwnerNewHits, rs.Alerts)
				}
				if a.jsonOut {
					return a.printJSON(map[string]any{"loaded": out, "rescreen": rs})
				}
				for _, r := range out {
					fmt.Fprintf(a.stdout, "%s %s in service: %d entries (%d added, %d removed, %d changed), sha256 %s\n",
						r.Source, r.Version, r.Entities, r.Added, r.Removed, r.Changed, r.ContentSHA256)
				}
				return nil
			})
		},
	}
	load.Flags().StringVar(&format, "format", "", "ofac-sdn, ofac-cons, un, eu, uk, blocklist or pep (default: detect)")
	status := &cobra.Command{
		Use:   "status",
		Short: "Show the list versions in service",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withScreening(cmd, true, func(svc *screening.Service, db *sqlstore.DB, log *audit.Log) error {
				vs := svc.Screener.Lists()
				if a.jsonOut {
					return a.printJSON(map[string]any{"lists": vs})
				}
				tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "SOURCE\tVERSION\tENTRIES\tLOADED\tSHA256")
				for _, v := range vs {
					fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%.16s…\n", v.Source, v.Version, v.Entities, v.LoadedAt.Format(time.RFC3339), v.ContentSHA256)
				}
				return tw.Flush()
			})
		},
	}
	cmd.AddCommand(load, status)
	return cmd
}
