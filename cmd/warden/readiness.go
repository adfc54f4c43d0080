package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/readiness"
	"github.com/wardenhq/warden/store/sqlstore"
)

func (a *app) readinessCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "readiness",
		Short: "Scan a deployment against the 70-item production-readiness checklist, record attestations, show the trend",
	}
	cmd.AddCommand(a.readinessScanCommand(), a.readinessAttestCommand(), a.readinessAttestationsCommand(),
		a.readinessHistoryCommand(), a.readinessReportCommand(), a.readinessCheckTLSCommand(), a.readinessCatalogueCommand())
	return cmd
}

func usage(err error) error { return &exitError{code: 2, err: err} }

func (a *app) readinessScanCommand() *cobra.Command {
	var targetsPath, format, out string
	var failUnder float64
	var noHistory bool
	cmd := &cobra.Command{
		Use:   "scan --targets FILE [--format table|json|sarif|junit|html|markdown] [--out FILE] [--fail-under PCT]",
		Short: "Probe every target concurrently, decide the checklist items and print the report",
		Long: `Probe every target in the targets file (docs/readiness.md) concurrently, each
within the file's per-probe timeout, decide the 70 checklist items from the
results and the recorded attestations, score them per phase, overall and per
framework, store the scan for the trend, and print the report. Progress goes
to standard error. Exit status: 0, or 1 when the overall score is under
--fail-under, or 2 for usage errors (including an invalid targets file).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.jsonOut && !cmd.Flags().Changed("format") {
				format = "json"
			}
			if !slices.Contains(readiness.Formats, format) {
				return usage(warden.FieldErrorf(warden.EINVALID, "format", "unknown format %q: want one of %s", format, strings.Join(readiness.Formats, ", ")))
			}
			if failUnder < 0 || failUnder > 100 {
				return usage(warden.FieldErrorf(warden.EINVALID, "fail-under", "--fail-under %.1f: want a percentage from 0 to 100", failUnder))
			}
			targets, err := readiness.LoadTargets(targetsPath)
			if err != nil {
				return usage(fmt.Errorf("%s: %w", targetsPath, err))
			}
			cat, err := readiness.LoadCatalogue()
			if err != nil {
				return err
			}
			var report *readiness.Report
			err = a.withAuditChanges(cmd, func(c config.Config, db *sqlstore.DB, log *audit.Log, vkey string) error {
				ctx := warden.NewContextWithActor(cmd.Context(), cliActor())
				s := &readiness.Scanner{Catalogue: cat, Warden: &wardenFacts{db: db, log: log, keys: append([]string{vkey}, c.Audit.TrustedKeys...)},
					Getenv: func(k string) string { return lookupEnv(a.environ, k) }}
				if !a.jsonOut {
					fmt.Fprintf(a.stderr, "scanning %d targets (timeout %s each)\n", targets.Count(), targets.ProbeTimeout())
					s.Progress = func(p readiness.Progress) {
						fmt.Fprintf(a.stderr, "[%d/%d] %s (%s) ... done in %s: %s\n", p.Done, p.Total, p.Target, p.Kind, p.Took.Round(time.Millisecond), counts(p.Counts))
					}
				}
				started := time.Now().UTC()
				results, err := s.Scan(ctx, targets)
				if err != nil {
					return usage(err)
				}
				atts, err := db.Attestations(ctx)
				if err != nil {
					return err
				}
				report = readiness.Evaluate(cat, results, atts, time.Now())
				report.Name, report.StartedAt, report.FinishedAt = targets.Name, started, time.Now().UTC()
				prev, err := db.ReadinessScans(ctx, 10)
				if err != nil {
					return err
				}
				for _, p := range prev {
					report.Trend = append(report.Trend, readiness.TrendPoint{ScanID: p.ID, At: p.FinishedAt, Overall: p.Overall})
				}
				if noHistory {
					return nil
				}
				report.ScanID = newScanID()
				body, err := json.Marshal(report)
				if err != nil {
					return err
				}
				// The record commits with the stored scan (the audit outbox).
				return audit.Do(ctx, log, func(ctx context.Context) error {
					return db.SaveReadinessScan(ctx, readiness.ScanRecord{ID: report.ScanID, Name: report.Name, StartedAt: report.StartedAt,
						FinishedAt: report.FinishedAt, Overall: report.Overall.Percent, Report: body})
				}, audit.Record{Action: "readiness.scan", Subject: audit.Subject{Type: "readiness_scan", ID: report.ScanID},
					Change: map[string]any{"name": report.Name, "overall": report.Overall, "targets": targets.Count()}})
			})
			if err != nil {
				return err
			}
			if err := a.writeReport(report, cat, format, out); err != nil {
				return err
			}
			if cmd.Flags().Changed("fail-under") && report.Overall.Percent < failUnder {
				return &exitError{code: 1, err: fmt.Errorf("overall readiness %.1f%% is under --fail-under %.1f%%", report.Overall.Percent, failUnder)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&targetsPath, "targets", "", "YAML file describing the deployment (docs/readiness.md)")
	f.StringVar(&format, "format", "table", "report format: "+strings.Join(readiness.Formats, ", "))
	f.StringVar(&out, "out", "", "write the report to this file instead of standard output")
	f.Float64Var(&failUnder, "fail-under", 0, "exit 1 when the overall score is under this percentage")
	f.BoolVar(&noHistory, "no-history", false, "do not store this scan in the history")
	_ = cmd.MarkFlagRequired("targets")
	return cmd
}

func counts(m map[readiness.Status]int) string {
	var parts []string
	for _, s := range []readiness.Status{readiness.StatusPass, readiness.StatusWarn, readiness.StatusFail, readiness.StatusError} {
		if m[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", m[s], s))
		}
	}
	return strings.Join(parts, ", ")
}

func newScanID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// writeReport renders to --out (written whole, then renamed) or stdout.
func (a *app) writeReport(r *readiness.Report, cat *readiness.Catalogue, format, out string) error {
	if out == "" {
		return readiness.Render(a.stdout, r, cat, format)
	}
	tmp := out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := readiness.Render(f, r, cat, format); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	if !a.jsonOut {
		fmt.Fprintf(a.stderr, "report written to %s (overall %s)\n", out, r.Overall)
	}
	return nil
}

func (a *app) readinessAttestCommand() *cobra.Command {
	var by, evidence, expires, note string
	cmd := &cobra.Command{
		Use:   "attest ITEM --by NAME --evidence URL [--expires 90d|YYYY-MM-DD] [--note TEXT]",
		Short: "Record that a checklist item only a person can vouch for (a DR drill, a sign-off) is done",
		Long: `Record an attestation of an attestation item (RD-017, 30, ...): who vouches
for it and a link to the evidence. It counts until --expires or the item's
own validity (a quarterly drill lapses after 92 days), whichever is first.
Attestations are kept as history and appended to the audit log.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, err := readiness.LoadCatalogue()
			if err != nil {
				return err
			}
			it, ok := cat.Item(args[0])
			if !ok {
				return usage(warden.FieldErrorf(warden.EINVALID, "item", "no checklist item %q: want 1-70 or RD-001..RD-070", args[0]))
			}
			if !it.Attestation {
				return usage(warden.FieldErrorf(warden.EINVALID, "item", "%s is decided by automated checks (%s), not by attestation", it.ID(), strings.Join(it.Checks, ", ")))
			}
			if strings.TrimSpace(by) == "" {
				return usage(warden.FieldErrorf(warden.EINVALID, "by", "--by names who vouches for the item"))
			}
			if u, err := url.Parse(evidence); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return usage(warden.FieldErrorf(warden.EINVALID, "evidence", "--evidence %q: want an http(s) URL to the evidence", evidence))
			}
			now := time.Now().UTC()
			att := readiness.Attestation{Item: it.N, By: by, Evidence: evidence, Note: note, AttestedAt: now, RecordedBy: cliActor().ID}
			if expires != "" {
				if d, err := warden.ParseDuration(expires); err == nil && d > 0 {
					att.ExpiresAt = now.Add(d)
				} else if t, err := time.Parse(time.DateOnly, expires); err == nil && t.After(now) {
					att.ExpiresAt = t
				} else {
					return usage(warden.FieldErrorf(warden.EINVALID, "expires", "--expires %q: want a duration such as 90d or a future date YYYY-MM-DD", expires))
				}
			}
			err = a.withAuditChanges(cmd, func(_ config.Config, db *sqlstore.DB, log *audit.Log, _ string) error {
				ctx := warden.NewContextWithActor(cmd.Context(), cliActor())
				att.ID = newScanID()
				return audit.Do(ctx, log, func(ctx context.Context) error { return db.PutAttestation(ctx, att) },
					audit.Record{Action: "readiness.attest", Subject: audit.Subject{Type: "readiness_item", ID: it.ID()}, Change: att})
			})
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(att)
			}
			exp := "the item's validity period"
			if !att.ExpiresAt.IsZero() {
				exp = att.ExpiresAt.Format(time.DateOnly)
			}
			fmt.Fprintf(a.stdout, "%s %q attested by %s (evidence %s), valid until %s.\n", it.ID(), it.Title, by, evidence, exp)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&by, "by", "", "who vouches for the item (name and role)")
	f.StringVar(&evidence, "evidence", "", "URL of the evidence (drill report, signed-off ticket)")
	f.StringVar(&expires, "expires", "", "when the attestation lapses: a duration (90d) or a date (YYYY-MM-DD)")
	f.StringVar(&note, "note", "", "free-text note")
	_ = cmd.MarkFlagRequired("by")
	_ = cmd.MarkFlagRequired("evidence")
	return cmd
}

