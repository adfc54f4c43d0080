package httpapi

import (
	"net/http"
	"regexp"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/reporting/ctr"
)

var (
	ctrReaders   = []warden.Role{warden.RoleAnalyst, warden.RoleAdmin, warden.RoleAuditor}
	ctrReviewers = []warden.Role{warden.RoleAnalyst, warden.RoleAdmin}
	ctrIDPattern = regexp.MustCompile(`^ctr_[0-9]{8}_[0-9a-f]{12}$`)
)

func (s *Server) ctrRoutes() {
	s.handle(Route{Method: "GET", Pattern: "/v1/ctrs", Roles: ctrReaders}, s.handleListCTRs)
	s.handle(Route{Method: "GET", Pattern: "/v1/ctrs/{id}", Roles: ctrReaders}, s.handleGetCTR)
	s.handle(Route{Method: "POST", Pattern: "/v1/ctrs/{id}/approve", Roles: ctrReviewers}, s.handleApproveCTR)
}

func validCTRID(id string) error {
	if !ctrIDPattern.MatchString(id) {
		return warden.FieldErrorf(warden.EINVALID, "id", "CTR ids look like ctr_YYYYMMDD_ and 12 hex digits")
	}
	return nil
}

func (s *Server) handleListCTRs(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r, "date", "status"); err != nil {
		return err
	}
	date, status := r.URL.Query().Get("date"), r.URL.Query().Get("status")
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return warden.FieldErrorf(warden.EINVALID, "date", "date is required: a business day YYYY-MM-DD")
	}
	switch status {
	case "", ctr.StatusPending, ctr.StatusApproved, ctr.StatusExported:
	default:
		return warden.FieldErrorf(warden.EINVALID, "status", "status must be pending_review, approved or exported")
	}
	rs, err := s.ctrs.Store.Reports(r.Context(), date, status)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"reports": rs})
	return nil
}

func (s *Server) handleGetCTR(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	if err := validCTRID(r.PathValue("id")); err != nil {
		return err
	}
	rep, err := s.ctrs.Store.Report(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) handleApproveCTR(w http.ResponseWriter, r *http.Request) error {
	if err := validCTRID(r.PathValue("id")); err != nil {
		return err
	}
	rep, err := s.ctrs.Approve(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
