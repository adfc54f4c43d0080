package httpapi

import (
	"net/http"
	"strings"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/kyc/tier"
)

var (
	customerWriters = []warden.Role{warden.RoleService}
	customerReaders = []warden.Role{warden.RoleService, warden.RoleAnalyst, warden.RoleAdmin, warden.RoleAuditor}
	historyReaders  = []warden.Role{warden.RoleAnalyst, warden.RoleAdmin, warden.RoleAuditor}
)

// handlePutCustomer creates (201) or updates (200) a customer; the same data
// again changes nothing and answers 200 with the current version.
func (s *Server) handlePutCustomer(w http.ResponseWriter, r *http.Request) error {
	var data kyc.CustomerData
	if err := decodeJSON(r, &data); err != nil {
		return err
	}
	res, err := s.customers.Put(r.Context(), r.PathValue("id"), data)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	view, err := s.customerJSON(r, res.Customer)
	if err != nil {
		return err
	}
	writeJSON(w, status, view)
	return nil
}

func (s *Server) handleGetCustomer(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	c, err := s.customers.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	view, err := s.customerJSON(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, view)
	return nil
}

func (s *Server) handleCustomerVersions(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	vs, err := s.customers.Versions(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"versions": vs})
	return nil
}

var (
	documentSubmitters = []warden.Role{warden.RoleService}
	documentDeciders   = []warden.Role{warden.RoleAnalyst, warden.RoleAdmin}
)

// customerView is a customer with its tier placement.
type customerView struct {
	*kyc.Customer
	Tier *tier.Placement `json:"tier,omitempty"`
	Risk *kyc.Risk       `json:"risk,omitempty"`
}

func (s *Server) customerJSON(r *http.Request, c *kyc.Customer) (customerView, error) {
	p, err := s.customers.Tier(r.Context(), c)
	if err != nil {
		return customerView{}, err
	}
	risk, err := s.customers.Risk(r.Context(), c)
	return customerView{Customer: c, Tier: p, Risk: risk}, err
}

func (s *Server) handleSubmitDocument(w http.ResponseWriter, r *http.Request) error {
	var in kyc.DocumentInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := kyc.ValidateID(r.PathValue("id")); err != nil {
		return err
	}
	d, err := s.customers.SubmitDocument(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

func (s *Server) handleCustomerDocuments(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	ds, err := s.customers.CustomerDocuments(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"documents": ds})
	return nil
}

type decisionBody struct {
	Reason string `json:"reason"`
}

func (s *Server) decideDocument(verify bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var body decisionBody
		if r.ContentLength != 0 || r.Header.Get("Content-Type") != "" {
			if err := decodeJSON(r, &body); err != nil {
				return err
			}
		}
		id := r.PathValue("id")
		if !strings.HasPrefix(id, "doc_") || len(id) != 20 {
			return warden.FieldErrorf(warden.EINVALID, "id", "document ids look like doc_ and 16 hex digits")
		}
		d, err := s.customers.DecideDocument(r.Context(), id, verify, body.Reason)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, d)
		return nil
	}
}

func (s *Server) handlePutOwners(w http.ResponseWriter, r *http.Request) error {
	var o kyc.Owners
	if err := decodeJSON(r, &o); err != nil {
		return err
	}
	if err := kyc.ValidateID(r.PathValue("id")); err != nil {
		return err
	}
	a, err := s.customers.PutOwners(r.Context(), r.PathValue("id"), o)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) handleGetOwners(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	a, err := s.customers.GetOwners(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// exporters may export a customer's personal data: admins only, since the
// answer holds everything Warden knows about a person.
var exporters = []warden.Role{warden.RoleAdmin}

func (s *Server) handleExportCustomer(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	e, err := s.customers.Export(r.Context(), r.PathValue("id"), s.screening.Clearances)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

// handleEraseCustomer erases a customer's personal data once the legal
// retention has passed (admins); before that it answers 409 with the date.
func (s *Server) handleEraseCustomer(w http.ResponseWriter, r *http.Request) error {
	var req kyc.EraseRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	c, err := s.customers.Erase(r.Context(), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
