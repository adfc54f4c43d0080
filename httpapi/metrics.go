package httpapi

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/wardenhq/warden/cases"
)

// Metrics are the server's Prometheus collectors, registered on a registry the
// caller owns (never the global default).
type Metrics struct {
	Registry     *prometheus.Registry
	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	storeLatency *prometheus.HistogramVec
	storeErrors  *prometheus.CounterVec
	rateLimited  *prometheus.CounterVec
	authFailures *prometheus.CounterVec
	alertsRaised *prometheus.CounterVec
	kafka        *prometheus.HistogramVec
}

// NewMetrics creates and registers the collectors.
func NewMetrics(version string) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "warden_http_request_duration_seconds", Help: "HTTP request latency by route and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
		storeLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "warden_store_operation_duration_seconds", Help: "Store operation latency by operation.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"op"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_store_errors_total", Help: "Store operations that returned an error, by operation.",
		}, []string{"op"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_http_rate_limited_total", Help: "Requests refused with 429, by role (anonymous for unauthenticated clients).",
		}, []string{"role"}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_auth_failures_total", Help: "Requests refused by authentication or authorisation, by reason.",
		}, []string{"reason"}),
		alertsRaised: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_alerts_raised_total", Help: "Alert occurrences raised by this process, by source, severity and outcome (opened or extended).",
		}, []string{"source", "severity", "outcome"}),
		kafka: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "warden_kafka_record_duration_seconds", Help: "Kafka intake records by outcome (decided, replayed, rejected, retry) and how long each took.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1, 5},
		}, []string{"outcome"}),
	}
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "warden_build_info", Help: "Warden build information.",
	}, []string{"version"})
	build.WithLabelValues(version).Set(1)
	reg.MustRegister(m.requests, m.latency, m.storeLatency, m.storeErrors, m.rateLimited, m.authFailures, m.alertsRaised, m.kafka, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveStore records one store operation; it matches sqlstore.Observer.
func (m *Metrics) ObserveStore(op string, d time.Duration, err error) {
	m.storeLatency.WithLabelValues(op).Observe(d.Seconds())
	if err != nil {
		m.storeErrors.WithLabelValues(op).Inc()
	}
}

// ObserveAlert counts one raise; it matches cases.Alerts.OnRaise.
func (m *Metrics) ObserveAlert(a *cases.Alert, created bool) {
	outcome := "extended"
	if created {
		outcome = "opened"
	}
	m.alertsRaised.WithLabelValues(a.Source, a.Severity, outcome).Inc()
}

// registerOnce registers c, accepting one already registered by an earlier
// server on the same registry.
func (m *Metrics) registerOnce(c prometheus.Collector) error {
	if err := m.Registry.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return err
		}
	}
	return nil
}

// ObserveKafka records one Kafka intake record; it matches stream.MetricsFunc.
func (m *Metrics) ObserveKafka(outcome string, d time.Duration) {
	m.kafka.WithLabelValues(outcome).Observe(d.Seconds())
}