func (a *app) readinessAttestationsCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "attestations",
		Short: "List the attestation items with their current attestation and status",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := readiness.LoadCatalogue()
			if err != nil {
				return err
			}
			var r *readiness.Report
			err = a.withStore(cmd, func(db *sqlstore.DB) error {
				atts, err := db.Attestations(cmd.Context())
				r = readiness.Evaluate(cat, nil, atts, time.Now())
				return err
			})
			if err != nil {
				return err
			}
			var items []readiness.ItemResult
			for _, it := range r.Items {
				if len(it.Checks) == 0 {
					items = append(items, it)
				}
			}
			if a.jsonOut {
				return a.printJSON(map[string]any{"items": items})
			}
			for _, it := range items {
				fmt.Fprintf(a.stdout, "%s  %-5s  %s\n        %s\n", it.ID, strings.ToUpper(string(it.Status)), it.Title, it.Evidence)
			}
			return nil
		},
	}
}

// withStore opens the configured store for read-only commands.
func (a *app) withStore(cmd *cobra.Command, fn func(db *sqlstore.DB) error) error {
	c, err := a.loadConfig(cmd)
	if err != nil {
		return err
	}
	db, err := a.openStore(cmd.Context(), c)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db)
}

func (a *app) readinessHistoryCommand() *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "history [--limit N]",
		Short: "List stored scans, newest first, with their overall scores",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 1 {
				return usage(warden.FieldErrorf(warden.EINVALID, "limit", "--limit must be at least 1"))
			}
			var scans []readiness.ScanRecord
			if err := a.withStore(cmd, func(db *sqlstore.DB) (err error) {
				scans, err = db.ReadinessScans(cmd.Context(), limit)
				return err
			}); err != nil {
				return err
			}
			if a.jsonOut {
				if scans == nil {
					scans = []readiness.ScanRecord{}
				}
				return a.printJSON(map[string]any{"scans": scans})
			}
			if len(scans) == 0 {
				fmt.Fprintln(a.stdout, "No scans stored yet: run warden readiness scan --targets FILE.")
				return nil
			}
			for i, s := range scans {
				delta := ""
				if i+1 < len(scans) {
					delta = fmt.Sprintf(" (%+.1f)", s.Overall-scans[i+1].Overall)
				}
				fmt.Fprintf(a.stdout, "%s  %s  %-20s %5.1f%%%s\n", s.ID, s.FinishedAt.Format(time.RFC3339), s.Name, s.Overall, delta)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "how many scans to list")
	return cmd
}

