package monitoring

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/cel-go/common/types"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
)

// AlertRaiser raises alerts; *cases.Alerts implements it.
type AlertRaiser interface {
	Raise(ctx context.Context, r cases.Raise) (*cases.Alert, error)
}

// Service decides on transactions.
type Service struct {
	store     TransactionStore
	customers CustomerSource
	cps       CounterpartyScreener
	alerts    AlertRaiser
	windows   *Windows
	compiler  *Compiler
	rules     *RuleBook
	loc       *time.Location
	history   time.Duration
	shared    bool
	now       func() time.Time
	log       *slog.Logger
	writer    *batchWriter

	pending [64]pendingShard

	// Local mode only: the ids in the store, and the queue of decisions
	// whose alerts are raised in batches.
	ids     *idFilter
	alertQ  chan alertJob
	alerter sync.WaitGroup
	stop    context.CancelFunc

	// Decisions counts decisions by action, for metrics.
	Decisions [3]atomic.Int64
}

// pendingShard holds the submissions in flight for some ids.
type pendingShard struct {
	mu sync.Mutex
	m  map[string]*inflight
}

func (s *Service) pendingFor(id string) *pendingShard {
	return &s.pending[hash64(id)%uint64(len(s.pending))]
}

type inflight struct {
	hash string
	done chan struct{}
	dec  *Decision
	err  error
}

// Config builds a Service.
type Config struct {
	Store     TransactionStore
	Customers CustomerSource
	// Counterparties screens counterparty names; nil screens nothing.
	Counterparties CounterpartyScreener
	Alerts         AlertRaiser
	Rules          *RuleBook
	// Location is the business timezone (today, this_month).
	Location *time.Location
	// History is the longest window rules may use; WindowKeys bounds the
	// windows kept in memory.
	History    time.Duration
	WindowKeys int
	// Shared is set when replicas share the store (PostgreSQL): each
	// decision then takes the store locks of its keys and catches up on
	// what other replicas stored. Unset (SQLite, one process) decisions
	// are grouped into one commit.
	Shared bool
	Now    func() time.Time
	Logger *slog.Logger
}

// NewService starts a Service; Close stops its writer.
func NewService(c Config) (*Service, error) {
	if c.Store == nil || c.Customers == nil || c.Rules == nil {
		return nil, errors.New("monitoring: Store, Customers and Rules are required")
	}
	s := &Service{store: c.Store, customers: c.Customers, cps: c.Counterparties, alerts: c.Alerts, rules: c.Rules,
		compiler: c.Rules.compiler, loc: c.Location, history: c.History, shared: c.Shared, now: c.Now, log: c.Logger,
	}
	for i := range s.pending {
		s.pending[i].m = map[string]*inflight{}
	}
	if s.loc == nil {
		s.loc = time.UTC
	}
	if s.history <= 0 {
		s.history = 35 * 24 * time.Hour
	}
	if c.WindowKeys <= 0 {
		c.WindowKeys = 500000
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.windows = NewWindows(s.history, c.WindowKeys)
	if !s.shared {
		s.writer = newBatchWriter(c.Store, 4096)
		ctx, stop := context.WithCancel(context.Background())
		s.stop = stop
		if l, ok := c.Store.(IDLister); ok {
			s.ids = newIDFilter()
			go func() {
				if err := s.ids.load(ctx, l); err != nil && ctx.Err() == nil {
					s.log.Error("loading transaction ids failed; every submission is checked against the store", "err", err)
				}
			}()
		}
		if s.alerts != nil {
			s.alertQ = make(chan alertJob, 10000)
			s.alerter.Add(1)
			go s.runAlerter()
		}
	}
	return s, nil
}

// Close waits for queued writes and alerts and stops the workers.
func (s *Service) Close() {
	if s.writer != nil {
		s.writer.close()
	}
	if s.alertQ != nil {
		close(s.alertQ)
		s.alerter.Wait()
	}
	if s.stop != nil {
		s.stop()
	}
}

// Windows exposes the in-memory windows (metrics, tests).
func (s *Service) Windows() *Windows { return s.windows }

// payloadHash identifies a transaction's content; it returns the JSON it
// hashed too, which the stored record reuses.
func payloadHash(t *Transaction) (string, []byte) {
	b, _ := json.Marshal(t)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16]), b
}

func replay(d *Decision, storedHash, hash string) (*Decision, error) {
	if storedHash != hash {
		return nil, warden.FieldErrorf(warden.ECONFLICT, "id", "transaction %s was submitted before with different content", d.TransactionID)
	}
	out := *d
	out.Replayed = true
	return &out, nil
}

