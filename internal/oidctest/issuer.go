// Package oidctest runs a local OpenID Connect issuer that signs real JWTs,
// for tests of code that verifies OIDC tokens.
package oidctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Audience is the aud claim Token sets unless the caller sets one.
const Audience = "warden"

// Key IDs of the issuer's signing keys, as published in its JWKS.
const (
	RSAKeyID = "rsa-1"
	ECKeyID  = "ec-1"
)

// Issuer is an OIDC issuer served over HTTP on 127.0.0.1. It publishes a
// discovery document and a JWKS holding a fresh RSA 2048 key and a P-256 key.
type Issuer struct {
	// URL is the issuer identifier, also the base of its endpoints.
	URL string

	rsaKey *rsa.PrivateKey
	ecKey  *ecdsa.PrivateKey
}

// Start runs an issuer until the test ends.
func Start(t testing.TB) *Issuer {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("oidctest: generate RSA key: %v", err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("oidctest: generate EC key: %v", err)
	}
	i := &Issuer{rsaKey: rsaKey, ecKey: ecKey}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{
			"issuer":                   i.URL,
			"jwks_uri":                 i.URL + "/jwks",
			"authorization_endpoint":   i.URL + "/authorize",
			"token_endpoint":           i.URL + "/token",
			"response_types_supported": []string{"code"},
			"subject_types_supported":  []string{"public"},
			// More than a verifier should accept, as real issuers advertise,
			// so that tests show the verifier restricts algorithms itself.
			"id_token_signing_alg_values_supported": []string{"RS256", "RS384", "RS512", "PS256", "ES256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
			{Key: rsaKey.Public(), KeyID: RSAKeyID, Use: "sig"},
			{Key: ecKey.Public(), KeyID: ECKeyID, Use: "sig"},
		}})
	})

	srv := httptest.NewUnstartedServer(mux)
	i.URL = "http://" + srv.Listener.Addr().String()
	srv.Start()
	t.Cleanup(srv.Close)
	return i
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// Token returns an RS256 JWT signed by the issuer's key. It sets iss to the
// issuer, aud to Audience, iat to now and exp to an hour from now, unless
// claims has those keys. A claim whose value is nil is left out of the token,
// and time.Time values are written as Unix seconds.
func (i *Issuer) Token(t testing.TB, claims map[string]any) string {
	t.Helper()
	return i.TokenAlg(t, jose.RS256, claims)
}

// TokenAlg is like Token but signs with alg: RS*/PS* algorithms use the
// issuer's RSA key and ES256 its P-256 key.
func (i *Issuer) TokenAlg(t testing.TB, alg jose.SignatureAlgorithm, claims map[string]any) string {
	t.Helper()
	var key crypto.Signer
	var kid string
	switch alg {
	case jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512:
		key, kid = i.rsaKey, RSAKeyID
	case jose.ES256:
		key, kid = i.ecKey, ECKeyID
	default:
		t.Fatalf("oidctest: no issuer key for algorithm %s", alg)
	}
	return i.sign(t, alg, key, kid, claims)
}

// ForeignToken is like Token but signed by a fresh RSA key the issuer does not
// publish. It carries the issuer's own key ID, so only a real signature check
// rejects it.
func (i *Issuer) ForeignToken(t testing.TB, claims map[string]any) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("oidctest: generate RSA key: %v", err)
	}
	return i.sign(t, jose.RS256, key, RSAKeyID, claims)
}

func (i *Issuer) sign(t testing.TB, alg jose.SignatureAlgorithm, key crypto.Signer, kid string, claims map[string]any) string {
	t.Helper()
	now := time.Now()
	all := map[string]any{
		"iss": i.URL,
		"aud": Audience,
		"iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(),
	}
	for k, v := range claims {
		switch v := v.(type) {
		case nil:
			delete(all, k)
		case time.Time:
			all[k] = v.Unix()
		default:
			all[k] = v
		}
	}
	payload, err := json.Marshal(all)
	if err != nil {
		t.Fatalf("oidctest: encode claims: %v", err)
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		t.Fatalf("oidctest: new signer: %v", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatalf("oidctest: sign: %v", err)
	}
	token, err := jws.CompactSerialize()
	if err != nil {
		t.Fatalf("oidctest: serialize: %v", err)
	}
	return token
}
