package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/monitoring"
	"github.com/wardenhq/warden/reporting/ctr"
	"github.com/wardenhq/warden/reporting/filing"
	"github.com/wardenhq/warden/reporting/fincen"
)

func (s *Server) filingRoutes() {
	s.handle(Route{Method: "GET", Pattern: "/v1/cases/{id}/sar.xml", Roles: caseWorkers}, s.handleSARXML)
	s.handle(Route{Method: "GET", Pattern: "/v1/ctrs/export", Roles: ctrReviewers}, s.handleCTRExport)
}

func (s *Server) filingSources() filing.Sources {
	return filing.Sources{Customers: s.customers.Store, Documents: s.customers.Documents, Alerts: s.alerts.Store, Transactions: s.monitoring, History: s.ctrs.Transactions, Rates: s.ctrs.Rates,
		Owners: s.customers.Owners}
}

// writeXML answers a regulator file and records its SHA-256 in the audit
// log, so the file filed can be matched to what Warden produced. Warnings
// about the file (the body is the file itself) go in the audit record and
// one X-Warden-Warning header each.
func (s *Server) writeXML(w http.ResponseWriter, r *http.Request, action string, subject audit.Subject, name string, doc []byte, extra map[string]any, warnings []string) error {
	if _, err := s.audit.Append(r.Context(), exportRecord(action, subject, doc, extra, warnings)); err != nil {
		return err
	}
	writeXMLBody(w, name, doc, warnings)
	return nil
}

// exportRecord is the audit record of an export: what was written (its
// SHA-256 and size), with extra fields and the warnings.
func exportRecord(action string, subject audit.Subject, doc []byte, extra map[string]any, warnings []string) audit.Record {
	sum := sha256.Sum256(doc)
	change := map[string]any{"sha256": hex.EncodeToString(sum[:]), "bytes": len(doc)}
	for k, v := range extra {
		change[k] = v
	}
	if len(warnings) > 0 {
		change["warnings"] = warnings
	}
	return audit.Record{Action: action, Subject: subject, Change: change}
}

func writeXMLBody(w http.ResponseWriter, name string, doc []byte, warnings []string) {
	sum := sha256.Sum256(doc)
	for _, msg := range warnings {
		w.Header().Add("X-Warden-Warning", msg)
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Header().Set("X-Content-SHA256", hex.EncodeToString(sum[:]))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(doc)
}

// handleSARXML writes the FinCEN SAR batch of a case whose SAR was approved
// (four eyes) and not yet filed, or filed (for the record).
func (s *Server) handleSARXML(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	c, err := s.cases.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if c.SAR == nil || c.SAR.ApprovedBy == "" {
		return warden.FieldErrorf(warden.ECONFLICT, "sar", "only an approved SAR can be exported (four-eyes rule)")
	}
	filer, err := filing.Filer(s.cfg.Reporting.Institution)
	if err != nil {
		return warden.FieldErrorf(warden.EUNPROCESSABLE, "reporting.institution", "%s", err.Error())
	}
	batch, err := filing.Batch(s.cfg.Reporting.Transmitter, s.now())
	if err != nil {
		return warden.FieldErrorf(warden.EUNPROCESSABLE, "reporting.transmitter", "%s", err.Error())
	}
	sar, err := filing.SAR(r.Context(), s.filingSources(), filer, c)
	if err != nil {
		return err
	}
	doc, err := fincen.SARBatch(batch, sar)
	if err != nil {
		return err
	}
	return s.writeXML(w, r, "case.sar_export", audit.Subject{Type: "case", ID: c.ID}, c.ID+"-SARX.xml", doc, nil, nil)
}

// handleCTRExport writes the approved CTRs of a business day as one FinCEN
// CTRX batch and marks them exported.
func (s *Server) handleCTRExport(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r, "date"); err != nil {
		return err
	}
	date := r.URL.Query().Get("date")
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return warden.FieldErrorf(warden.EINVALID, "date", "date is required: a business day YYYY-MM-DD")
	}
	rs, err := s.ctrs.Store.Reports(r.Context(), date, ctr.StatusApproved)
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		return warden.FieldErrorf(warden.ENOTFOUND, "date", "no approved CTR for %s awaits export", date)
	}
	filer, err := filing.Filer(s.cfg.Reporting.Institution)
	if err != nil {
		return warden.FieldErrorf(warden.EUNPROCESSABLE, "reporting.institution", "%s", err.Error())
	}
	batch, err := filing.Batch(s.cfg.Reporting.Transmitter, s.now())
	if err != nil {
		return warden.FieldErrorf(warden.EUNPROCESSABLE, "reporting.transmitter", "%s", err.Error())
	}
	var reps []fincen.CTR
	var ids []string
	for _, rep := range rs {
		f, err := filing.CTR(r.Context(), s.filingSources(), filer, rep)
		if err != nil {
			return fmt.Errorf("ctr %s: %w", rep.ID, err)
		}
		reps, ids = append(reps, f), append(ids, rep.ID)
	}
	doc, err := fincen.CTRBatch(batch, reps...)
	if err != nil {
		return err
	}
	by := "unknown"
	if a, ok := warden.ActorFromContext(r.Context()); ok {
		by = a.String()
	}
	// The reports are marked exported, all or none, in the transaction
	// that stages the export's audit record (the outbox): a crash between
	// the two cannot leave exported reports without their entry.
	err = audit.Do(r.Context(), s.audit, func(ctx context.Context) error {
		return s.ctrs.Store.SetReportsStatus(ctx, ids, ctr.StatusApproved, ctr.StatusExported, by)
	}, exportRecord("ctr.export", audit.Subject{Type: "business_day", ID: date}, doc, map[string]any{"report_ids": ids}, nil))
	if err != nil {
		return err
	}
	writeXMLBody(w, "CTRX-"+date+".xml", doc, nil)
	return nil
}