// Decide validates a transaction, decides on it with the rules in force,
// stores it with its decision and raises alerts for review and block.
// Idempotent on the transaction id: a resubmission returns the first
// decision (Replayed) and counts nothing twice.
func (s *Service) Decide(ctx context.Context, t Transaction) (*Decision, error) {
	t.Time = t.Time.UTC().Truncate(time.Microsecond)
	if err := t.Validate(s.now()); err != nil {
		return nil, err
	}
	hash, txJSON := payloadHash(&t)
	// A submission of the same id already in flight: wait for its outcome.
	ps := s.pendingFor(t.ID)
	ps.mu.Lock()
	if in := ps.m[t.ID]; in != nil {
		ps.mu.Unlock()
		select {
		case <-in.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if in.err != nil {
			return nil, in.err
		}
		return replay(in.dec, in.hash, hash)
	}
	in := &inflight{hash: hash, done: make(chan struct{})}
	ps.m[t.ID] = in
	ps.mu.Unlock()
	defer func() {
		ps.mu.Lock()
		delete(ps.m, t.ID)
		ps.mu.Unlock()
		close(in.done)
	}()

	// The filter proves most ids new without a store read.
	if s.ids == nil || !s.ids.ready.Load() || s.ids.mayContain(t.ID) {
		if d, h, err := s.store.StoredDecision(ctx, t.ID); err == nil {
			in.dec, in.hash = d, h
			return replay(d, h, hash)
		} else if warden.ErrorCode(err) != warden.ENOTFOUND {
			in.err = err
			return nil, err
		}
	}
	d, err := s.decide(ctx, &t, hash, txJSON)
	in.dec, in.err = d, err
	return d, err
}

func (s *Service) decide(ctx context.Context, t *Transaction, hash string, txJSON []byte) (*Decision, error) {
	prof, err := s.customers.Profile(ctx, t.CustomerID)
	if err != nil {
		return nil, fmt.Errorf("customer %s: %w", t.CustomerID, err)
	}
	var cps *CounterpartyScreening
	if s.cps != nil && t.Counterparty.Name != "" {
		if cps, err = s.cps.ScreenCounterparty(ctx, t.Counterparty); err != nil {
			return nil, fmt.Errorf("screen counterparty: %w", err)
		}
	}
	rs := s.rules.current()
	keys := keysOf(t)
	unlock := s.windows.lockKeys(keys)
	locked := true
	defer func() {
		if locked {
			unlock()
		}
	}()
	var dec *Decision
	var fired []*compiled
	rec := RecordOf(t)
	d := &Decided{Transaction: *t, PayloadHash: hash}
	if s.shared {
		var replayed *Decision
		err = s.store.Locked(ctx, keys, func(tx LockedTx) error {
			if sd, h, err := tx.StoredDecision(ctx, t.ID); err == nil {
				replayed, err = replay(sd, h, hash)
				return err
			} else if warden.ErrorCode(err) != warden.ENOTFOUND {
				return err
			}
			ws, err := s.catchUp(ctx, tx, keys, t)
			if err != nil {
				return err
			}
			dec, fired = s.evaluate(rs, t, prof, cps, ws)
			d.Decision, d.NeedsAlert = *dec, dec.Action != ActionAllow && s.alerts != nil
			seqs, err := tx.SaveDecided(ctx, []*Decided{d})
			if err != nil {
				return err
			}
			rec.Seq = seqs[0]
			return nil
		})
		if err != nil || replayed != nil {
			return replayed, err
		}
		if dec.Action != ActionBlock {
			for _, k := range keys {
				s.windows.add(s.windows.get(k), rec)
			}
		}
	} else {
		ws, err := s.load(ctx, keys, t)
		if err != nil {
			return nil, err
		}
		dec, fired = s.evaluate(rs, t, prof, cps, ws)
		d.Decision, d.NeedsAlert = *dec, dec.Action != ActionAllow && s.alerts != nil
		// Count it now, under the key locks, so that the next transaction
		// of the same customer sees it; undo by reloading if the write fails.
		for _, w := range ws {
			w.pending.Add(1)
		}
		d.RecordJSON = encodeRecordWith(txJSON, &d.Decision)
		// A blocked transaction did not happen: it counts in no window.
		if dec.Action != ActionBlock {
			for _, w := range ws {
				s.windows.add(w, rec)
			}
		}
		// Release the keys before waiting for the commit, so that the
		// group commit can gather this customer's next transactions too.
		unlock()
		locked = false
		_, err = s.writer.save(ctx, d)
		if err == nil && s.ids != nil {
			s.ids.add(t.ID)
		}
		for _, w := range ws {
			w.pending.Add(-1)
		}
		if err != nil {
			for _, k := range keys {
				s.windows.drop(k)
			}
			return nil, err
		}
	}
	s.Decisions[actionRank(dec.Action)].Add(1)
	if d.NeedsAlert && s.alertQ != nil {
		// Raised in batches by the alerter; a full queue leaves it to the
		// sweeper (the decision is stored as needing alerts).
		select {
		case s.alertQ <- alertJob{t: *t, dec: *dec, fired: fired}:
		default:
		}
	} else if d.NeedsAlert {
		ids, err := s.raiseAlerts(ctx, t, dec, fired)
		if err != nil {
			// The decision stands; the alert outbox retries (SweepAlerts).
			s.log.Error("raising alerts failed; the sweeper will retry", "transaction", t.ID, "err", err)
		} else {
			dec.AlertIDs = ids
			if err := s.store.MarkAlerted(ctx, []string{t.ID}); err != nil {
				s.log.Error("marking alerts raised failed", "transaction", t.ID, "err", err)
			}
		}
	}
	return dec, nil
}

// load returns the windows of keys, loading missing ones from the store.
func (s *Service) load(ctx context.Context, keys []Key, t *Transaction) ([]*window, error) {
	ws := make([]*window, len(keys))
	for i, k := range keys {
		w := s.windows.get(k)
		if w == nil {
			from := t.Time.Add(-s.history)
			recs, lastAt, maxSeq, err := s.store.WindowHistory(ctx, k, from, 0)
			if err != nil {
				return nil, fmt.Errorf("load window %s: %w", k, err)
			}
			w = &window{key: k}
			for _, r := range recs {
				s.windows.add(w, r)
			}
			if !lastAt.IsZero() && lastAt.UnixMicro() > w.lastAt {
				w.lastAt = lastAt.UnixMicro()
			}
			w.seq = maxSeq
			w = s.windows.put(w)
		}
		ws[i] = w
	}
	return ws, nil
}

// catchUp brings the windows of keys up to date with what other replicas
// stored, inside the locked store transaction.
func (s *Service) catchUp(ctx context.Context, tx LockedTx, keys []Key, t *Transaction) ([]*window, error) {
	ws := make([]*window, len(keys))
	for i, k := range keys {
		w := s.windows.get(k)
		after := int64(0)
		if w != nil {
			after = w.seq
		}
		recs, lastAt, maxSeq, err := tx.WindowHistory(ctx, k, t.Time.Add(-s.history), after)
		if err != nil {
			return nil, fmt.Errorf("catch up window %s: %w", k, err)
		}
		if w == nil {
			w = s.windows.put(&window{key: k})
		}
		for _, r := range recs {
			s.windows.add(w, r)
		}
		if !lastAt.IsZero() && lastAt.UnixMicro() > w.lastAt {
			w.lastAt = lastAt.UnixMicro()
		}
		if maxSeq > w.seq {
			w.seq = maxSeq
		}
		ws[i] = w
	}
	return ws, nil
}

// txValue is the transaction as rules see it.
func txValue(t *Transaction, cps *CounterpartyScreening) map[string]any {
	cp := map[string]any{"name": t.Counterparty.Name, "account": t.Counterparty.Account, "institution": t.Counterparty.Institution,
		"country": t.Counterparty.Country, "key": t.CounterpartyKey()}
	scr := map[string]any{"hit": false, "score": 0.0, "list": "", "entry_id": ""}
	if cps != nil && cps.Hit {
		scr = map[string]any{"hit": true, "score": cps.Score, "list": cps.List, "entry_id": cps.EntryID}
	}
	cp["screening"] = scr
	meta := t.Metadata
	if meta == nil {
		meta = map[string]string{}
	}
	m := map[string]any{"id": t.ID, "time": t.Time, "customer_id": t.CustomerID, "account_id": t.AccountID, "counterparty": cp,
		"amount": t.Amount, "currency": t.Currency, "direction": t.Direction, "channel": t.Channel, "branch": t.Branch,
		"agent": t.Agent, "metadata": meta}
	if t.BalanceAfter != nil {
		m["balance_after"] = *t.BalanceAfter
	}
	return m
}

// periodStarts gives the start of the business day and month of t in loc,
// as UTC instants.
func periodStarts(t time.Time, loc *time.Location) (day, month time.Time) {
	l := t.In(loc)
	day = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc).UTC()
	month = time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc).UTC()
	return day, month
}

