// Package oidc verifies OpenID Connect bearer tokens (JWTs) issued by an
// external identity provider such as Keycloak and turns them into Warden
// actors. *Verifier implements auth.TokenVerifier.
package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/wardenhq/warden"
)

// DefaultRoleClaim is the claim read when Config.RoleClaim is empty.
const DefaultRoleClaim = "roles"

// Config configures a Verifier.
type Config struct {
	// IssuerURL identifies the issuer, e.g. https://keycloak.example/realms/bank.
	// It must use https; http is accepted only for loopback hosts, for tests.
	IssuerURL string
	// Audience is the aud value tokens must carry, usually the client id. Required.
	Audience string
	// RoleClaim is a dotted path to the claim holding role names, such as
	// "realm_access.roles" for Keycloak realm roles. Default "roles".
	RoleClaim string
	// RoleMap maps claim values to Warden role names. When empty, a claim
	// value that is a Warden role name maps to that role.
	RoleMap map[string]string
}

// Verifier checks tokens from one issuer. It is safe for concurrent use.
type Verifier struct {
	issuer   string
	audience string
	claim    string
	roleMap  map[string]warden.Role // nil: claim values are role names
	verifier *gooidc.IDTokenVerifier
}

// New validates cfg and discovers the issuer's metadata and keys. ctx bounds
// discovery; as with go-oidc, a client set with oidc.ClientContext is also
// used to fetch keys later.
func New(ctx context.Context, cfg Config) (*Verifier, error) {
	if err := validateIssuerURL(cfg.IssuerURL); err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.Audience) == "" {
		return nil, warden.FieldErrorf(warden.EINVALID, "oidc.audience", "OIDC audience is required: set it to the client id tokens are issued for")
	}
	roleMap, err := parseRoleMap(cfg.RoleMap)
	if err != nil {
		return nil, err
	}
	claim := cfg.RoleClaim
	if claim == "" {
		claim = DefaultRoleClaim
	}

	p, err := gooidc.NewProvider(ctx, cfg.IssuerURL)
	if err != nil {
		return nil, fmt.Errorf("oidc: discover issuer %s: %w", cfg.IssuerURL, err)
	}
	return &Verifier{
		issuer:   cfg.IssuerURL,
		audience: cfg.Audience,
		claim:    claim,
		roleMap:  roleMap,
		verifier: p.VerifierContext(ctx, &gooidc.Config{
			ClientID: cfg.Audience,
			// Only these, whatever the issuer advertises.
			SupportedSigningAlgs: []string{gooidc.RS256, gooidc.ES256},
		}),
	}, nil
}

func validateIssuerURL(s string) error {
	const field = "oidc.issuer_url"
	if s == "" {
		return warden.FieldErrorf(warden.EINVALID, field, "OIDC issuer URL is required")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return warden.FieldErrorf(warden.EINVALID, field, "OIDC issuer URL must be an absolute URL without credentials, query or fragment")
	}
	if u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname()) {
		return nil
	}
	return warden.FieldErrorf(warden.EINVALID, field, "OIDC issuer URL must use https (http only for 127.0.0.1, ::1 or localhost)")
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

func parseRoleMap(m map[string]string) (map[string]warden.Role, error) {
	if len(m) == 0 {
		return nil, nil
	}
	out := make(map[string]warden.Role, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		r, err := warden.ParseRole(m[k])
		if err != nil {
			return nil, warden.FieldErrorf(warden.EINVALID, "oidc.role_map", "OIDC role map entry %q: unknown role %q: want one of admin, analyst, auditor, service", k, m[k])
		}
		out[k] = r
	}
	return out, nil
}

