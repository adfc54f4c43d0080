package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/monitoring"
)

var (
	transactionSubmitters = []warden.Role{warden.RoleService}
	transactionReaders    = []warden.Role{warden.RoleService, warden.RoleAnalyst, warden.RoleAdmin, warden.RoleAuditor}
	ruleReaders           = []warden.Role{warden.RoleAnalyst, warden.RoleAdmin, warden.RoleAuditor}
	ruleWriters           = []warden.Role{warden.RoleAdmin}
	backtesters           = []warden.Role{warden.RoleAnalyst, warden.RoleAdmin}
)

// handleDecide decides on a transaction in the request: 200 with the
// decision (replayed: true for a resubmission).
func (s *Server) handleDecide(w http.ResponseWriter, r *http.Request) error {
	var t monitoring.Transaction
	if err := decodeJSON(r, &t); err != nil {
		return err
	}
	d, err := s.monitoring.Decide(r.Context(), t)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) handleGetTransaction(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	st, err := s.monitoring.Transaction(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) handleListRules(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": s.rules.List()})
	return nil
}

func (s *Server) handleRuleVersions(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	vs, err := s.rules.Versions(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"versions": vs})
	return nil
}

// handlePutRule stores a new version of a rule (201), or nothing when it is
// the same as the latest (200); an expression that does not compile is a 400
// carrying the CEL compiler's message.
func (s *Server) handlePutRule(w http.ResponseWriter, r *http.Request) error {
	var rule monitoring.Rule
	if err := decodeJSON(r, &rule); err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := monitoring.ValidRuleID(id); err != nil {
		return err
	}
	if rule.ID != "" && rule.ID != id {
		return warden.FieldErrorf(warden.EINVALID, "id", "the body's id %q differs from the path's %q", rule.ID, id)
	}
	rule.ID = id
	sr, created, err := s.rules.Put(r.Context(), rule, "api")
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, sr)
	return nil
}

type backtestBody struct {
	Rule  *monitoring.Rule `json:"rule"`
	From  time.Time        `json:"from"`
	To    time.Time        `json:"to"`
	Limit int              `json:"limit"`
}

// handleBacktest runs a draft (or the rule in force) over stored history.
func (s *Server) handleBacktest(w http.ResponseWriter, r *http.Request) error {
	var b backtestBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := monitoring.ValidRuleID(id); err != nil {
		return err
	}
	var rule monitoring.Rule
	if b.Rule != nil {
		rule = *b.Rule
		if rule.ID != "" && rule.ID != id {
			return warden.FieldErrorf(warden.EINVALID, "rule.id", "the draft's id %q differs from the path's %q", rule.ID, id)
		}
		rule.ID = id
	} else {
		vs, err := s.rules.Versions(r.Context(), id)
		if err != nil {
			return err
		}
		rule = vs[len(vs)-1].Rule
	}
	res, err := s.monitoring.Backtest(r.Context(), monitoring.BacktestRequest{Rule: rule, From: b.From, To: b.To, Limit: b.Limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// decisionCollector exports this process's decision counts.
func decisionCollector(m *monitoring.Service) prometheus.Collector {
	return &decisionCounts{m: m, desc: prometheus.NewDesc("warden_decisions_total", "Transaction decisions made by this process, by action.", []string{"action"}, nil),
		batched: prometheus.NewDesc("warden_decisions_batched_total", "Decisions this process made together with others in one store transaction (replicas sharing PostgreSQL).", nil, nil)}
}

type decisionCounts struct {
	m       *monitoring.Service
	desc    *prometheus.Desc
	batched *prometheus.Desc
}

func (d *decisionCounts) Describe(ch chan<- *prometheus.Desc) { ch <- d.desc; ch <- d.batched }
func (d *decisionCounts) Collect(ch chan<- prometheus.Metric) {
	for i, a := range []string{monitoring.ActionAllow, monitoring.ActionReview, monitoring.ActionBlock} {
		ch <- prometheus.MustNewConstMetric(d.desc, prometheus.CounterValue, float64(d.m.Decisions[i].Load()), a)
	}
	ch <- prometheus.MustNewConstMetric(d.batched, prometheus.CounterValue, float64(d.m.Batched.Load()))
}

// MaxBatch bounds one batch of transactions.
const MaxBatch = 500

type batchRequest struct {
	Transactions []json.RawMessage `json:"transactions"`
}

// batchResult is one transaction's outcome: a decision or an error.
type batchResult struct {
	Decision *monitoring.Decision `json:"decision,omitempty"`
	Error    *warden.Error        `json:"error,omitempty"`
}

// handleDecideBatch decides on up to MaxBatch transactions in one request,
// concurrently (so one group commit covers many), answering one result per
// transaction in order. Each is validated and idempotent on its own: a bad
// one is an error result and does not stop the others; resubmitting the
// batch replays the decided ones.
func (s *Server) handleDecideBatch(w http.ResponseWriter, r *http.Request) error {
	var req batchRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if len(req.Transactions) == 0 || len(req.Transactions) > MaxBatch {
		return warden.FieldErrorf(warden.EINVALID, "transactions", "transactions must hold 1 to %d transactions", MaxBatch)
	}
	results := make([]batchResult, len(req.Transactions))
	fail := func(i int, err error) {
		var we *warden.Error
		if !errors.As(err, &we) {
			s.log.ErrorContext(r.Context(), "internal error in a batch", "index", i, "err", err.Error(), "request_id", warden.RequestIDFromContext(r.Context()))
			we = &warden.Error{Code: warden.EINTERNAL, Message: "internal error"}
		}
		e := *we
		if e.Field != "" {
			e.Field = fmt.Sprintf("transactions[%d].%s", i, e.Field)
		} else {
			e.Field = fmt.Sprintf("transactions[%d]", i)
		}
		results[i].Error = &e
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i, raw := range req.Transactions {
		var t monitoring.Transaction
		if err := decodeBytes(raw, &t); err != nil {
			fail(i, err)
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			d, err := s.monitoring.Decide(r.Context(), t)
			if err != nil {
				fail(i, err)
				return
			}
			results[i].Decision = d
		}()
	}
	wg.Wait()
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
	return nil
}
