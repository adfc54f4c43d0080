package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/store/sqlstore"
)

func (a *app) auditCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Export and verify the tamper-evident audit log",
	}
	cmd.AddCommand(a.auditExportCommand(), a.auditVerifyCommand(), a.auditCheckpointCommand(), a.auditSIEMCommand(),
		a.auditArchiveCommand(), a.auditHoldCommand())
	return cmd
}

// withAudit opens the store and the audit log.
func (a *app) withAudit(cmd *cobra.Command, fn func(c config.Config, db *sqlstore.DB, log *audit.Log, vkey string) error) error {
	c, err := a.loadConfig(cmd)
	if err != nil {
		return err
	}
	db, err := a.openStore(cmd.Context(), c)
	if err != nil {
		return err
	}
	defer db.Close()
	log, vkey, err := openAudit(cmd.Context(), c, db, nil)
	if err != nil {
		return err
	}
	return fn(c, db, log, vkey)
}

// withAuditChanges is withAudit for commands that change state: once fn is
// done it relays the audit outbox, so that the records of every change it
// committed are in the log before the command exits (even when fn failed
// after a commit, or a relay of its own failed), and on success it signs a
// checkpoint covering them, so that the change is vouched for even if no
// server runs to do it.
func (a *app) withAuditChanges(cmd *cobra.Command, fn func(c config.Config, db *sqlstore.DB, log *audit.Log, vkey string) error) error {
	return a.withAudit(cmd, func(c config.Config, db *sqlstore.DB, log *audit.Log, vkey string) error {
		err := fn(c, db, log, vkey)
		rctx, cancel := context.WithTimeout(context.WithoutCancel(cmd.Context()), 30*time.Second)
		defer cancel()
		if _, rerr := log.Relay(rctx); rerr != nil {
			err = errors.Join(err, fmt.Errorf("audit outbox relay (the records stay in the outbox; the server relays them): %w", rerr))
		}
		if err != nil {
			return err
		}
		if _, err := log.Checkpoint(cmd.Context()); err != nil && !isEmptyLog(err) {
			return fmt.Errorf("audit checkpoint: %w", err)
		}
		return nil
	})
}

// progress prints a progress line on standard error for long runs, never in
// --json mode's standard output.
func (a *app) progress(what string) func(done, total int64) {
	start := time.Now()
	last := time.Time{}
	return func(done, total int64) {
		if time.Since(last) < 500*time.Millisecond && done != total {
			return
		}
		last = time.Now()
		if total > 0 {
			fmt.Fprintf(a.stderr, "\r%s: %d/%d entries (%.0f%%) %s", what, done, total, 100*float64(done)/float64(total), time.Since(start).Round(time.Second))
		} else {
			fmt.Fprintf(a.stderr, "\r%s: %d entries %s", what, done, time.Since(start).Round(time.Second))
		}
		if done == total {
			fmt.Fprintln(a.stderr)
		}
	}
}

