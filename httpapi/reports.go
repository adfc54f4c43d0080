package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/reporting/compliance"
)

// reportReaders read the compliance report: examiners (auditor), analysts
// and admins. It counts SARs but names none.
var reportReaders = []warden.Role{warden.RoleAuditor, warden.RoleAnalyst, warden.RoleAdmin}

// complianceSources wires the report to the server's pieces.
func (s *Server) complianceSources() (compliance.Sources, error) {
	lister, ok := s.customers.Store.(compliance.CustomerLister)
	if !ok {
		return compliance.Sources{}, errors.New("httpapi: the customer store cannot list customers")
	}
	return compliance.Sources{Alerts: s.alerts.Store, Cases: s.cases.Store, CTRs: s.ctrs.Store, Customers: lister,
		Lists: s.screening.Screener.Lists, VerifyAudit: func(ctx context.Context) (*audit.Report, error) {
			keys, err := s.audit.PublicKeys(ctx)
			if err != nil {
				return nil, err
			}
			return s.audit.VerifyStore(ctx, audit.VerifyOptions{TrustedKeys: keys})
		}, Now: s.now}, nil
}

func (s *Server) handleComplianceReport(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r, "from", "to", "format"); err != nil {
		return err
	}
	q := r.URL.Query()
	format := q.Get("format")
	if format != "" && format != "json" && format != "html" {
		return warden.FieldErrorf(warden.EINVALID, "format", "format must be json or html")
	}
	src, err := s.complianceSources()
	if err != nil {
		return err
	}
	rep, err := compliance.Build(r.Context(), src, q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	if format != "html" {
		writeJSON(w, http.StatusOK, rep)
		return nil
	}
	page, err := compliance.HTML(rep)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(page)
	return nil
}