func (s *Server) goamlRoutes() {
	s.handle(Route{Method: "GET", Pattern: "/v1/cases/{id}/goaml.xml", Roles: caseWorkers}, s.handleGoAMLSTR)
	s.handle(Route{Method: "GET", Pattern: "/v1/reports/goaml/cash", Roles: ctrReviewers}, s.handleGoAMLCash)
}

// handleGoAMLSTR writes a case's approved SAR as a goAML STR for Kenya's FRC.
func (s *Server) handleGoAMLSTR(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	c, err := s.cases.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if c.SAR == nil || c.SAR.ApprovedBy == "" {
		return warden.FieldErrorf(warden.ECONFLICT, "sar", "only an approved SAR can be exported (four-eyes rule)")
	}
	base, _, err := filing.GoAMLBase(s.cfg.Reporting.GoAML, s.now())
	if err != nil {
		return warden.FieldErrorf(warden.EUNPROCESSABLE, "reporting.goaml", "%s", err.Error())
	}
	f, err := filing.GoAMLSTR(r.Context(), s.filingSources(), s.cfg.Reporting.GoAML, base, c)
	if err != nil {
		return err
	}
	return s.writeXML(w, r, "case.goaml_export", audit.Subject{Type: "case", ID: c.ID}, c.ID+"-goAML-STR.xml", f.XML, nil, f.Warnings)
}

// handleGoAMLCash writes one customer's cash transactions of one day, in
// the business timezone, as a goAML cash report when they reach the FRC
// threshold (USD 15,000 or its equivalent by default).
func (s *Server) handleGoAMLCash(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r, "date", "customer"); err != nil {
		return err
	}
	q := r.URL.Query()
	loc := s.ctrs.Calendar.Location
	if loc == nil {
		loc = time.UTC
	}
	day, err := time.ParseInLocation(time.DateOnly, q.Get("date"), loc)
	if err != nil {
		return warden.FieldErrorf(warden.EINVALID, "date", "date is required: YYYY-MM-DD")
	}
	customer := q.Get("customer")
	if customer == "" {
		return warden.FieldErrorf(warden.EINVALID, "customer", "customer is required")
	}
	base, th, err := filing.GoAMLBase(s.cfg.Reporting.GoAML, s.now())
	if err != nil {
		return warden.FieldErrorf(warden.EUNPROCESSABLE, "reporting.goaml", "%s", err.Error())
	}
	var txs []monitoring.Transaction
	after := int64(0)
	for {
		page, err := s.ctrs.Transactions.TransactionsAfter(r.Context(), after, day.UTC(), day.AddDate(0, 0, 1).UTC(), 1000)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		for _, st := range page {
			after = st.Seq
			if st.Transaction.CustomerID == customer && st.Transaction.Channel == "cash" && st.Decision.Action != monitoring.ActionBlock {
				txs = append(txs, st.Transaction)
			}
		}
	}
	if len(txs) == 0 {
		return warden.FieldErrorf(warden.ENOTFOUND, "customer", "customer %s has no cash transaction on %s", customer, q.Get("date"))
	}
	f, err := filing.GoAMLCash(r.Context(), s.filingSources(), s.cfg.Reporting.GoAML, base, th, customer, txs)
	if err != nil {
		return err
	}
	return s.writeXML(w, r, "goaml.cash_export", audit.Subject{Type: "customer", ID: customer}, "goAML-cash-"+customer+"-"+q.Get("date")+".xml", f.XML,
		map[string]any{"date": q.Get("date")}, f.Warnings)
}
