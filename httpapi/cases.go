package httpapi

import (
	"context"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
)

// caseWorkers see and work cases. SAR existence is confidential (31 CFR
// 1020.320(e)): auditors and the core system do not see cases at all.
var caseWorkers = []warden.Role{warden.RoleAnalyst, warden.RoleAdmin}

func (s *Server) handleListCases(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r, "customer", "status", "assignee", "after", "limit"); err != nil {
		return err
	}
	q := r.URL.Query()
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	if limit < 1 || limit > 1000 {
		return warden.FieldErrorf(warden.EINVALID, "limit", "limit must be between 1 and 1000")
	}
	cs, err := s.cases.List(r.Context(), cases.CaseFilter{CustomerID: q.Get("customer"), Status: q.Get("status"), Assignee: q.Get("assignee"), After: q.Get("after"), Limit: int(limit)})
	if err != nil {
		return err
	}
	body := map[string]any{"cases": cs}
	if len(cs) == int(limit) {
		body["next_after"] = cs[len(cs)-1].ID
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

type openCaseBody struct {
	CustomerID string   `json:"customer_id"`
	AlertIDs   []string `json:"alert_ids"`
}

func (s *Server) handleOpenCase(w http.ResponseWriter, r *http.Request) error {
	var b openCaseBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	c, err := s.cases.Open(r.Context(), b.CustomerID, b.AlertIDs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) handleGetCase(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	c, err := s.cases.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// caseAction decodes a body of type B (none when B is struct{}) and applies fn.
func caseAction[B any](s *Server, status int, fn func(ctx context.Context, id string, b B) (*cases.Case, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var b B
		if r.ContentLength != 0 || r.Header.Get("Content-Type") != "" {
			if err := decodeJSON(r, &b); err != nil {
				return err
			}
		}
		id := r.PathValue("id")
		if err := cases.ValidCaseID(id); err != nil {
			return err
		}
		c, err := fn(r.Context(), id, b)
		if err != nil {
			return err
		}
		writeJSON(w, status, c)
		return nil
	}
}

type assignBody struct {
	Assignee string `json:"assignee"`
}

type transitionBody struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

type commentBody struct {
	Text string `json:"text"`
}

type attachBody struct {
	Name          string `json:"name"`
	ContentType   string `json:"content_type"`
	ContentBase64 string `json:"content_base64"`
}

type fileSARBody struct {
	BSAID string `json:"bsa_id"`
}

func (s *Server) caseRoutes() {
	s.handle(Route{Method: "GET", Pattern: "/v1/cases", Roles: caseWorkers}, s.handleListCases)
	s.handle(Route{Method: "POST", Pattern: "/v1/cases", Roles: caseWorkers, Idempotent: true}, s.handleOpenCase)
	s.handle(Route{Method: "GET", Pattern: "/v1/cases/deadlines", Roles: caseWorkers}, s.handleDeadlines)
	s.handle(Route{Method: "GET", Pattern: "/v1/cases/{id}", Roles: caseWorkers}, s.handleGetCase)
	s.handle(Route{Method: "POST", Pattern: "/v1/cases/{id}/assign", Roles: caseWorkers}, caseAction(s, http.StatusOK,
		func(ctx context.Context, id string, b assignBody) (*cases.Case, error) {
			return s.cases.Assign(ctx, id, b.Assignee)
		}))
	s.handle(Route{Method: "POST", Pattern: "/v1/cases/{id}/transition", Roles: caseWorkers}, caseAction(s, http.StatusOK,
		func(ctx context.Context, id string, b transitionBody) (*cases.Case, error) {
			return s.cases.Transition(ctx, id, b.Status, b.Reason)
		}))
	s.handle(Route{Method: "POST", Pattern: "/v1/cases/{id}/comments", Roles: caseWorkers, Idempotent: true}, caseAction(s, http.StatusCreated,
		func(ctx context.Context, id string, b commentBody) (*cases.Case, error) {
			return s.cases.Comment(ctx, id, b.Text)
		}))
	s.handle(Route{Method: "POST", Pattern: "/v1/cases/{id}/attachments", Roles: caseWorkers, Idempotent: true}, caseAction(s, http.StatusCreated,
		func(ctx context.Context, id string, b attachBody) (*cases.Case, error) {
			content, err := base64.StdEncoding.DecodeString(b.ContentBase64)
			if err != nil {
				return nil, warden.FieldErrorf(warden.EINVALID, "content_base64", "content_base64 must be standard base64")
			}
			return s.cases.Attach(ctx, id, b.Name, b.ContentType, content)
		}))
	s.handle(Route{Method: "GET", Pattern: "/v1/cases/{id}/attachments/{attachment}", Roles: caseWorkers}, s.handleGetAttachment)
	s.handle(Route{Method: "POST", Pattern: "/v1/cases/{id}/sar", Roles: caseWorkers}, caseAction(s, http.StatusOK,
		func(ctx context.Context, id string, b cases.SARInput) (*cases.Case, error) {
			return s.cases.PrepareSAR(ctx, id, b)
		}))
	s.handle(Route{Method: "POST", Pattern: "/v1/cases/{id}/sar/approve", Roles: caseWorkers}, caseAction(s, http.StatusOK,
		func(ctx context.Context, id string, _ struct{}) (*cases.Case, error) {
			return s.cases.ApproveSAR(ctx, id)
		}))
	s.handle(Route{Method: "POST", Pattern: "/v1/cases/{id}/sar/file", Roles: caseWorkers}, caseAction(s, http.StatusOK,
		func(ctx context.Context, id string, b fileSARBody) (*cases.Case, error) {
			return s.cases.FileSAR(ctx, id, b.BSAID)
		}))
}

func (s *Server) handleGetAttachment(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := s.cases.Get(r.Context(), id); err != nil {
		return err
	}
	a, content, err := s.cases.Store.AttachmentContent(r.Context(), id, r.PathValue("attachment"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"attachment": a, "content_base64": base64.StdEncoding.EncodeToString(content)})
	return nil
}

func (s *Server) handleDeadlines(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	ds, err := s.cases.Deadlines(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"deadlines": ds})
	return nil
}

// deadlineCollector exports overdue and due-soon deadlines at each scrape.
type deadlineCollector struct {
	cases *cases.Cases
	desc  *prometheus.Desc
}

func newDeadlineCollector(c *cases.Cases) *deadlineCollector {
	return &deadlineCollector{cases: c, desc: prometheus.NewDesc("warden_case_deadlines",
		"SAR filings and continuing-activity reviews overdue or due within 7 days.", []string{"kind", "state"}, nil)}
}

func (d *deadlineCollector) Describe(ch chan<- *prometheus.Desc) { ch <- d.desc }

func (d *deadlineCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ds, err := d.cases.Deadlines(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(d.desc, err)
		return
	}
	n := map[[2]string]int{{"sar", "overdue"}: 0, {"sar", "due_soon"}: 0, {"continuing_review", "overdue"}: 0, {"continuing_review", "due_soon"}: 0}
	for _, dl := range ds {
		state := "due_soon"
		if dl.Overdue {
			state = "overdue"
		}
		n[[2]string{dl.Kind, state}]++
	}
	for k, v := range n {
		ch <- prometheus.MustNewConstMetric(d.desc, prometheus.GaugeValue, float64(v), k[0], k[1])
	}
}
