package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
)

// alertReaders work or examine the alert queue.
var alertReaders = []warden.Role{warden.RoleAnalyst, warden.RoleAdmin, warden.RoleAuditor}

func queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, warden.FieldErrorf(warden.EINVALID, name, "%s must be an RFC 3339 time such as 2026-01-02T15:04:05Z", name)
	}
	return t.UTC(), nil
}

func (s *Server) handleListAlerts(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r, "customer", "status", "source", "rule", "severity", "since", "until", "after", "limit"); err != nil {
		return err
	}
	q := r.URL.Query()
	f := cases.Filter{CustomerID: q.Get("customer"), Status: q.Get("status"), Source: q.Get("source"), RuleID: q.Get("rule"), Severity: q.Get("severity"), After: q.Get("after")}
	var err error
	if f.Since, err = queryTime(r, "since"); err != nil {
		return err
	}
	if f.Until, err = queryTime(r, "until"); err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	if limit < 1 || limit > 1000 {
		return warden.FieldErrorf(warden.EINVALID, "limit", "limit must be between 1 and 1000")
	}
	f.Limit = int(limit)
	as, err := s.alerts.List(r.Context(), f)
	if err != nil {
		return err
	}
	body := map[string]any{"alerts": as}
	if len(as) == f.Limit {
		body["next_after"] = as[len(as)-1].ID
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) handleGetAlert(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	a, err := s.alerts.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// alertCollector reports alert counts from the store at each scrape, so that
// every replica exports the same, shared figures.
type alertCollector struct {
	store cases.AlertStore
	desc  *prometheus.Desc
}

func newAlertCollector(st cases.AlertStore) *alertCollector {
	return &alertCollector{store: st, desc: prometheus.NewDesc("warden_alerts",
		"Alerts in the store by status, source and severity.", []string{"status", "source", "severity"}, nil)}
}

func (c *alertCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *alertCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.store.AlertCounts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for _, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n.Count), n.Status, n.Source, n.Severity)
	}
}
