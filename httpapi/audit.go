package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
)

// auditReaders may read the audit log.
var auditReaders = []warden.Role{warden.RoleAdmin, warden.RoleAuditor}

// maxAuditPage bounds one page of entries.
const maxAuditPage = 1000

// queryInt reads an optional non-negative integer query parameter.
func queryInt(r *http.Request, name string, def int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, warden.FieldErrorf(warden.EINVALID, name, "%s must be a non-negative whole number", name)
	}
	return n, nil
}

// knownQuery refuses query parameters the endpoint does not take, so that a
// misspelt filter is not silently ignored.
func knownQuery(r *http.Request, names ...string) error {
	for k := range r.URL.Query() {
		ok := false
		for _, n := range names {
			ok = ok || k == n
		}
		if !ok {
			return warden.FieldErrorf(warden.EINVALID, k, "unknown query parameter %q", k)
		}
	}
	return nil
}

type auditEntryJSON struct {
	Index    int64           `json:"index"`
	LeafHash *tlog.Hash      `json:"leaf_hash,omitempty"`
	Entry    json.RawMessage `json:"entry"`
}

func (s *Server) handleAuditEntries(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r, "from", "to"); err != nil {
		return err
	}
	size, err := s.audit.Size(r.Context())
	if err != nil {
		return err
	}
	from, err := queryInt(r, "from", 0)
	if err != nil {
		return err
	}
	to, err := queryInt(r, "to", min(from+100, size))
	if err != nil {
		return err
	}
	switch {
	case to < from:
		return warden.FieldErrorf(warden.EINVALID, "to", "to (%d) must not be less than from (%d)", to, from)
	case to-from > maxAuditPage:
		return warden.FieldErrorf(warden.EINVALID, "to", "at most %d entries per request", maxAuditPage)
	}
	to = min(to, size)
	entries, err := s.audit.Entries(r.Context(), min(from, to), to)
	if err != nil {
		return err
	}
	out := make([]auditEntryJSON, 0, len(entries))
	for _, e := range entries {
		j := auditEntryJSON{Index: e.Index, Entry: e.Data}
		if len(e.Hashes) > 0 {
			j.LeafHash = &e.Hashes[0]
		}
		out = append(out, j)
	}
	resp := map[string]any{"size": size, "from": from, "to": to, "entries": out}
	if to < size {
		resp["next"] = to
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *Server) handleAuditCheckpoint(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	cp, err := s.audit.LatestCheckpoint(r.Context())
	if err != nil {
		return err
	}
	origin, size, root, err := audit.OpenCheckpoint(cp.Note, s.audit.Keys())
	if err != nil {
		// A stored checkpoint that does not verify is evidence of tampering.
		s.log.ErrorContext(r.Context(), "stored audit checkpoint does not verify", "size", cp.Size, "err", err.Error())
		return warden.Errorf(warden.ECONFLICT, "the newest stored checkpoint (size %d) does not verify: run warden audit verify", cp.Size)
	}
	writeJSON(w, http.StatusOK, map[string]any{"origin": origin, "size": size, "root_hash": root, "time": cp.Time.Format(time.RFC3339Nano), "note": string(cp.Note)})
	return nil
}

func (s *Server) handleAuditInclusion(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r, "index", "size"); err != nil {
		return err
	}
	if r.URL.Query().Get("index") == "" {
		return warden.FieldErrorf(warden.EINVALID, "index", "index is required")
	}
	index, err := queryInt(r, "index", 0)
	if err != nil {
		return err
	}
	current, err := s.audit.Size(r.Context())
	if err != nil {
		return err
	}
	size, err := queryInt(r, "size", current)
	if err != nil {
		return err
	}
	p, err := s.audit.Inclusion(r.Context(), index, size)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) handleAuditConsistency(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r, "from", "to"); err != nil {
		return err
	}
	if r.URL.Query().Get("from") == "" {
		return warden.FieldErrorf(warden.EINVALID, "from", "from is required")
	}
	from, err := queryInt(r, "from", 0)
	if err != nil {
		return err
	}
	current, err := s.audit.Size(r.Context())
	if err != nil {
		return err
	}
	to, err := queryInt(r, "to", current)
	if err != nil {
		return err
	}
	p, err := s.audit.Consistency(r.Context(), from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) handleAuditKeys(w http.ResponseWriter, r *http.Request) error {
	if err := knownQuery(r); err != nil {
		return err
	}
	keys, err := s.audit.PublicKeys(r.Context())
	if err != nil {
		return err
	}
	if keys == nil {
		keys = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"origin": s.audit.Origin(), "current": s.auditKey, "keys": keys})
	return nil
}