func (a *app) auditExportCommand() *cobra.Command {
	var out string
	var from, to int64
	cmd := &cobra.Command{
		Use:   "export --out FILE",
		Short: "Write entries, checkpoints and public keys to one bundle that verifies offline",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withAudit(cmd, func(c config.Config, db *sqlstore.DB, log *audit.Log, _ string) error {
				// Sign a checkpoint first so the bundle's tail is covered.
				if _, err := log.Checkpoint(cmd.Context()); err != nil && !isEmptyLog(err) {
					return err
				}
				n, err := writeFileAtomic(out, func(w io.Writer) error {
					return log.ExportRange(cmd.Context(), w, from, to, a.progress("exporting"))
				})
				if err != nil {
					return err
				}
				size, _ := log.Size(cmd.Context())
				if a.jsonOut {
					return a.printJSON(map[string]any{"file": out, "bytes": n, "size": size, "origin": log.Origin()})
				}
				fmt.Fprintf(a.stdout, "Exported the audit log (%d entries, origin %s) to %s (%d bytes).\nVerify it anywhere with: warden audit verify %s --key '<public key>'\n",
					size, log.Origin(), out, n, filepath.Base(out))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "bundle file to write (required)")
	cmd.Flags().Int64Var(&from, "from", -1, "first index (default: the first entry kept)")
	cmd.Flags().Int64Var(&to, "to", -1, "one past the last index (default: the current size)")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

// isEmptyLog reports the one checkpoint error that is no error: an empty log.
func isEmptyLog(err error) bool { return warden.ErrorCode(err) == warden.ENOTFOUND }

// writeFileAtomic writes to a temporary file beside path and renames it into
// place, so that a failed export never leaves a half bundle behind.
func writeFileAtomic(path string, fn func(io.Writer) error) (int64, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("create %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	cw := &countingWriter{w: tmp}
	if err := fn(cw); err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	return cw.n, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (a *app) auditVerifyCommand() *cobra.Command {
	var trustedCP string
	var keys []string
	cmd := &cobra.Command{
		Use:   "verify [BUNDLE]",
		Short: "Recompute the Merkle tree and check every signed checkpoint, offline (a bundle) or on the live store",
		Long: `Verify an exported bundle offline, with no database and no trust in Warden:
every entry is hashed again, the RFC 6962 tree rebuilt, and every checkpoint's
signature and root checked. Pass the log's published public key with --key
(otherwise the bundle's own keys are used, which proves consistency only), and
a checkpoint saved earlier with --trusted-checkpoint to detect forks and
truncation. Without BUNDLE, the live store (--data-dir/--store) is verified
with the configured keys. Exit status 1 on any failure; the message names the
first bad index.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := audit.VerifyOptions{TrustedKeys: keys}
			if trustedCP != "" {
				b, err := os.ReadFile(trustedCP)
				if err != nil {
					return &exitError{code: 2, err: fmt.Errorf("trusted checkpoint: %w", err)}
				}
				opts.TrustedCheckpoint = b
			}
			var last int64
			opts.Progress = func(n int64) {
				last = n
				fmt.Fprintf(a.stderr, "\rverifying: %d entries", n)
			}
			var rep *audit.Report
			var verr error
			if len(args) == 1 {
				f, err := os.Open(args[0])
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				defer f.Close()
				rep, verr = audit.Verify(bufio.NewReaderSize(f, 1<<20), opts)
			} else {
				err := a.withAudit(cmd, func(c config.Config, db *sqlstore.DB, log *audit.Log, vkey string) error {
					if len(opts.TrustedKeys) == 0 {
						opts.TrustedKeys = append([]string{vkey}, c.Audit.TrustedKeys...)
					}
					rep, verr = log.VerifyStore(cmd.Context(), opts)
					return nil
				})
				if err != nil {
					return err
				}
			}
			if last > 0 {
				fmt.Fprintln(a.stderr)
			}
			return a.printReport(rep, verr)
		},
	}
	cmd.Flags().StringVar(&trustedCP, "trusted-checkpoint", "", "a signed checkpoint saved earlier (from warden audit checkpoint)")
	cmd.Flags().StringArrayVar(&keys, "key", nil, "trusted public key (note format); repeat for rotated keys")
	return cmd
}

func (a *app) printReport(rep *audit.Report, verr error) error {
	if rep == nil {
		return verr
	}
	if a.jsonOut {
		if err := a.printJSON(rep); err != nil {
			return err
		}
		if verr != nil {
			return &exitError{code: 1, err: verr}
		}
		return nil
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(a.stderr, "warning: %s\n", w)
	}
	if verr != nil {
		return &exitError{code: 1, err: verr}
	}
	fmt.Fprintf(a.stdout, "OK: %d entries from index %d verified; %d signed checkpoints check out; verified tree size %d, root %s (origin %s).\n",
		rep.Entries, rep.FirstIndex, rep.Checkpoints, rep.VerifiedSize, rep.VerifiedRoot, rep.Origin)
	return nil
}

func (a *app) auditCheckpointCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "checkpoint [--out FILE]",
		Short: "Sign (if the log grew) and print the newest checkpoint; keep it to verify later bundles against",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withAudit(cmd, func(c config.Config, db *sqlstore.DB, log *audit.Log, vkey string) error {
				cp, err := log.Checkpoint(cmd.Context())
				if err != nil {
					return err
				}
				if out != "" {
					if _, err := writeFileAtomic(out, func(w io.Writer) error { _, err := w.Write(cp.Note); return err }); err != nil {
						return err
					}
				}
				if a.jsonOut {
					return a.printJSON(map[string]any{"size": cp.Size, "time": cp.Time, "note": string(cp.Note), "public_key": vkey})
				}
				fmt.Fprintf(a.stdout, "%s\npublic key: %s\n", cp.Note, vkey)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "also write the signed checkpoint to this file")
	return cmd
}
