package httpapi

import (
	"net/http"
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
	return &decisionCounts{m: m, desc: prometheus.NewDesc("warden_decisions_total", "Transaction decisions made by this process, by action.", []string{"action"}, nil)}
}

type decisionCounts struct {
	m    *monitoring.Service
	desc *prometheus.Desc
}

func (d *decisionCounts) Describe(ch chan<- *prometheus.Desc) { ch <- d.desc }
func (d *decisionCounts) Collect(ch chan<- prometheus.Metric) {
	for i, a := range []string{monitoring.ActionAllow, monitoring.ActionReview, monitoring.ActionBlock} {
		ch <- prometheus.MustNewConstMetric(d.desc, prometheus.CounterValue, float64(d.m.Decisions[i].Load()), a)
	}
}
