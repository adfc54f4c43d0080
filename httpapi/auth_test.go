package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/auth"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/internal/oidctest"
	"github.com/wardenhq/warden/oidc"
)

func TestPublicEndpointsNeedNoKey(t *testing.T) {
	e := newEnv(t, nil)
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		if r := e.do("GET", p, "", ""); r.status != http.StatusOK {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
}

func TestEveryOtherEndpointNeedsAKey(t *testing.T) {
	e := newEnv(t, nil)
	for _, rt := range e.srv.Routes() {
		if len(rt.Roles) == 0 {
			continue
		}
		path := strings.ReplaceAll(rt.Pattern, "{id}", "0123456789ab")
		r := e.do(rt.Method, path, "", `{}`)
		err := r.wantError(t, http.StatusUnauthorized, warden.EUNAUTHORIZED, "")
		if !strings.Contains(err.Message, "missing credentials") || r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s: %+v %v", rt.Method, rt.Pattern, err, r.header)
		}
	}
}

func TestAuthFailuresSayWhich(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	k, secret, err := e.keys.Create(ctx, auth.CreateKey{Name: "x", Role: warden.RoleAnalyst})
	if err != nil {
		t.Fatal(err)
	}
	if r := e.do("GET", "/v1/whoami", secret, ""); r.status != 200 || r.json(t)["role"] != "analyst" {
		t.Fatalf("valid key: %d %s", r.status, r.body)
	}
	// X-API-Key works too.
	if r := e.do("GET", "/v1/whoami", "", "", "X-API-Key", secret); r.status != 200 {
		t.Fatalf("X-API-Key: %d %s", r.status, r.body)
	}
	cases := []struct {
		name, key, fragment string
		headers             []string
	}{
		{"garbage", "wdn_garbage", "invalid API key", nil},
		{"wrong secret", secret[:len(secret)-2] + "xx", "invalid API key", nil},
		{"basic auth", "", "unsupported Authorization scheme", []string{"Authorization", "Basic dXNlcjpwYXNz"}},
		{"jwt without oidc", "eyJhbGciOiJSUzI1NiJ9.e30.sig", "OIDC is not configured", nil},
	}
	for _, c := range cases {
		r := e.do("GET", "/v1/whoami", c.key, "", c.headers...)
		if got := r.wantError(t, 401, warden.EUNAUTHORIZED, ""); !strings.Contains(got.Message, c.fragment) {
			t.Errorf("%s: message %q lacks %q", c.name, got.Message, c.fragment)
		}
	}
	if _, err := e.keys.Revoke(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	got := e.do("GET", "/v1/whoami", secret, "").wantError(t, 401, warden.EUNAUTHORIZED, "")
	if !strings.Contains(got.Message, "revoked") {
		t.Errorf("revoked: %q", got.Message)
	}
	// Expired: a key whose lifetime ended.
	expSvc := &auth.Service{Store: e.db, Now: func() time.Time { return time.Now().Add(-91 * 24 * time.Hour) }}
	old, oldSecret, err := expSvc.Create(ctx, auth.CreateKey{Name: "old", Role: warden.RoleAdmin, TTL: 90 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	got = e.do("GET", "/v1/whoami", oldSecret, "").wantError(t, 401, warden.EUNAUTHORIZED, "")
	if !strings.Contains(got.Message, "expired at") || !strings.Contains(got.Message, old.Prefix()) {
		t.Errorf("expired: %q", got.Message)
	}
	metrics := string(e.do("GET", "/metrics", "", "").body)
	for _, reason := range []string{"invalid", "revoked", "expired"} {
		if !strings.Contains(metrics, `warden_auth_failures_total{reason="`+reason+`"}`) {
			t.Errorf("metrics lack auth failure reason %s", reason)
		}
	}
}

func TestRolesAreEnforced(t *testing.T) {
	e := newEnv(t, nil)
	keys := map[warden.Role]string{warden.RoleAdmin: e.admin}
	for _, r := range []warden.Role{warden.RoleAnalyst, warden.RoleAuditor, warden.RoleService} {
		keys[r] = e.key(r)
	}
	for _, rt := range e.srv.Routes() {
		if len(rt.Roles) == 0 {
			continue
		}
		for role, key := range keys {
			allowed := false
			for _, a := range rt.Roles {
				allowed = allowed || a == role
			}
			path := strings.ReplaceAll(rt.Pattern, "{id}", "0123456789ab")
			r := e.do(rt.Method, path, key, `{}`)
			if allowed && r.status == 403 {
				t.Errorf("%s %s as %s: forbidden, want allowed", rt.Method, rt.Pattern, role)
			}
			if !allowed {
				got := r.wantError(t, 403, warden.EFORBIDDEN, "")
				if !strings.Contains(got.Message, "role "+string(role)) {
					t.Errorf("%s %s as %s: %q", rt.Method, rt.Pattern, role, got.Message)
				}
			}
		}
	}
}

func TestRateLimitPerClient(t *testing.T) {
	e := newEnv(t, func(c *config.Config) {
		c.RateLimits.Admin = config.Rate{Count: 5, Per: time.Minute}
		c.RateLimits.Anonymous = config.Rate{Count: 3, Per: time.Minute}
	})
	for i := range 5 {
		if r := e.do("GET", "/v1/whoami", e.admin, ""); r.status != 200 {
			t.Fatalf("request %d: %d", i+1, r.status)
		}
	}
	r := e.do("GET", "/v1/whoami", e.admin, "")
	r.wantError(t, http.StatusTooManyRequests, warden.ERATELIMITED, "")
	retry, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || retry < 1 || retry > 12 { // one token per 12s at 5/m
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	// Another admin key has its own bucket.
	other := e.key(warden.RoleAdmin)
	if r := e.do("GET", "/v1/whoami", other, ""); r.status != 200 {
		t.Fatalf("second client limited by the first: %d", r.status)
	}
	// Health and metrics are never limited.
	for range 10 {
		if r := e.do("GET", "/healthz", "", ""); r.status != 200 {
			t.Fatalf("healthz limited: %d", r.status)
		}
	}
	// Failed authentications are limited per IP.
	for range 3 {
		e.do("GET", "/v1/whoami", "wdn_bad", "").wantError(t, 401, warden.EUNAUTHORIZED, "")
	}
	e.do("GET", "/v1/whoami", "wdn_bad", "").wantError(t, 429, warden.ERATELIMITED, "")
	m := string(e.do("GET", "/metrics", "", "").body)
	if !strings.Contains(m, `warden_http_rate_limited_total{role="admin"} 1`) || !strings.Contains(m, `warden_http_rate_limited_total{role="anonymous"} 1`) {
		t.Errorf("rate-limit metrics missing:\n%s", grep(m, "rate_limited"))
	}
}

func TestServiceRoleDefaultAllowsHighThroughput(t *testing.T) {
	e := newEnv(t, nil)
	svc := e.key(warden.RoleService)
	for i := range 300 {
		if r := e.do("GET", "/v1/whoami", svc, ""); r.status != 200 {
			t.Fatalf("service request %d refused: %d", i, r.status)
		}
	}
}

func TestAdminNetworkAllowList(t *testing.T) {
	e := newEnv(t, func(c *config.Config) {
		c.Auth.AdminAllowedCIDRs = []string{"10.0.0.0/8"}
		c.HTTP.TrustedProxies = []string{"127.0.0.1/32"}
	})
	got := e.do("GET", "/v1/apikeys", e.admin, "").wantError(t, 403, warden.EFORBIDDEN, "")
	if !strings.Contains(got.Message, "127.0.0.1") {
		t.Errorf("message %q", got.Message)
	}
	// Through a trusted proxy, the forwarded client address counts.
	if r := e.do("GET", "/v1/apikeys", e.admin, "", "X-Forwarded-For", "10.1.2.3"); r.status != 200 {
		t.Fatalf("admin via proxy from 10.1.2.3: %d %s", r.status, r.body)
	}
	e.do("GET", "/v1/apikeys", e.admin, "", "X-Forwarded-For", "10.1.2.3, 192.0.2.7").wantError(t, 403, warden.EFORBIDDEN, "")
	// Other roles are not affected.
	if r := e.do("GET", "/v1/whoami", e.key(warden.RoleAnalyst), ""); r.status != 200 {
		t.Fatalf("analyst: %d", r.status)
	}
}

func TestForwardedForIgnoredFromUntrustedPeers(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Auth.AdminAllowedCIDRs = []string{"10.0.0.0/8"} })
	// No trusted proxies: a client cannot spoof its address.
	e.do("GET", "/v1/apikeys", e.admin, "", "X-Forwarded-For", "10.1.2.3").wantError(t, 403, warden.EFORBIDDEN, "")
}

func TestOIDCBearerTokens(t *testing.T) {
	iss := oidctest.Start(t)
	e := newEnv(t, nil)
	v, err := oidc.New(context.Background(), oidc.Config{IssuerURL: iss.URL, Audience: oidctest.Audience,
		RoleClaim: "realm_access.roles", RoleMap: map[string]string{"warden-analyst": "analyst", "warden-admin": "admin"}})
	if err != nil {
		t.Fatal(err)
	}
	e.keys.Tokens = v
	tok := iss.Token(t, map[string]any{"sub": "u-123", "preferred_username": "alice", "realm_access": map[string]any{"roles": []string{"offline_access", "warden-analyst"}}})
	r := e.do("GET", "/v1/whoami", tok, "")
	if r.status != 200 {
		t.Fatalf("oidc token: %d %s", r.status, r.body)
	}
	if m := r.json(t); m["kind"] != "oidc" || m["id"] != "u-123" || m["role"] != "analyst" || m["name"] != "alice" {
		t.Fatalf("actor %v", m)
	}
	// The analyst may not manage keys.
	e.do("GET", "/v1/apikeys", tok, "").wantError(t, 403, warden.EFORBIDDEN, "")
	// A token with no Warden role is authenticated but not authorised.
	none := iss.Token(t, map[string]any{"sub": "u-9", "realm_access": map[string]any{"roles": []string{"other"}}})
	e.do("GET", "/v1/whoami", none, "").wantError(t, 403, warden.EFORBIDDEN, "")
	// Expired and foreign tokens are refused with 401.
	expired := iss.Token(t, map[string]any{"sub": "u-1", "exp": time.Now().Add(-time.Minute).Unix(), "realm_access": map[string]any{"roles": []string{"warden-admin"}}})
	if got := e.do("GET", "/v1/whoami", expired, "").wantError(t, 401, warden.EUNAUTHORIZED, ""); !strings.Contains(got.Message, "expired") {
		t.Errorf("expired: %q", got.Message)
	}
	foreign := iss.ForeignToken(t, map[string]any{"sub": "u-1", "realm_access": map[string]any{"roles": []string{"warden-admin"}}})
	e.do("GET", "/v1/whoami", foreign, "").wantError(t, 401, warden.EUNAUTHORIZED, "")
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