// Verify checks token's signature, issuer, audience and expiry and returns
// the actor it names. Errors are *warden.Error: EUNAUTHORIZED for a token
// that is not valid, EFORBIDDEN for a valid one that grants no Warden role.
func (v *Verifier) Verify(ctx context.Context, token string) (warden.Actor, error) {
	idt, err := v.verifier.Verify(ctx, token)
	if err != nil {
		return warden.Actor{}, v.reject(token, err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return warden.Actor{}, invalid("malformed claims")
	}
	if idt.Subject == "" {
		return warden.Actor{}, invalid("no sub claim")
	}
	role, ok := v.role(claims)
	if !ok {
		return warden.Actor{}, warden.Errorf(warden.EFORBIDDEN, "OIDC token carries no Warden role in claim %s", v.claim)
	}
	return warden.Actor{
		Kind: warden.ActorOIDC,
		ID:   idt.Subject,
		Name: firstString(claims, "preferred_username", "email", "sub"),
		Role: role,
	}, nil
}

func invalid(reason string) error {
	return warden.Errorf(warden.EUNAUTHORIZED, "invalid OIDC token: %s", reason)
}

// reject turns a go-oidc verification error into an application error.
func (v *Verifier) reject(token string, err error) error {
	var expired *gooidc.TokenExpiredError
	if errors.As(err, &expired) {
		if expired.Expiry.IsZero() {
			return invalid("no exp claim")
		}
		return warden.Errorf(warden.EUNAUTHORIZED, "OIDC token expired at %s", expired.Expiry.UTC().Format(time.RFC3339))
	}
	return invalid(v.reason(token))
}

// nbfLeeway is the clock skew go-oidc allows on the nbf claim.
const nbfLeeway = 5 * time.Minute

// reason says briefly why go-oidc rejected token. go-oidc's errors are
// untyped apart from expiry and may quote the token, so reason re-reads the
// token without trusting it: a token whose header and claims look right must
// have failed the signature check (or the issuer's keys could not be fetched).
// It only explains a rejection; it never accepts a token.
func (v *Verifier) reason(token string) string {
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{
		jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
		jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
		jose.HS256, jose.HS384, jose.HS512, "none",
	})
	if err != nil || len(jws.Signatures) != 1 {
		return "malformed token"
	}
	if alg := jws.Signatures[0].Header.Algorithm; alg != string(jose.RS256) && alg != string(jose.ES256) {
		return fmt.Sprintf("unsupported signing algorithm %s", alg)
	}
	var c jwt.Claims
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &c); err != nil {
		return "malformed claims"
	}
	switch {
	case c.Issuer != v.issuer:
		return "wrong issuer"
	case !c.Audience.Contains(v.audience):
		return "wrong audience"
	case c.NotBefore != nil && time.Now().Add(nbfLeeway).Before(c.NotBefore.Time()):
		return "not valid yet"
	}
	return "signature could not be verified"
}

// role returns the most privileged Warden role that a value of the role
// claim maps to. The claim may be a string or an array of strings; other
// values are ignored.
func (v *Verifier) role(claims map[string]any) (warden.Role, bool) {
	var values []string
	switch x := lookup(claims, v.claim).(type) {
	case string:
		values = []string{x}
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				values = append(values, s)
			}
		}
	}
	var best warden.Role
	found := false
	for _, s := range values {
		r, ok := v.mapRole(s)
		if ok && (!found || privilege(r) > privilege(best)) {
			best, found = r, true
		}
	}
	return best, found
}

func (v *Verifier) mapRole(s string) (warden.Role, bool) {
	if v.roleMap != nil {
		r, ok := v.roleMap[s]
		return r, ok
	}
	r, err := warden.ParseRole(s)
	return r, err == nil
}

// privilege ranks roles for a token that maps to several of them, highest
// first: admin > analyst > auditor > service.
func privilege(r warden.Role) int {
	switch r {
	case warden.RoleAdmin:
		return 4
	case warden.RoleAnalyst:
		return 3
	case warden.RoleAuditor:
		return 2
	case warden.RoleService:
		return 1
	}
	return 0
}

// lookup resolves a dotted path such as "realm_access.roles" in claims. A
// claim whose name itself contains dots (e.g. "https://example.com/roles")
// matches literally first.
func lookup(claims map[string]any, path string) any {
	if v, ok := claims[path]; ok {
		return v
	}
	for i := range len(path) {
		if path[i] != '.' {
			continue
		}
		if sub, ok := claims[path[:i]].(map[string]any); ok {
			if v := lookup(sub, path[i+1:]); v != nil {
				return v
			}
		}
	}
	return nil
}

// firstString returns the first of the named claims that is a non-empty string.
func firstString(claims map[string]any, names ...string) string {
	for _, n := range names {
		if s, ok := claims[n].(string); ok && s != "" {
			return s
		}
	}
	return ""
}
