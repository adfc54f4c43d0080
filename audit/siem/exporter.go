// Package siem streams the audit log to a SIEM: as JSON lines or CEF, to a
// file, standard output or a syslog collector (RFC 5424 over TCP, optionally
// TLS). Delivery is at least once and in index order: a named cursor kept in
// the store records how far an export has delivered, and it advances only
// after the sink has accepted a batch. The formats and the guarantee are
// described in docs/siem.md.
package siem

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/wardenhq/warden/audit"
)

// DefaultName is the cursor name of an export that was not given one.
const DefaultName = "default"

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidName reports whether name can name an export (and its cursor):
// 1-64 letters, digits, '.', '_' and '-', starting with a letter or digit.
func ValidName(name string) bool { return nameRE.MatchString(name) }

// Config configures an Exporter.
type Config struct {
	// Name keys the persisted cursor; DefaultName if empty. Exports with
	// different names (one per SIEM) progress independently.
	Name    string
	Store   audit.Store
	Cursors audit.CursorStore
	Sink    Sink
	Encoder Encoder
	// BatchSize bounds the entries handed to the sink at once (500).
	BatchSize int
	// PollInterval is how often Run looks for new entries (2s).
	PollInterval time.Duration
	// MinBackoff and MaxBackoff bound the wait between attempts after a
	// failure; it doubles from one to the other (1s and 1m).
	MinBackoff, MaxBackoff time.Duration
	// MaxAttempts is how many times in a row Once tries one step before it
	// gives up (5); a collector certificate that fails verification stops
	// Once at the first attempt. Run never gives up on a failing sink or
	// store.
	MaxAttempts int
	// Logger receives retries and warnings (slog.Default() if nil). Entry
	// contents are never logged.
	Logger *slog.Logger
}

// Exporter delivers audit entries to a sink, in order, at least once. It is
// used by one goroutine at a time.
type Exporter struct {
	cfg       Config
	log       *slog.Logger
	next      int64 // next index to deliver, as far as this exporter knows
	delivered atomic.Int64
}

// permanentError is a failure that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// New returns an exporter for cfg.
func New(cfg Config) (*Exporter, error) {
	if cfg.Store == nil || cfg.Cursors == nil || cfg.Sink == nil {
		return nil, errors.New("siem: an exporter needs a store, a cursor store and a sink")
	}
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	if !ValidName(cfg.Name) {
		return nil, fmt.Errorf("siem: export name %q: use 1-64 letters, digits, '.', '_' and '-'", cfg.Name)
	}
	if _, err := ParseFormat(string(cfg.Encoder.Format)); err != nil {
		return nil, fmt.Errorf("siem: %w", err)
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 2 * time.Second
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(cfg.MinBackoff, time.Minute)
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	x := &Exporter{cfg: cfg, log: cfg.Logger}
	if x.log == nil {
		x.log = slog.Default()
	}
	x.log = x.log.With("export", cfg.Name)
	return x, nil
}

// Name returns the export's (and its cursor's) name.
func (x *Exporter) Name() string { return x.cfg.Name }

// Delivered returns how many entries this exporter has delivered so far.
func (x *Exporter) Delivered() int64 { return x.delivered.Load() }

// Once delivers every entry currently in the log from the persisted cursor on
// and returns how many it delivered. A failing step is tried MaxAttempts
// times before Once returns the error; what was delivered before stays
// delivered.
func (x *Exporter) Once(ctx context.Context) (int64, error) {
	return x.drain(ctx, x.cfg.MaxAttempts)
}

// Run follows the log: it delivers what is there, then polls for new entries
// every PollInterval, retrying failures for as long as it takes, until ctx
// ends (it then returns nil). It returns an error only for an entry it can
// never deliver (one that does not decode: run warden audit verify).
func (x *Exporter) Run(ctx context.Context) error {
	for {
		_, err := x.drain(ctx, 0)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(x.cfg.PollInterval):
		}
	}
}

