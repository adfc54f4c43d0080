package httpapi

import (
	"net/http"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/screening"
)

// screeners may screen names: the core system and people.
var screeners = []warden.Role{warden.RoleService, warden.RoleAnalyst, warden.RoleAdmin}

func (s *Server) handleScreen(w http.ResponseWriter, r *http.Request) error {
	var req screening.ScreenRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	res, err := s.screening.Screen(r.Context(), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleLists(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"lists": s.screening.Screener.Lists()})
	return nil
}

// clearers may clear false positives; auditors may read clearances.
var (
	clearers        = []warden.Role{warden.RoleAnalyst, warden.RoleAdmin}
	clearanceReader = []warden.Role{warden.RoleAnalyst, warden.RoleAdmin, warden.RoleAuditor}
)

func (s *Server) handleClear(w http.ResponseWriter, r *http.Request) error {
	var req screening.ClearRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	c, err := s.screening.Clear(r.Context(), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) handleListClearances(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r, "subject"); err != nil {
		return err
	}
	cls, err := s.screening.ListClearances(r.Context(), r.URL.Query().Get("subject"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"clearances": cls})
	return nil
}
