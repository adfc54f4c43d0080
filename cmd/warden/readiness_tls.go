package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/readiness/probe"
	"github.com/wardenhq/warden/store/sqlstore"
)

func (a *app) readinessCheckTLSCommand() *cobra.Command {
	var caFile, serverName string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:     "check-tls HOST:PORT... [--ca FILE] [--server-name NAME]",
		Aliases: []string{"check-tls-status"},
		Short:   "Check TLS endpoints now: versions offered, weak suites, chain, host name and days to expiry",
		Long: `Run the TLS checks of the scanner against TLS-first endpoints, without a
targets file and without storing anything. Exit status 1 when any check fails
or errors, 2 for usage errors.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := probe.TLSOptions{ServerName: serverName}
			if caFile != "" {
				pool, err := probe.LoadCABundle(caFile)
				if err != nil {
					return usage(warden.FieldErrorf(warden.EINVALID, "ca", "%v", err))
				}
				opts.Roots, opts.RootsName = pool, caFile
			}
			type endpoint struct {
				Address  string          `json:"address"`
				OK       bool            `json:"ok"`
				Findings []probe.Finding `json:"findings"`
			}
			var out []endpoint
			bad := 0
			for _, addr := range args {
				if _, _, err := net.SplitHostPort(addr); err != nil {
					return usage(warden.FieldErrorf(warden.EINVALID, "address", "%q: want host:port", addr))
				}
				ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
				fs := probe.TLSEndpoint(ctx, addr, opts)
				cancel()
				e := endpoint{Address: addr, OK: true, Findings: fs}
				for _, f := range fs {
					if f.Status == probe.Fail || f.Status == probe.Error {
						e.OK = false
					}
				}
				if !e.OK {
					bad++
				}
				out = append(out, e)
			}
			if a.jsonOut {
				if err := a.printJSON(map[string]any{"endpoints": out}); err != nil {
					return err
				}
			} else {
				for _, e := range out {
					fmt.Fprintln(a.stdout, e.Address)
					for _, f := range e.Findings {
						fmt.Fprintf(a.stdout, "  %-5s %-13s %s\n", strings.ToUpper(f.Status), f.Check, f.Evidence)
					}
				}
			}
			if bad > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d of %d endpoints fail a TLS check", bad, len(out))}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&caFile, "ca", "", "PEM CA bundle to verify chains against (default: system roots)")
	f.StringVar(&serverName, "server-name", "", "name to send as SNI and check the certificate for (default: the host)")
	f.DurationVar(&timeout, "timeout", 10*time.Second, "timeout per endpoint")
	return cmd
}

// wardenFacts answers the scanner's Warden self-check from the local store
// and audit log, the same ones warden audit verify and apikey list read.
type wardenFacts struct {
	db   *sqlstore.DB
	log  *audit.Log
	keys []string
}

func (w *wardenFacts) VerifyAudit(ctx context.Context) (int64, error) {
	rep, err := w.log.VerifyStore(ctx, audit.VerifyOptions{TrustedKeys: w.keys})
	if rep == nil {
		return 0, err
	}
	return rep.Entries, err
}

func (w *wardenFacts) AuditOutbox(ctx context.Context) (int64, time.Time, error) {
	return w.db.AuditOutboxStatus(ctx)
}

func (w *wardenFacts) ListsLoadedAt(ctx context.Context) (map[string]time.Time, error) {
	vs, err := w.db.ActiveListVersions(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]time.Time{}
	for _, v := range vs {
		out[v.Source] = v.LoadedAt
	}
	return out, nil
}

func (w *wardenFacts) APIKeys(ctx context.Context) ([]probe.KeyFact, error) {
	keys, err := w.db.APIKeys(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	var out []probe.KeyFact
	for _, k := range keys {
		// A rotated key stays usable through its overlap, but its successor
		// is the one whose age matters.
		active := k.RevokedAt.IsZero() && k.ExpiresAt.After(now) && k.RotatedTo == ""
		out = append(out, probe.KeyFact{ID: k.ID, Name: k.Name, CreatedAt: k.CreatedAt, Active: active})
	}
	return out, nil
}
