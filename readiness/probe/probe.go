// Package probe holds the readiness scanner's probes: small protocol clients
// (the standard library, plus franz-go's kmsg to encode Kafka requests) that
// connect to a deployment's services and report what they observe (TLS
// versions and certificates, authentication, headers, realm settings,
// manifests, backups). Every probe honours its context's
// deadline on every network operation, so that a dead target ends as an
// error finding, never a hang. Probes import nothing from Warden's transport
// or storage: facts about Warden itself come in through WardenFacts.
package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// Statuses a finding can have (the same words as readiness.Status).
const (
	Pass    = "pass"
	Warn    = "warn"
	Fail    = "fail"
	Error   = "error"
	Skipped = "skipped"
)

// Finding is one check's outcome on the probed target.
type Finding struct {
	Check    string
	Status   string
	Evidence string
}

func finding(check, status, format string, args ...any) Finding {
	return Finding{Check: check, Status: status, Evidence: fmt.Sprintf(format, args...)}
}

// errorAll reports every check as an error with the same reason, for a
// target that could not be reached at all.
func errorAll(err error, checks ...string) []Finding {
	out := make([]Finding, len(checks))
	for i, c := range checks {
		out[i] = Finding{Check: c, Status: Error, Evidence: reason(err)}
	}
	return out
}

// isTimeout reports whether err is a deadline expiring (the connection's
// deadline, which equals the context's, can fire a moment before it).
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// reason turns a network error into a short operator-facing sentence.
func reason(err error) string {
	if isTimeout(err) {
		return "timed out: " + err.Error()
	}
	return err.Error()
}

// dial opens a TCP connection bounded by ctx, with ctx's deadline also set on
// the connection so that reads and writes cannot outlive the probe.
func dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	return conn, nil
}

// hostOf returns the host part of host:port.
func hostOf(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}

// days renders a duration in whole days.
func days(d time.Duration) string {
	n := int(d.Hours() / 24)
	if n == 1 || n == -1 {
		return fmt.Sprintf("%d day", n)
	}
	return fmt.Sprintf("%d days", n)
}

func joinOr(xs []string, none string) string {
	if len(xs) == 0 {
		return none
	}
	return strings.Join(xs, ", ")
}