// evaluate runs every enabled rule; the decision takes the strongest action
// of the rules that fired and the sum of their scores (at most 100).
func (s *Service) evaluate(rs *ruleSet, t *Transaction, prof *CustomerProfile, cps *CounterpartyScreening, ws []*window) (*Decision, []*compiled) {
	act := &activation{tx: txMap(t, cps), customer: customerMap(prof, t.Currency)}
	empty := s.windows.view(nil, t)
	act.byCust, act.byAcct, act.byCp, act.byAgnt = windowVal{empty}, windowVal{empty}, windowVal{empty}, windowVal{empty}
	for _, w := range ws {
		v := windowVal{s.windows.view(w, t)}
		switch w.key.Kind {
		case KindCustomer:
			act.byCust = v
		case KindAccount:
			act.byAcct = v
		case KindCounterparty:
			act.byCp = v
		case KindAgent:
			act.byAgnt = v
		}
	}
	day, month := periodStarts(t.Time, s.loc)
	act.today, act.month = types.Timestamp{Time: day}, types.Timestamp{Time: month}
	dec := &Decision{TransactionID: t.ID, Action: ActionAllow, Reasons: []Reason{}, DecidedAt: s.now().UTC().Truncate(time.Microsecond)}
	var fired []*compiled
	for _, r := range rs.rules {
		act.params = r.params
		out, _, err := r.prog.Eval(act)
		if err != nil {
			// A rule that cannot evaluate (a missing field, the cost limit)
			// must not decide silently: it sends the transaction to review.
			dec.Reasons = append(dec.Reasons, Reason{RuleID: r.rule.ID, RuleVersion: r.rule.Version, Description: r.rule.Description,
				Action: ActionReview, Severity: "medium", Evidence: map[string]any{"evaluation_error": err.Error()}})
			if actionRank(ActionReview) > actionRank(dec.Action) {
				dec.Action = ActionReview
			}
			fired = append(fired, r)
			continue
		}
		if b, ok := out.Value().(bool); !ok || !b {
			continue
		}
		reason := Reason{RuleID: r.rule.ID, RuleVersion: r.rule.Version, Description: r.rule.Description, Action: r.rule.Action,
			Score: r.rule.Score, Severity: r.rule.Severity}
		if len(r.evidence) > 0 {
			reason.Evidence = map[string]any{}
			names := make([]string, 0, len(r.evidence))
			for k := range r.evidence {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, k := range names {
				v, _, err := r.evidence[k].Eval(act)
				if err != nil {
					reason.Evidence[k] = "error: " + err.Error()
					continue
				}
				reason.Evidence[k] = evidenceValue(v.Value())
			}
		}
		dec.Reasons = append(dec.Reasons, reason)
		dec.Score += r.rule.Score
		if actionRank(r.rule.Action) > actionRank(dec.Action) {
			dec.Action = r.rule.Action
		}
		fired = append(fired, r)
	}
	dec.Score = min(dec.Score, 100)
	return dec, fired
}

// evidenceValue turns a CEL result into plain JSON.
func evidenceValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case time.Duration:
		return x.String()
	case int64, uint64, float64, bool, string, nil:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return json.RawMessage(b)
}

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

