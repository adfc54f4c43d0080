package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden/audit/siem"
)

// siemTarget is a parsed --sink.
type siemTarget struct {
	kind string // stdout, file, syslog
	path string // file
	addr string // syslog host:port
	tls  bool
}

// parseSIEMSink parses stdout, file:PATH, syslog+tls://host:port or
// syslog://host:port.
func parseSIEMSink(s string) (siemTarget, error) {
	switch {
	case s == "":
		return siemTarget{}, errors.New("--sink is required: stdout, file:PATH, syslog+tls://HOST:PORT or syslog://HOST:PORT")
	case s == "stdout":
		return siemTarget{kind: "stdout"}, nil
	case strings.HasPrefix(s, "file:"):
		p := strings.TrimPrefix(s, "file:")
		if p == "" {
			return siemTarget{}, errors.New("--sink file:PATH needs a path")
		}
		if st, err := os.Stat(filepath.Dir(p)); err != nil || !st.IsDir() {
			return siemTarget{}, fmt.Errorf("--sink %s: directory %s does not exist", s, filepath.Dir(p))
		}
		if st, err := os.Stat(p); err == nil && !st.Mode().IsRegular() {
			return siemTarget{}, fmt.Errorf("--sink %s: %s is not a regular file", s, p)
		}
		return siemTarget{kind: "file", path: p}, nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "syslog" && u.Scheme != "syslog+tls") {
		return siemTarget{}, fmt.Errorf("--sink %q: want stdout, file:PATH, syslog+tls://HOST:PORT or syslog://HOST:PORT", s)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return siemTarget{}, fmt.Errorf("--sink %q: a syslog sink is only scheme://HOST:PORT", s)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil || host == "" {
		return siemTarget{}, fmt.Errorf("--sink %q: want %s://HOST:PORT", s, u.Scheme)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return siemTarget{}, fmt.Errorf("--sink %q: port %q is not a number from 1 to 65535", s, port)
	}
	return siemTarget{kind: "syslog", addr: u.Host, tls: u.Scheme == "syslog+tls"}, nil
}

// siemTLSConfig builds the client TLS configuration: the CA bundle (or the
// system roots) and the expected server name.
func siemTLSConfig(caFile, serverName string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("--ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca %s: no PEM certificates in the file", caFile)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// siemVersion is the version written in CEF headers.
func siemVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}

func (a *app) auditSIEMCommand() *cobra.Command {
	var sinkSpec, format, name, caFile, serverName, facility string
	var follow bool
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "siem --sink SINK --format json|cef",
		Short: "Stream audit entries to a SIEM: JSON lines or CEF, to a file, stdout or syslog over TLS",
		Long: `Deliver audit entries, in index order and at least once, to a SIEM.

SINK is one of
  stdout                    one line per entry on standard output
  file:PATH                 one line per entry appended to PATH (synced per batch)
  syslog+tls://HOST:PORT    RFC 5424 over TLS (RFC 5425, octet-counted frames)
  syslog://HOST:PORT        the same over plain TCP (unencrypted: avoid)

Each export (--name) keeps a cursor in the store: a run resumes after the
last entry the sink accepted, so entries are never skipped and are repeated
only if a delivery was interrupted. Without --follow the command delivers
what the log holds and exits; with --follow it keeps polling for new entries
every --interval until it is stopped (SIGTERM or Ctrl-C). See docs/siem.md.`,
		Example: `  warden audit siem --sink file:/var/log/warden/audit.cef --format cef
  warden audit siem --sink syslog+tls://siem.example:6514 --ca /etc/warden/siem-ca.pem --format json --follow`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			usage := func(err error) error { return &exitError{code: 2, err: err} }
			target, err := parseSIEMSink(sinkSpec)
			if err != nil {
				return usage(err)
			}
			if format == "" {
				return usage(errors.New("--format is required: json or cef"))
			}
			f, err := siem.ParseFormat(format)
			if err != nil {
				return usage(fmt.Errorf("--format: %w", err))
			}
			if !siem.ValidName(name) {
				return usage(fmt.Errorf("--name %q: use 1-64 letters, digits, '.', '_' and '-', starting with a letter or digit", name))
			}
			flags := cmd.Flags()
			if flags.Changed("interval") && !follow {
				return usage(errors.New("--interval applies only with --follow"))
			}
			if interval <= 0 {
				return usage(fmt.Errorf("--interval %s: must be positive", interval))
			}
			if (caFile != "" || serverName != "") && !(target.kind == "syslog" && target.tls) {
				return usage(errors.New("--ca and --server-name apply only to a syslog+tls:// sink"))
			}
			if flags.Changed("facility") && target.kind != "syslog" {
				return usage(errors.New("--facility applies only to a syslog sink"))
			}
			fac, err := siem.ParseFacility(facility)
			if err != nil {
				return usage(fmt.Errorf("--facility: %w", err))
			}
			var tlsConfig *tls.Config
			if target.tls {
				if tlsConfig, err = siemTLSConfig(caFile, serverName); err != nil {
					return usage(err)
				}
			}

			c, err := a.loadConfig(cmd)
			if err != nil {
				return err
			}
			var sink siem.Sink
			summary := a.stdout
			switch target.kind {
			case "stdout":
				sink = siem.NewWriterSink(a.stdout)
				summary = a.stderr // standard output carries the entries
			case "file":
				fs, err := siem.NewFileSink(target.path)
				if err != nil {
					return usage(err)
				}
				sink = fs
			case "syslog":
				if !target.tls {
					fmt.Fprintf(a.stderr, "warning: %s sends audit entries unencrypted over plain TCP; use syslog+tls://\n", sinkSpec)
				}
				sink, err = siem.NewSyslogSink(siem.SyslogConfig{Addr: target.addr, TLS: tlsConfig, Facility: fac})
				if err != nil {
					return usage(err)
				}
			}
			defer sink.Close()

			db, err := a.openStore(cmd.Context(), c)
			if err != nil {
				return err
			}
			defer db.Close()
			x, err := siem.New(siem.Config{Name: name, Store: db, Cursors: db, Sink: sink,
				Encoder: siem.Encoder{Format: f, Version: siemVersion()}, PollInterval: interval, Logger: newLogger(a.stderr, c.LogLevel)})
			if err != nil {
				return usage(err)
			}
			ctx := cmd.Context()
			var n int64
			if follow {
				fmt.Fprintf(a.stderr, "Following the audit log: delivering new entries to %s as %s (export %q); stop with SIGTERM or Ctrl-C.\n", sinkSpec, f, name)
				err = x.Run(ctx)
				n = x.Delivered()
			} else {
				n, err = x.Once(ctx)
			}
			if err != nil {
				return fmt.Errorf("audit siem: delivered %d entries, then: %w", n, err)
			}
			next, err := db.AuditCursor(context.WithoutCancel(ctx), name)
			if err != nil {
				return err
			}
			return a.printSIEMSummary(summary, n, name, sinkSpec, f, next)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&sinkSpec, "sink", "", "where to deliver: stdout, file:PATH, syslog+tls://HOST:PORT or syslog://HOST:PORT (required)")
	fl.StringVar(&format, "format", "", "entry format: json or cef (required)")
	fl.StringVar(&name, "name", siem.DefaultName, "export name, which keys the persisted cursor; use one per SIEM")
	fl.BoolVar(&follow, "follow", false, "keep running and deliver new entries as they are appended")
	fl.DurationVar(&interval, "interval", 2*time.Second, "with --follow, how often to look for new entries")
	fl.StringVar(&caFile, "ca", "", "PEM bundle of CAs to trust for syslog+tls (default: the system roots)")
	fl.StringVar(&serverName, "server-name", "", "name expected in the collector's certificate (default: the sink's host)")
	fl.StringVar(&facility, "facility", "audit", "syslog facility: audit (13), authpriv, local0 ... local7, or a code 1-23")
	return cmd
}

func (a *app) printSIEMSummary(w io.Writer, n int64, name, sink string, f siem.Format, next int64) error {
	if a.jsonOut {
		return siemPrintJSON(w, map[string]any{"delivered": n, "export": name, "sink": sink, "format": string(f), "next_index": next})
	}
	fmt.Fprintf(w, "Delivered %d audit %s to %s as %s (export %q; next index %d).\n", n, siemPlural(n, "entry", "entries"), sink, f, name, next)
	return nil
}

// siemPrintJSON writes v as indented JSON to w.
func siemPrintJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func siemPlural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
