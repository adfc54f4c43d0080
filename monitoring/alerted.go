package monitoring

import (
	"context"
	"sync/atomic"
)

// AlertedMarks are decisions whose alerts one store write raises. The
// store marks them alerted in that write's own transaction (sqlstore's
// write path takes them from the context), so that raising a decision's
// alerts and clearing its alert outbox flag commit together: a crash can
// no longer leave alerts raised for a decision still flagged, which the
// sweeper would raise again (counting its hits twice).
type AlertedMarks struct {
	ids       []string
	taken     atomic.Bool
	committed atomic.Bool
}

type alertedKey struct{}

// WithAlertedMarks stages ids on ctx for the next store write made with it.
func WithAlertedMarks(ctx context.Context, ids []string) (context.Context, *AlertedMarks) {
	m := &AlertedMarks{ids: ids}
	return context.WithValue(ctx, alertedKey{}, m), m
}

// TakeAlertedMarks returns the marks staged on ctx, once: nil when none are
// or a write took them already.
func TakeAlertedMarks(ctx context.Context) *AlertedMarks {
	m, _ := ctx.Value(alertedKey{}).(*AlertedMarks)
	if m == nil || !m.taken.CompareAndSwap(false, true) {
		return nil
	}
	return m
}

// IDs are the decisions to mark.
func (m *AlertedMarks) IDs() []string { return m.ids }

// Committed records that the transaction carrying the marks committed.
func (m *AlertedMarks) Committed() {
	if m != nil {
		m.committed.Store(true)
	}
}

// WasCommitted reports whether a committed transaction carried the marks.
func (m *AlertedMarks) WasCommitted() bool { return m.committed.Load() }
