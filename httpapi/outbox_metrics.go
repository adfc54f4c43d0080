package httpapi

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// outboxCollector reports the audit outbox at each scrape: records that
// wait longer than a relay interval mean the audit log is behind the
// changes it describes.
type outboxCollector struct {
	store   Store
	now     func() time.Time
	entries *prometheus.Desc
	age     *prometheus.Desc
}

func newOutboxCollector(st Store, now func() time.Time) *outboxCollector {
	return &outboxCollector{store: st, now: now,
		entries: prometheus.NewDesc("warden_audit_outbox_entries", "Audit records committed with their change and waiting to be relayed into the log.", nil, nil),
		age:     prometheus.NewDesc("warden_audit_outbox_oldest_seconds", "Age of the oldest audit record waiting in the outbox (0 when none waits).", nil, nil)}
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.entries; ch <- c.age }

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, oldest, err := c.store.AuditOutboxStatus(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.entries, err)
		ch <- prometheus.NewInvalidMetric(c.age, err)
		return
	}
	age := 0.0
	if !oldest.IsZero() {
		age = max(c.now().Sub(oldest).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(c.entries, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, age)
}