// drain delivers up to the current size; attempts 0 retries without limit.
func (x *Exporter) drain(ctx context.Context, attempts int) (int64, error) {
	var total int64
	var next int64
	err := x.retry(ctx, attempts, "read the export cursor", func() error {
		persisted, err := x.cfg.Cursors.AuditCursor(ctx, x.cfg.Name)
		next = max(persisted, x.next)
		return err
	})
	if err != nil {
		return total, err
	}
	for {
		var size, first int64
		err := x.retry(ctx, attempts, "read the audit log size", func() error {
			var err error
			if size, err = x.cfg.Store.AuditSize(ctx); err != nil {
				return err
			}
			first, err = x.cfg.Store.AuditFirstIndex(ctx)
			return err
		})
		if err != nil {
			return total, err
		}
		if next >= size {
			return total, nil
		}
		to := min(next+int64(x.cfg.BatchSize), size)
		if first > next {
			// Retention pruned these entries before they were delivered.
			to = min(first, size)
			x.log.Warn("siem: skipping audit entries pruned before they were exported", "from", next, "to", to)
		} else {
			n, err := x.deliver(ctx, attempts, next, to)
			total += n
			if err != nil {
				return total, err
			}
		}
		x.next = to
		// What the sink accepted is recorded even when ctx ends meanwhile
		// (shutdown), so a restart does not deliver it again; bounded so a
		// dead store cannot hold the shutdown.
		saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err = x.retry(saveCtx, attempts, "save the export cursor", func() error {
			return x.cfg.Cursors.SetAuditCursor(saveCtx, x.cfg.Name, to)
		})
		cancel()
		if err != nil {
			return total, err
		}
		next = to
	}
}

// deliver reads entries in [from, to) and hands them to the sink until it
// accepts them. Entries missing from the range (pruned) are skipped.
func (x *Exporter) deliver(ctx context.Context, attempts int, from, to int64) (int64, error) {
	var stored []audit.StoredEntry
	err := x.retry(ctx, attempts, "read audit entries", func() error {
		var err error
		stored, err = x.cfg.Store.AuditEntries(ctx, from, to)
		return err
	})
	if err != nil {
		return 0, err
	}
	batch := make([]Record, 0, len(stored))
	for _, se := range stored {
		if se.Index < from || se.Index >= to {
			return 0, &permanentError{fmt.Errorf("siem: the store returned entry %d for the range [%d, %d)", se.Index, from, to)}
		}
		r, err := x.cfg.Encoder.Encode(se)
		if err != nil {
			return 0, &permanentError{fmt.Errorf("siem: cannot export audit entry %d (run warden audit verify): %w", se.Index, err)}
		}
		if len(se.Hashes) > 0 && se.Hashes[0] != r.LeafHash {
			x.log.Error("siem: stored leaf hash does not match the entry; exporting the entry as stored (run warden audit verify)", "index", se.Index)
		}
		batch = append(batch, r)
	}
	if len(batch) == 0 {
		return 0, nil
	}
	err = x.retry(ctx, attempts, "deliver audit entries", func() error {
		return x.cfg.Sink.Write(ctx, batch)
	}, "from", batch[0].Index, "to", batch[len(batch)-1].Index+1)
	if err != nil {
		return 0, err
	}
	x.delivered.Add(int64(len(batch)))
	return int64(len(batch)), nil
}

// retry calls fn until it succeeds, ctx ends, it fails permanently or
// attempts (0: no limit) failures in a row, waiting a capped, jittered,
// doubling backoff in between.
func (x *Exporter) retry(ctx context.Context, attempts int, what string, fn func() error, attrs ...any) error {
	wait := x.cfg.MinBackoff
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var perm *permanentError
		if errors.As(err, &perm) {
			return err
		}
		var badCert *tls.CertificateVerificationError
		if attempts > 0 && errors.As(err, &badCert) {
			// Once stops at once: retrying cannot fix a certificate that does
			// not match the configured CA or name. Run keeps trying, as the
			// collector's certificate may be corrected while it runs.
			return fmt.Errorf("siem: %s: %w", what, err)
		}
		if attempts > 0 && attempt >= attempts {
			return fmt.Errorf("siem: %s: giving up after %d attempts: %w", what, attempt, err)
		}
		sleep := wait/2 + rand.N(wait/2+1)
		x.log.Warn("siem: "+what+" failed; retrying", append(attrs, "attempt", attempt, "retry_in", sleep.Round(time.Millisecond).String(), "err", err.Error())...)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(sleep):
		}
		wait = min(wait*2, x.cfg.MaxBackoff)
	}
}
