package httpapi

import (
	"net/http"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/kyc"
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
	writeJSON(w, status, res.Customer)
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
	writeJSON(w, http.StatusOK, c)
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
