package oidc_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/auth"
	"github.com/wardenhq/warden/internal/oidctest"
	"github.com/wardenhq/warden/oidc"
)

var _ auth.TokenVerifier = (*oidc.Verifier)(nil)

func newVerifier(t *testing.T, iss *oidctest.Issuer, cfg oidc.Config) *oidc.Verifier {
	t.Helper()
	cfg.IssuerURL = iss.URL
	if cfg.Audience == "" {
		cfg.Audience = oidctest.Audience
	}
	v, err := oidc.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

func TestVerifyMapsRoles(t *testing.T) {
	iss := oidctest.Start(t)
	tests := []struct {
		name   string
		cfg    oidc.Config
		claims map[string]any
		want   warden.Actor
	}{
		{
			name:   "roles array",
			claims: map[string]any{"sub": "u1", "preferred_username": "alice", "email": "alice@bank.example", "roles": []string{"offline_access", "analyst"}},
			want:   warden.Actor{Kind: warden.ActorOIDC, ID: "u1", Name: "alice", Role: warden.RoleAnalyst},
		},
		{
			name:   "role string, name from email",
			claims: map[string]any{"sub": "u2", "email": "bob@bank.example", "roles": "auditor"},
			want:   warden.Actor{Kind: warden.ActorOIDC, ID: "u2", Name: "bob@bank.example", Role: warden.RoleAuditor},
		},
		{
			name:   "keycloak realm roles, name from sub",
			cfg:    oidc.Config{RoleClaim: "realm_access.roles"},
			claims: map[string]any{"sub": "u3", "roles": "service", "realm_access": map[string]any{"roles": []string{"default-roles-bank", "admin"}}},
			want:   warden.Actor{Kind: warden.ActorOIDC, ID: "u3", Name: "u3", Role: warden.RoleAdmin},
		},
		{
			name:   "claim name with dots",
			cfg:    oidc.Config{RoleClaim: "https://warden.example/roles"},
			claims: map[string]any{"sub": "u4", "https://warden.example/roles": []string{"auditor"}},
			want:   warden.Actor{Kind: warden.ActorOIDC, ID: "u4", Name: "u4", Role: warden.RoleAuditor},
		},
		{
			name: "role map",
			cfg: oidc.Config{RoleClaim: "groups", RoleMap: map[string]string{
				"warden-ops":     "admin",
				"compliance":     "analyst",
				"internal-audit": "auditor",
			}},
			// "admin" is not a key of the map, so it grants nothing.
			claims: map[string]any{"sub": "u5", "groups": []string{"admin", "internal-audit"}},
			want:   warden.Actor{Kind: warden.ActorOIDC, ID: "u5", Name: "u5", Role: warden.RoleAuditor},
		},
		{
			name:   "several roles: most privileged wins",
			claims: map[string]any{"sub": "u6", "roles": []string{"service", "auditor", "analyst"}},
			want:   warden.Actor{Kind: warden.ActorOIDC, ID: "u6", Name: "u6", Role: warden.RoleAnalyst},
		},
		{
			name:   "several roles: admin beats all",
			claims: map[string]any{"sub": "u7", "roles": []string{"service", "admin", "auditor"}},
			want:   warden.Actor{Kind: warden.ActorOIDC, ID: "u7", Name: "u7", Role: warden.RoleAdmin},
		},
		{
			name:   "audience array",
			claims: map[string]any{"sub": "u8", "aud": []string{"account", oidctest.Audience}, "roles": "service"},
			want:   warden.Actor{Kind: warden.ActorOIDC, ID: "u8", Name: "u8", Role: warden.RoleService},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(t, iss, tt.cfg)
			got, err := v.Verify(context.Background(), iss.Token(t, tt.claims))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got != tt.want {
				t.Errorf("actor = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestVerifyES256(t *testing.T) {
	iss := oidctest.Start(t)
	v := newVerifier(t, iss, oidc.Config{})
	got, err := v.Verify(context.Background(), iss.TokenAlg(t, jose.ES256, map[string]any{"sub": "u1", "roles": "admin"}))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got.Role != warden.RoleAdmin || got.ID != "u1" {
		t.Errorf("actor = %+v, want u1 as admin", got)
	}
}

// wantError asserts err is a *warden.Error with code and message.
func wantError(t *testing.T, err error, code, message string) {
	t.Helper()
	var e *warden.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want *warden.Error", err, err)
	}
	if e.Code != code || e.Message != message {
		t.Errorf("error = %s %q, want %s %q", e.Code, e.Message, code, message)
	}
}

func TestVerifyRejects(t *testing.T) {
	iss := oidctest.Start(t)
	other := oidctest.Start(t)
	v := newVerifier(t, iss, oidc.Config{})
	exp := time.Now().Add(-time.Minute).Truncate(time.Second)
	ok := map[string]any{"sub": "u1", "roles": "admin"}
	with := func(kv ...any) map[string]any {
		m := map[string]any{"sub": "u1", "roles": "admin"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	hs256 := func() string {
		// The classic key-confusion attack: HMAC keyed with public material.
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("0123456789abcdef0123456789abcdef")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		jws, err := s.Sign([]byte(`{"iss":"` + iss.URL + `","aud":"warden","sub":"u1","roles":"admin","exp":` + "9999999999" + `}`))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := jws.CompactSerialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}

	tests := []struct {
		name  string
		token string
		code  string
		msg   string
	}{
		{"expired", iss.Token(t, with("exp", exp)), warden.EUNAUTHORIZED, "OIDC token expired at " + exp.UTC().Format(time.RFC3339)},
		{"no exp", iss.Token(t, with("exp", nil)), warden.EUNAUTHORIZED, "invalid OIDC token: no exp claim"},
		{"wrong audience", iss.Token(t, with("aud", "someone-else")), warden.EUNAUTHORIZED, "invalid OIDC token: wrong audience"},
		{"no audience", iss.Token(t, with("aud", nil)), warden.EUNAUTHORIZED, "invalid OIDC token: wrong audience"},
		{"wrong issuer claim", iss.Token(t, with("iss", other.URL)), warden.EUNAUTHORIZED, "invalid OIDC token: wrong issuer"},
		{"token from another issuer", other.Token(t, ok), warden.EUNAUTHORIZED, "invalid OIDC token: wrong issuer"},
		{"other issuer's key, our iss", other.Token(t, with("iss", iss.URL)), warden.EUNAUTHORIZED, "invalid OIDC token: signature could not be verified"},
		{"foreign key", iss.ForeignToken(t, ok), warden.EUNAUTHORIZED, "invalid OIDC token: signature could not be verified"},
		{"not valid yet", iss.Token(t, with("nbf", time.Now().Add(time.Hour))), warden.EUNAUTHORIZED, "invalid OIDC token: not valid yet"},
		{"RS384 by trusted key", iss.TokenAlg(t, jose.RS384, ok), warden.EUNAUTHORIZED, "invalid OIDC token: unsupported signing algorithm RS384"},
		{"HS256", hs256(), warden.EUNAUTHORIZED, "invalid OIDC token: unsupported signing algorithm HS256"},
		{"garbage", "not-a-jwt", warden.EUNAUTHORIZED, "invalid OIDC token: malformed token"},
		{"empty", "", warden.EUNAUTHORIZED, "invalid OIDC token: malformed token"},
		{"no sub", iss.Token(t, with("sub", nil)), warden.EUNAUTHORIZED, "invalid OIDC token: no sub claim"},
		{"no roles claim", iss.Token(t, with("roles", nil)), warden.EFORBIDDEN, "OIDC token carries no Warden role in claim roles"},
		{"no known role", iss.Token(t, with("roles", []string{"offline_access", "Admin"})), warden.EFORBIDDEN, "OIDC token carries no Warden role in claim roles"},
		{"role claim of wrong type", iss.Token(t, with("roles", map[string]any{"admin": true})), warden.EFORBIDDEN, "OIDC token carries no Warden role in claim roles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(context.Background(), tt.token)
			if err == nil {
				t.Fatalf("Verify succeeded with %+v, want error", got)
			}
			if got != (warden.Actor{}) {
				t.Errorf("actor = %+v on error, want zero", got)
			}
			wantError(t, err, tt.code, tt.msg)
		})
	}
}

func TestVerifyTamperedPayload(t *testing.T) {
	iss := oidctest.Start(t)
	v := newVerifier(t, iss, oidc.Config{})
	auditor := strings.Split(iss.Token(t, map[string]any{"sub": "u1", "roles": "auditor"}), ".")
	admin := strings.Split(iss.Token(t, map[string]any{"sub": "u1", "roles": "admin"}), ".")
	// The auditor token's header and signature around the admin token's claims.
	_, err := v.Verify(context.Background(), auditor[0]+"."+admin[1]+"."+auditor[2])
	wantError(t, err, warden.EUNAUTHORIZED, "invalid OIDC token: signature could not be verified")
}

func TestVerifyForbiddenNamesConfiguredClaim(t *testing.T) {
	iss := oidctest.Start(t)
	v := newVerifier(t, iss, oidc.Config{RoleClaim: "realm_access.roles", RoleMap: map[string]string{"warden-admin": "admin"}})
	// A top-level "roles" claim and an unmapped realm role grant nothing.
	_, err := v.Verify(context.Background(), iss.Token(t, map[string]any{
		"sub": "u1", "roles": "admin", "realm_access": map[string]any{"roles": []string{"admin"}},
	}))
	wantError(t, err, warden.EFORBIDDEN, "OIDC token carries no Warden role in claim realm_access.roles")
}

func TestNewValidatesConfig(t *testing.T) {
	iss := oidctest.Start(t)
	tests := []struct {
		name  string
		cfg   oidc.Config
		field string
	}{
		{"no issuer", oidc.Config{Audience: "warden"}, "oidc.issuer_url"},
		{"http non-loopback issuer", oidc.Config{IssuerURL: "http://keycloak.example/realms/bank", Audience: "warden"}, "oidc.issuer_url"},
		{"http loopback look-alike", oidc.Config{IssuerURL: "http://127.0.0.1.nip.io/realms/bank", Audience: "warden"}, "oidc.issuer_url"},
		{"other scheme", oidc.Config{IssuerURL: "ftp://keycloak.example/realms/bank", Audience: "warden"}, "oidc.issuer_url"},
		{"relative issuer", oidc.Config{IssuerURL: "keycloak.example/realms/bank", Audience: "warden"}, "oidc.issuer_url"},
		{"issuer with query", oidc.Config{IssuerURL: "https://keycloak.example/realms/bank?x=1", Audience: "warden"}, "oidc.issuer_url"},
		{"issuer with credentials", oidc.Config{IssuerURL: "https://u:p@keycloak.example/realms/bank", Audience: "warden"}, "oidc.issuer_url"},
		{"no audience", oidc.Config{IssuerURL: iss.URL}, "oidc.audience"},
		{"blank audience", oidc.Config{IssuerURL: iss.URL, Audience: "  "}, "oidc.audience"},
		{"unknown role in map", oidc.Config{IssuerURL: iss.URL, Audience: "warden", RoleMap: map[string]string{"ops": "admin", "root": "superuser"}}, "oidc.role_map"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := oidc.New(context.Background(), tt.cfg)
			if err == nil {
				t.Fatalf("New succeeded (%v), want error", v)
			}
			var e *warden.Error
			if !errors.As(err, &e) {
				t.Fatalf("error = %v (%T), want *warden.Error", err, err)
			}
			if e.Code != warden.EINVALID || e.Field != tt.field {
				t.Errorf("error = %s field %q (%v), want %s field %q", e.Code, e.Field, err, warden.EINVALID, tt.field)
			}
		})
	}
}

func TestNewAcceptsLoopbackHTTP(t *testing.T) {
	// Nothing serves these, so New gets past validation and fails at discovery.
	for _, u := range []string{"http://localhost:1/realms/bank", "http://[::1]:1/realms/bank", "http://127.0.0.2:1/realms/bank"} {
		_, err := oidc.New(context.Background(), oidc.Config{IssuerURL: u, Audience: "warden"})
		if err == nil {
			t.Fatalf("New(%s) succeeded with nothing serving it", u)
		}
		var e *warden.Error
		if errors.As(err, &e) {
			t.Errorf("New(%s) = %v, want it to pass validation", u, err)
		}
	}
}

func TestNewDiscoveryError(t *testing.T) {
	iss := oidctest.Start(t)
	url := iss.URL + "/no-such-realm"
	_, err := oidc.New(context.Background(), oidc.Config{IssuerURL: url, Audience: "warden"})
	if err == nil {
		t.Fatal("New succeeded for an issuer without discovery document")
	}
	if !strings.Contains(err.Error(), url) {
		t.Errorf("error %q does not name the issuer %s", err, url)
	}
	if errors.Unwrap(err) == nil {
		t.Errorf("error %q does not wrap the cause", err)
	}
}