func (s *Service) raiseAlerts(ctx context.Context, t *Transaction, dec *Decision, fired []*compiled) ([]string, error) {
	var ids []string
	for i, r := range fired {
		raise, err := alertRaise(t, dec, i, r)
		if err != nil {
			return nil, err
		}
		a, err := s.alerts.Raise(ctx, raise)
		if err != nil {
			return ids, err
		}
		ids = append(ids, a.ID)
	}
	return ids, nil
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
		var done []string
		rs := s.rules.current()
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
			if _, err := s.raiseAlerts(ctx, &st.Transaction, &st.Decision, fired); err != nil {
				return n, err
			}
			done = append(done, st.Transaction.ID)
		}
		if err := s.store.MarkAlerted(ctx, done); err != nil {
			return n, err
		}
		n += len(done)
	}
}

// Transaction returns a stored transaction with its decision.
func (s *Service) Transaction(ctx context.Context, id string) (*StoredTransaction, error) {
	if !txIDPattern.MatchString(id) {
		return nil, warden.FieldErrorf(warden.EINVALID, "id", "transaction ids are 1 to 128 letters, digits, '.', '_', ':' or '-'")
	}
	return s.store.Transaction(ctx, id)
}

type alertJob struct {
	t     Transaction
	dec   Decision
	fired []*compiled
}

// runAlerter raises queued alerts in batches, one store transaction each,
// and marks their decisions done.
func (s *Service) runAlerter() {
	defer s.alerter.Done()
	batch := make([]alertJob, 0, 256)
	for first := range s.alertQ {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < cap(batch) {
			select {
			case j, ok := <-s.alertQ:
				if !ok {
					break fill
				}
				batch = append(batch, j)
			default:
				break fill
			}
		}
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

func (s *Service) raiseBatch(ctx context.Context, jobs []alertJob) error {
	br, ok := s.alerts.(BatchRaiser)
	if !ok {
		for _, j := range jobs {
			if _, err := s.raiseAlerts(ctx, &j.t, &j.dec, j.fired); err != nil {
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
	if _, err := br.RaiseBatch(ctx, rs); err != nil {
		return err
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
