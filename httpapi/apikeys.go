package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/auth"
)

// keyResponse is an API key as the API shows it. Key (the secret) is present
// only in the response that creates it.
type keyResponse struct {
	ID          string      `json:"id"`
	Prefix      string      `json:"prefix"`
	Key         string      `json:"key,omitempty"`
	Name        string      `json:"name"`
	Role        warden.Role `json:"role"`
	Status      string      `json:"status"`
	CreatedAt   time.Time   `json:"created_at"`
	ExpiresAt   time.Time   `json:"expires_at"`
	RevokedAt   *time.Time  `json:"revoked_at,omitempty"`
	RotatedFrom string      `json:"rotated_from,omitempty"`
	RotatedTo   string      `json:"rotated_to,omitempty"`
	CreatedBy   string      `json:"created_by,omitempty"`
}

func (s *Server) keyJSON(k *auth.APIKey, secret string) keyResponse {
	out := keyResponse{
		ID: k.ID, Prefix: k.Prefix(), Key: secret, Name: k.Name, Role: k.Role, Status: k.Status(s.now()),
		CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt, RotatedFrom: k.RotatedFrom, RotatedTo: k.RotatedTo, CreatedBy: k.CreatedBy,
	}
	if !k.RevokedAt.IsZero() {
		t := k.RevokedAt
		out.RevokedAt = &t
	}
	return out
}

// redactKeySecret removes the secret from a stored idempotent response: a key
// is shown once, and the idempotency table must not become a second copy.
// A replay says so in key_withheld.
func redactKeySecret(body []byte) []byte {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	if _, ok := m["key"]; !ok {
		return body
	}
	delete(m, "key")
	m["key_withheld"] = "the key is shown only in the first response; revoke it and create another if it was lost"
	out, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return append(out, '\n')
}

type createKeyRequest struct {
	Name      string `json:"name"`
	Role      string `json:"role"`
	ExpiresIn string `json:"expires_in,omitempty"`

	req auth.CreateKey
}

func (c *createKeyRequest) Validate() error {
	role, err := warden.ParseRole(c.Role)
	if c.Role == "" {
		return warden.FieldErrorf(warden.EINVALID, "role", "role is required")
	} else if err != nil {
		return err
	}
	c.req = auth.CreateKey{Name: c.Name, Role: role}
	if c.ExpiresIn != "" {
		if c.req.TTL, err = warden.ParseDuration(c.ExpiresIn); err != nil {
			return warden.FieldErrorf(warden.EINVALID, "expires_in", "%v", err)
		}
	}
	return c.req.Validate()
}

func (s *Server) handleCreateKey(w http.ResponseWriter, r *http.Request) error {
	var req createKeyRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	k, secret, err := s.keys.Create(r.Context(), req.req)
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "api key created", "key_id", k.ID, "role", string(k.Role), "request_id", warden.RequestIDFromContext(r.Context()))
	writeJSON(w, http.StatusCreated, s.keyJSON(k, secret))
	return nil
}

func (s *Server) handleListKeys(w http.ResponseWriter, r *http.Request) error {
	keys, err := s.keys.List(r.Context())
	if err != nil {
		return err
	}
	out := make([]keyResponse, 0, len(keys))
	for _, k := range keys {
		out = append(out, s.keyJSON(k, ""))
	}
	writeJSON(w, http.StatusOK, map[string]any{"api_keys": out})
	return nil
}

func (s *Server) handleGetKey(w http.ResponseWriter, r *http.Request) error {
	k, err := s.keys.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.keyJSON(k, ""))
	return nil
}

// noBody refuses a body on action endpoints that take none, so that a client
// sending parameters there learns they were not applied.
func noBody(r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if len(body) > 0 && string(body) != "{}" {
		return warden.Errorf(warden.EINVALID, "this endpoint takes no request body")
	}
	return nil
}

func (s *Server) handleRevokeKey(w http.ResponseWriter, r *http.Request) error {
	if err := noBody(r); err != nil {
		return err
	}
	k, err := s.keys.Revoke(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "api key revoked", "key_id", k.ID, "request_id", warden.RequestIDFromContext(r.Context()))
	writeJSON(w, http.StatusOK, s.keyJSON(k, ""))
	return nil
}

func (s *Server) handleRotateKey(w http.ResponseWriter, r *http.Request) error {
	if err := noBody(r); err != nil {
		return err
	}
	k, secret, err := s.keys.Rotate(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "api key rotated", "key_id", k.RotatedFrom, "successor", k.ID, "request_id", warden.RequestIDFromContext(r.Context()))
	writeJSON(w, http.StatusCreated, s.keyJSON(k, secret))
	return nil
}
