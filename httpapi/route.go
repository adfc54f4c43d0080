package httpapi

import (
	"net/http"
	"slices"
	"strings"

	"github.com/wardenhq/warden"
)

// Route describes one endpoint. Roles empty means public (health, readiness,
// metrics only).
type Route struct {
	Method  string
	Pattern string
	Roles   []warden.Role
	// Idempotent routes accept an Idempotency-Key header.
	Idempotent bool
	// Redact, if set, rewrites a response before it is kept for idempotent
	// replay, so that secrets shown once are never stored.
	Redact func([]byte) []byte
}

// handlerFunc is a handler that returns its error instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Role sets used by routes.
var (
	adminOnly   = []warden.Role{warden.RoleAdmin}
	anyRole     = []warden.Role{warden.RoleAdmin, warden.RoleAnalyst, warden.RoleAuditor, warden.RoleService}
	publicRoute []warden.Role
)

func (s *Server) handle(rt Route, h handlerFunc) {
	s.routes = append(s.routes, rt)
	var next http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
	if rt.Idempotent {
		next = s.idempotent(rt, next)
	}
	if len(rt.Roles) > 0 {
		next = s.authenticate(rt, next)
	}
	route := rt.Method + " " + rt.Pattern
	s.mux.Handle(route, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info(r.Context()).route = rt.Pattern
		next.ServeHTTP(w, r)
	}))
}

