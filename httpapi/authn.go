package httpapi

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/auth"
	"github.com/wardenhq/warden/config"
)

// bearer extracts the presented credential: Authorization: Bearer, or X-API-Key.
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, _ := strings.Cut(h, " ")
		if strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(token)
		}
		return "\x00" // present but not a bearer token: reject as invalid, not missing
	}
	return r.Header.Get("X-API-Key")
}

// authenticate checks credentials, rate-limits the client, applies the admin
// network allow-list and the route's roles, in that order. Failed
// authentications are rate-limited per IP so that guessing is slow.
func (s *Server) authenticate(rt Route, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := s.clientIP(r)
		token := bearer(r)
		var (
			actor warden.Actor
			err   error
		)
		if token == "\x00" {
			err = warden.Errorf(warden.EUNAUTHORIZED, "unsupported Authorization scheme: use 'Authorization: Bearer <key>'")
		} else {
			actor, err = s.keys.Authenticate(r.Context(), token)
		}
		if err != nil {
			if !s.allow(w, r, "anonymous", "ip:"+ip.String(), s.cfg.RateLimits.Anonymous) {
				return
			}
			if code := warden.ErrorCode(err); code == warden.EUNAUTHORIZED || code == warden.EFORBIDDEN {
				s.metrics.authFailures.WithLabelValues(auth.FailureReason(err)).Inc()
				if code == warden.EUNAUTHORIZED {
					w.Header().Set("WWW-Authenticate", `Bearer realm="warden"`)
				}
			}
			s.writeError(w, r, err)
			return
		}
		info(r.Context()).actor = actor
		if !s.allow(w, r, string(actor.Role), actor.String(), s.cfg.RateLimits.For(actor.Role)) {
			return
		}
		if actor.Role == warden.RoleAdmin && len(s.adminNet) > 0 && !containsAddr(s.adminNet, ip) {
			s.metrics.authFailures.WithLabelValues("admin_network").Inc()
			s.writeError(w, r, warden.Errorf(warden.EFORBIDDEN, "admin requests are not allowed from %s", ip))
			return
		}
		if !slices.Contains(rt.Roles, actor.Role) {
			s.metrics.authFailures.WithLabelValues("role").Inc()
			s.writeError(w, r, warden.Errorf(warden.EFORBIDDEN, "role %s may not %s %s", actor.Role, rt.Method, rt.Pattern))
			return
		}
		next.ServeHTTP(w, r.WithContext(warden.NewContextWithActor(r.Context(), actor)))
	})
}

// allow takes a token from the client's bucket or answers 429 with
// Retry-After. A bucket holds rate.Count tokens, so a client may burst that
// many requests at once and then proceeds at the configured rate.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, role, client string, rate config.Rate) bool {
	ok, retry := s.limiter.allow(client, rate.PerSecond(), rate.Count)
	if ok {
		return true
	}
	s.metrics.rateLimited.WithLabelValues(role).Inc()
	secs := int(math.Ceil(retry.Seconds()))
	secs = max(secs, 1)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	s.writeError(w, r, warden.Errorf(warden.ERATELIMITED, "rate limit of %d per %s exceeded: retry in %ds", rate.Count, rate.Per, secs))
	return false
}
