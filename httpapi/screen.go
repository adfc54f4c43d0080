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
	res, err := s.screener.Screen(r.Context(), req)
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
	writeJSON(w, http.StatusOK, map[string]any{"lists": s.screener.Lists()})
	return nil
}