func (s *Server) registerRoutes() {
	s.handle(Route{Method: "GET", Pattern: "/healthz", Roles: publicRoute}, s.handleHealth)
	s.handle(Route{Method: "GET", Pattern: "/readyz", Roles: publicRoute}, s.handleReady)
	s.handle(Route{Method: "GET", Pattern: "/metrics", Roles: publicRoute}, s.handleMetrics)
	s.handle(Route{Method: "GET", Pattern: "/openapi.json", Roles: anyRole}, s.handleOpenAPI)
	s.handle(Route{Method: "GET", Pattern: "/v1/whoami", Roles: anyRole}, s.handleWhoami)

	s.handle(Route{Method: "GET", Pattern: "/v1/apikeys", Roles: adminOnly}, s.handleListKeys)
	s.handle(Route{Method: "POST", Pattern: "/v1/apikeys", Roles: adminOnly, Idempotent: true, Redact: redactKeySecret}, s.handleCreateKey)
	s.handle(Route{Method: "GET", Pattern: "/v1/apikeys/{id}", Roles: adminOnly}, s.handleGetKey)
	s.handle(Route{Method: "POST", Pattern: "/v1/apikeys/{id}/revoke", Roles: adminOnly}, s.handleRevokeKey)
	s.handle(Route{Method: "POST", Pattern: "/v1/apikeys/{id}/rotate", Roles: adminOnly, Idempotent: true, Redact: redactKeySecret}, s.handleRotateKey)

	s.handle(Route{Method: "GET", Pattern: "/v1/audit/entries", Roles: auditReaders}, s.handleAuditEntries)
	s.handle(Route{Method: "GET", Pattern: "/v1/audit/checkpoint", Roles: auditReaders}, s.handleAuditCheckpoint)
	s.handle(Route{Method: "GET", Pattern: "/v1/audit/proofs/inclusion", Roles: auditReaders}, s.handleAuditInclusion)
	s.handle(Route{Method: "GET", Pattern: "/v1/audit/proofs/consistency", Roles: auditReaders}, s.handleAuditConsistency)
	s.handle(Route{Method: "GET", Pattern: "/v1/audit/public-keys", Roles: auditReaders}, s.handleAuditKeys)

	s.handle(Route{Method: "POST", Pattern: "/v1/screen", Roles: screeners}, s.handleScreen)
	s.handle(Route{Method: "GET", Pattern: "/v1/lists", Roles: anyRole}, s.handleLists)
	s.handle(Route{Method: "POST", Pattern: "/v1/screening/clearances", Roles: clearers, Idempotent: true}, s.handleClear)
	s.handle(Route{Method: "GET", Pattern: "/v1/screening/clearances", Roles: clearanceReader}, s.handleListClearances)

	s.handle(Route{Method: "PUT", Pattern: "/v1/customers/{id}", Roles: customerWriters}, s.handlePutCustomer)
	s.handle(Route{Method: "GET", Pattern: "/v1/customers/{id}", Roles: customerReaders}, s.handleGetCustomer)
	s.handle(Route{Method: "GET", Pattern: "/v1/customers/{id}/versions", Roles: historyReaders}, s.handleCustomerVersions)

	s.handle(Route{Method: "POST", Pattern: "/v1/customers/{id}/documents", Roles: documentSubmitters, Idempotent: true}, s.handleSubmitDocument)
	s.handle(Route{Method: "GET", Pattern: "/v1/customers/{id}/documents", Roles: customerReaders}, s.handleCustomerDocuments)
	s.handle(Route{Method: "PUT", Pattern: "/v1/customers/{id}/owners", Roles: customerWriters}, s.handlePutOwners)
	s.handle(Route{Method: "GET", Pattern: "/v1/customers/{id}/owners", Roles: customerReaders}, s.handleGetOwners)
	s.handle(Route{Method: "GET", Pattern: "/v1/customers/{id}/export", Roles: exporters}, s.handleExportCustomer)
	s.handle(Route{Method: "POST", Pattern: "/v1/customers/{id}/erase", Roles: exporters}, s.handleEraseCustomer)
	s.handle(Route{Method: "POST", Pattern: "/v1/documents/{id}/verify", Roles: documentDeciders}, s.decideDocument(true))
	s.handle(Route{Method: "POST", Pattern: "/v1/documents/{id}/reject", Roles: documentDeciders}, s.decideDocument(false))

	s.handle(Route{Method: "POST", Pattern: "/v1/transactions", Roles: transactionSubmitters}, s.handleDecide)
	s.handle(Route{Method: "POST", Pattern: "/v1/transactions/batch", Roles: transactionSubmitters}, s.handleDecideBatch)
	s.handle(Route{Method: "GET", Pattern: "/v1/transactions/{id}", Roles: transactionReaders}, s.handleGetTransaction)
	s.handle(Route{Method: "GET", Pattern: "/v1/rules", Roles: ruleReaders}, s.handleListRules)
	s.handle(Route{Method: "GET", Pattern: "/v1/rules/{id}", Roles: ruleReaders}, s.handleRuleVersions)
	s.handle(Route{Method: "PUT", Pattern: "/v1/rules/{id}", Roles: ruleWriters}, s.handlePutRule)
	s.handle(Route{Method: "POST", Pattern: "/v1/rules/{id}/backtest", Roles: backtesters}, s.handleBacktest)

	s.handle(Route{Method: "GET", Pattern: "/v1/alerts", Roles: alertReaders}, s.handleListAlerts)
	s.handle(Route{Method: "GET", Pattern: "/v1/alerts/{id}", Roles: alertReaders}, s.handleGetAlert)
	s.caseRoutes()
	s.ctrRoutes()
	s.filingRoutes()
	s.goamlRoutes()
	s.handle(Route{Method: "GET", Pattern: "/v1/reports/compliance", Roles: reportReaders}, s.handleComplianceReport)

	s.mux.HandleFunc("/", s.handleUnmatched)
}

// handleUnmatched answers JSON 404, or 405 with Allow when the path exists
// under other methods.
func (s *Server) handleUnmatched(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{"GET", "POST", "PUT", "DELETE", "PATCH"} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" && !slices.Contains(allow, m) {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.writeError(w, r, &warden.Error{Code: "method_not_allowed", Message: r.Method + " is not allowed here; allowed: " + strings.Join(allow, ", ")})
		return
	}
	s.writeError(w, r, warden.Errorf(warden.ENOTFOUND, "no such endpoint: %s %s", r.Method, r.URL.Path))
}