func (a *app) readinessReportCommand() *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:     "report [SCAN_ID] [--format FORMAT] [--out FILE]",
		Aliases: []string{"generate-compliance-report"},
		Short:   "Render a stored scan (the newest by default) with framework scores and trend",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if a.jsonOut && !cmd.Flags().Changed("format") {
				format = "json"
			}
			if !slices.Contains(readiness.Formats, format) {
				return usage(warden.FieldErrorf(warden.EINVALID, "format", "unknown format %q: want one of %s", format, strings.Join(readiness.Formats, ", ")))
			}
			cat, err := readiness.LoadCatalogue()
			if err != nil {
				return err
			}
			var r readiness.Report
			err = a.withStore(cmd, func(db *sqlstore.DB) error {
				ctx := cmd.Context()
				id := ""
				if len(args) == 1 {
					id = args[0]
				} else {
					latest, err := db.ReadinessScans(ctx, 1)
					if err != nil {
						return err
					}
					if len(latest) == 0 {
						return warden.Errorf(warden.ENOTFOUND, "no scans stored yet: run warden readiness scan --targets FILE")
					}
					id = latest[0].ID
				}
				rec, err := db.ReadinessScan(ctx, id)
				if err != nil {
					return err
				}
				return json.Unmarshal(rec.Report, &r)
			})
			if err != nil {
				return err
			}
			return a.writeReport(&r, cat, format, out)
		},
	}
	cmd.Flags().StringVar(&format, "format", "markdown", "report format: "+strings.Join(readiness.Formats, ", "))
	cmd.Flags().StringVar(&out, "out", "", "write the report to this file instead of standard output")
	return cmd
}

func (a *app) readinessCatalogueCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "catalogue",
		Short: "List the 70 checklist items, their checks or attestation, and framework references",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := readiness.LoadCatalogue()
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(cat)
			}
			return printCatalogue(a.stdout, cat)
		},
	}
}

func printCatalogue(w io.Writer, cat *readiness.Catalogue) error {
	for _, it := range cat.Items {
		how := "attestation"
		if len(it.Checks) > 0 {
			how = strings.Join(it.Checks, ", ")
		}
		var fws []string
		for _, fw := range readiness.Frameworks {
			if refs := it.Frameworks[fw]; len(refs) > 0 {
				fws = append(fws, fw+": "+strings.Join(refs, "; "))
			}
		}
		if _, err := fmt.Fprintf(w, "%s [%s, %s] %s\n        decided by: %s\n        %s\n", it.ID(), it.Phase, it.Severity, it.Title, how, strings.Join(fws, " | ")); err != nil {
			return err
		}
	}
	return nil
}
