package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/reporting/compliance"
	"github.com/wardenhq/warden/screening"
	"github.com/wardenhq/warden/store/sqlstore"
)

func (a *app) reportCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "report", Short: "Reports for examiners"}
	var from, to, format, out string
	comp := &cobra.Command{
		Use:   "compliance --from YYYY-MM-DD --to YYYY-MM-DD [--format json|html] [--out FILE]",
		Short: "The compliance report: alerts, cases, filings on time and late, screening coverage, lists, audit log verification",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.jsonOut && !cmd.Flags().Changed("format") {
				format = "json"
			}
			if format != "json" && format != "html" {
				return &exitError{code: 2, err: warden.FieldErrorf(warden.EINVALID, "format", "--format must be json or html")}
			}
			return a.withScreening(cmd, true, func(svc *screening.Service, db *sqlstore.DB, log *audit.Log) error {
				if !a.jsonOut {
					fmt.Fprint(a.stderr, "gathering the report and verifying the audit log… ")
				}
				rep, err := compliance.Build(cmd.Context(), compliance.Sources{Alerts: db, Cases: db, CTRs: db, Customers: db, Lists: svc.Screener.Lists,
					VerifyAudit: func(ctx context.Context) (*audit.Report, error) {
						keys, err := log.PublicKeys(ctx)
						if err != nil {
							return nil, err
						}
						return log.VerifyStore(ctx, audit.VerifyOptions{TrustedKeys: keys})
					}}, from, to)
				if err != nil {
					if warden.ErrorCode(err) == warden.EINVALID {
						return &exitError{code: 2, err: err}
					}
					return err
				}
				if !a.jsonOut {
					fmt.Fprintln(a.stderr, "done")
				}
				var body []byte
				if format == "html" {
					if body, err = compliance.HTML(rep); err != nil {
						return err
					}
				} else if out != "" {
					if body, err = jsonIndent(rep); err != nil {
						return err
					}
				}
				if out == "" {
					if format == "json" {
						return a.printJSON(rep)
					}
					_, err := a.stdout.Write(body)
					return err
				}
				if err := os.WriteFile(out, body, 0o600); err != nil {
					return fmt.Errorf("write %s: %w", out, err)
				}
				if a.jsonOut {
					return a.printJSON(map[string]any{"written": out, "bytes": len(body), "audit_ok": rep.Audit.OK})
				}
				fmt.Fprintf(a.stdout, "Wrote the compliance report for %s to %s to %s (%d bytes). Audit log: %s.\n", from, to, out, len(body),
					map[bool]string{true: "verified", false: "VERIFICATION FAILED"}[rep.Audit.OK])
				return nil
			})
		},
	}
	f := comp.Flags()
	f.StringVar(&from, "from", "", "first day YYYY-MM-DD")
	f.StringVar(&to, "to", "", "last day YYYY-MM-DD (inclusive)")
	f.StringVar(&format, "format", "html", "json or html")
	f.StringVar(&out, "out", "", "write to this file instead of standard output")
	_ = comp.MarkFlagRequired("from")
	_ = comp.MarkFlagRequired("to")
	cmd.AddCommand(comp)
	return cmd
}

func jsonIndent(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
