package httpapi

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/http"

	"github.com/wardenhq/warden"
)

// IdempotencyHeader names the header clients send to make a creating POST
// safe to retry.
const IdempotencyHeader = "Idempotency-Key"

// bufferedResponse collects a handler's response so it can be kept for replay
// before it is sent.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func validIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// idempotent makes a creating route replay its first response when a request
// is repeated with the same Idempotency-Key by the same actor. The same key
// with a different request is refused with 422; a key whose first request is
// still running gets 409. Responses of 5xx are not kept, so a retry runs again.
func (s *Server) idempotent(rt Route, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get(IdempotencyHeader)
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		if !validIdempotencyKey(key) {
			s.writeError(w, r, warden.FieldErrorf(warden.EINVALID, IdempotencyHeader, "Idempotency-Key must be 1 to 255 visible ASCII characters"))
			return
		}
		body, err := readBody(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h := sha256.New()
		h.Write([]byte(r.Method + " " + r.URL.Path + "\n"))
		h.Write(body)
		actor, _ := warden.ActorFromContext(r.Context())
		rec := &warden.IdempotencyRecord{Actor: actor.String(), Key: key, Method: r.Method, Path: r.URL.Path,
			RequestHash: h.Sum(nil), CreatedAt: s.now().UTC()}
		existing, err := s.store.ReserveIdempotencyKey(r.Context(), rec)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if existing != nil {
			s.replay(w, r, rec, existing)
			return
		}
		buf := &bufferedResponse{header: http.Header{}}
		func() {
			defer func() {
				if v := recover(); v != nil {
					_ = s.store.ReleaseIdempotencyKey(r.Context(), rec.Actor, rec.Key)
					panic(v)
				}
			}()
			next.ServeHTTP(buf, r)
		}()
		if buf.status == 0 {
			buf.status = http.StatusOK
		}
		if buf.status >= 500 {
			err = s.store.ReleaseIdempotencyKey(r.Context(), rec.Actor, rec.Key)
		} else {
			kept := buf.body.Bytes()
			if rt.Redact != nil {
				kept = rt.Redact(kept)
			}
			err = s.store.CompleteIdempotencyKey(r.Context(), rec.Actor, rec.Key, buf.status, buf.header.Get("Content-Type"), kept)
		}
		if err != nil {
			// The action happened; the client gets its response, and a retry
			// with this key will see the reservation and be told to wait.
			s.log.ErrorContext(r.Context(), "record idempotent response", "err", err.Error(),
				"request_id", warden.RequestIDFromContext(r.Context()))
		}
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
	})
}

func (s *Server) replay(w http.ResponseWriter, r *http.Request, rec, existing *warden.IdempotencyRecord) {
	switch {
	case !bytes.Equal(existing.RequestHash, rec.RequestHash):
		s.writeError(w, r, warden.FieldErrorf(warden.EUNPROCESSABLE, IdempotencyHeader,
			"Idempotency-Key %q was already used with a different request", rec.Key))
	case existing.Status == 0:
		w.Header().Set("Retry-After", "1")
		s.writeError(w, r, warden.FieldErrorf(warden.ECONFLICT, IdempotencyHeader,
			"a request with Idempotency-Key %q is still in progress", rec.Key))
	default:
		if existing.ContentType != "" {
			w.Header().Set("Content-Type", existing.ContentType)
		}
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(existing.Status)
		_, _ = w.Write(existing.Body)
	}
}
