package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wardenhq/warden"
)

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.version})
	return nil
}

// handleReady answers 200 only when the store answers and its schema is the
// one this binary expects.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(r.Context(), "readiness: store unreachable", "err", err.Error())
		return warden.Errorf(warden.EUNAVAILABLE, "store unreachable")
	}
	applied, latest, err := s.store.MigrationStatus(ctx)
	if err != nil {
		s.log.WarnContext(r.Context(), "readiness: migration status", "err", err.Error())
		return warden.Errorf(warden.EUNAVAILABLE, "cannot read schema version")
	}
	if applied != latest {
		return warden.Errorf(warden.EUNAVAILABLE, "store schema is at version %d, this binary needs %d: run warden migrate", applied, latest)
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "store": s.store.Dialect(), "schema_version": applied})
	return nil
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) error {
	promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{}).ServeHTTP(w, r)
	return nil
}

func (s *Server) handleWhoami(w http.ResponseWriter, r *http.Request) error {
	actor, _ := warden.ActorFromContext(r.Context())
	writeJSON(w, http.StatusOK, actor)
	return nil
}
