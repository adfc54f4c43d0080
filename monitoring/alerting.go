package monitoring

import (
	"context"
	"encoding/json"
	"time"

	"github.com/wardenhq/warden/cases"
)

func alertRaise(t *Transaction, dec *Decision, i int, r *compiled) (cases.Raise, error) {
	ev, err := json.Marshal(map[string]any{"transaction_id": t.ID, "time": t.Time, "amount": t.Amount, "currency": t.Currency,
		"direction": t.Direction, "channel": t.Channel, "action": dec.Action, "reason": dec.Reasons[i]})
	if err != nil {
		return cases.Raise{}, err
	}
	sev := r.rule.Severity
	if dec.Reasons[i].Severity != "" {
		sev = dec.Reasons[i].Severity
	}
	return cases.Raise{CustomerID: t.CustomerID, Source: cases.SourceMonitoring, RuleID: r.rule.ID,
		RuleVersion: r.rule.Version, Severity: sev, Window: r.window, At: t.Time, Evidence: ev}, nil
}

// raiseAlerts raises a decision's alerts one by one (an AlertRaiser that
// cannot raise in batches).
func (s *Service) raiseAlerts(ctx context.Context, t *Transaction, dec *Decision, fired []*compiled) error {
	for i, r := range fired {
		raise, err := alertRaise(t, dec, i, r)
		if err != nil {
			return err
		}
		if _, err := s.alerts.Raise(ctx, raise); err != nil {
			return err
		}
	}
	return nil
}

// SweepAlerts raises the alerts of review and block decisions whose raising
// failed or was cut short (a crash between storing and raising), for
// decisions older than a minute. It returns how many it caught up.
func (s *Service) SweepAlerts(ctx context.Context) (int, error) {
	if s.alerts == nil {
		return 0, nil
	}
	n := 0
	for {
		pend, err := s.store.PendingAlerts(ctx, s.now().Add(-time.Minute), 100)
		if err != nil || len(pend) == 0 {
			return n, err
		}
		rs := s.rules.current()
		jobs := make([]alertJob, 0, len(pend))
		for _, st := range pend {
			var fired []*compiled
			for _, reason := range st.Decision.Reasons {
				c := rs.byID[reason.RuleID]
				if c == nil || c.rule.Version != reason.RuleVersion {
					// The rule changed since: alert with the version that decided.
					c = &compiled{rule: StoredRule{Rule: Rule{ID: reason.RuleID, Severity: reason.Severity}, Version: reason.RuleVersion}, window: 24 * time.Hour}
				}
				fired = append(fired, c)
			}
			jobs = append(jobs, alertJob{t: st.Transaction, dec: st.Decision, fired: fired})
		}
		if err := s.raiseBatch(ctx, jobs); err != nil {
			return n, err
		}
		n += len(jobs)
	}
}

type alertJob struct {
	t     Transaction
	dec   Decision
	fired []*compiled
}

// alertGather is how long the alerter gathers alerts into one batch. A
// batch costs three commits (alerts, audit, decisions marked) on the store's
// single writer, which decisions wait for: a tenth of a second later for an
// alert is nothing to an analyst, and it keeps those commits few.
const alertGather = 100 * time.Millisecond

// runAlerter raises queued alerts in batches, one store transaction each,
// and marks their decisions done.
func (s *Service) runAlerter() {
	defer s.alerter.Done()
	batch := make([]alertJob, 0, 1024)
	timer := time.NewTimer(alertGather)
	for first := range s.alertQ.ch {
		batch = append(batch[:0], first)
		timer.Reset(alertGather)
	fill:
		for len(batch) < cap(batch) {
			select {
			case j, ok := <-s.alertQ.ch:
				if !ok {
					break fill
				}
				batch = append(batch, j)
			case <-timer.C:
				break fill
			}
		}
		timer.Stop()
		if err := s.raiseBatch(context.Background(), batch); err != nil {
			s.log.Error("raising alerts failed; the sweeper will retry", "decisions", len(batch), "err", err)
		}
	}
}

// BatchRaiser raises many alerts in one store transaction;
// *cases.Alerts implements it.
type BatchRaiser interface {
	RaiseBatch(ctx context.Context, rs []cases.Raise) ([]*cases.Alert, error)
}

// maxAlertTx is the most decisions whose alerts one store transaction
// raises. A gathered batch can hold hundreds; raised in one transaction
// (with its audit records, then their relay into the log) it would hold
// the single SQLite writer, which every decision's commit waits for, for
// tens of milliseconds. In chunks, decisions' commits run between them.
const maxAlertTx = 32

// raiseBatch raises jobs' alerts, at most maxAlertTx decisions a store
// transaction, and marks their decisions alerted. It stops at the first
// chunk that fails: the sweeper raises what is left.
func (s *Service) raiseBatch(ctx context.Context, jobs []alertJob) error {
	for len(jobs) > 0 {
		n := min(len(jobs), maxAlertTx)
		if err := s.raiseChunk(ctx, jobs[:n]); err != nil {
			return err
		}
		jobs = jobs[n:]
	}
	return nil
}

func (s *Service) raiseChunk(ctx context.Context, jobs []alertJob) error {
	br, ok := s.alerts.(BatchRaiser)
	if !ok {
		for _, j := range jobs {
			if err := s.raiseAlerts(ctx, &j.t, &j.dec, j.fired); err != nil {
				return err
			}
			if err := s.store.MarkAlerted(ctx, []string{j.t.ID}); err != nil {
				return err
			}
		}
		return nil
	}
	var rs []cases.Raise
	ids := make([]string, 0, len(jobs))
	for _, j := range jobs {
		for i, r := range j.fired {
			raise, err := alertRaise(&j.t, &j.dec, i, r)
			if err != nil {
				return err
			}
			rs = append(rs, raise)
		}
		ids = append(ids, j.t.ID)
	}
	// The decisions are marked alerted in the raise's own transaction
	// when the store can (AlertedMarks), in a transaction after it if not.
	mctx, marks := WithAlertedMarks(ctx, ids)
	if _, err := br.RaiseBatch(mctx, rs); err != nil {
		return err
	}
	if marks.WasCommitted() {
		return nil
	}
	return s.store.MarkAlerted(ctx, ids)
}

// WaitAlerts waits until no stored decision is waiting for its alerts
// (tests, and a graceful stop), or ctx ends.
func (s *Service) WaitAlerts(ctx context.Context) error {
	for {
		pend, err := s.store.PendingAlerts(ctx, time.Now().Add(24*time.Hour), 1)
		if err != nil || len(pend) == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}
