package probe

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Keycloak has no Debian package: fakeKeycloak serves the documented admin
// REST API (token endpoint, GET /admin/realms/{realm} returning a
// RealmRepresentation, GET .../authentication/required-actions) from a local
// server. The JSON field names are Keycloak's.
func fakeKeycloak(t *testing.T, realm map[string]any, actions []map[string]any) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /realms/master/protocol/openid-connect/token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.Form.Get("grant_type") != "password" || r.Form.Get("client_id") != "admin-cli" ||
			r.Form.Get("username") != "admin" || r.Form.Get("password") != "kc-admin-pass" {
			w.WriteHeader(http.StatusUnauthorized)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant", "error_description": "Invalid user credentials"})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "tok-123", "expires_in": 60, "token_type": "Bearer"})
	})
	auth := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer tok-123" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("GET /admin/realms/fineract", auth(func(w http.ResponseWriter, r *http.Request) { _ = json.NewEncoder(w).Encode(realm) }))
	mux.HandleFunc("GET /admin/realms/fineract/authentication/required-actions", auth(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(actions)
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func hardenedRealm() map[string]any {
	return map[string]any{"realm": "fineract", "enabled": true, "otpPolicyType": "totp", "otpPolicyAlgorithm": "HmacSHA1",
		"otpPolicyDigits": 6, "otpPolicyPeriod": 30,
		"passwordPolicy":        "length(12) and upperCase(1) and lowerCase(1) and digits(1) and specialChars(1) and notUsername(undefined)",
		"ssoSessionIdleTimeout": 1800, "ssoSessionMaxLifespan": 28800, "bruteForceProtected": true, "failureFactor": 5}
}

func requiredActions(totpDefault bool) []map[string]any {
	return []map[string]any{
		{"alias": "VERIFY_EMAIL", "name": "Verify Email", "providerId": "VERIFY_EMAIL", "enabled": true, "defaultAction": false, "priority": 50},
		{"alias": "CONFIGURE_TOTP", "name": "Configure OTP", "providerId": "CONFIGURE_TOTP", "enabled": true, "defaultAction": totpDefault, "priority": 10},
	}
}

func kcOpts() KeycloakOptions {
	return KeycloakOptions{Realm: "fineract", AdminRealm: "master", ClientID: "admin-cli", Username: "admin", Password: "kc-admin-pass"}
}

func TestKeycloakProbeHardened(t *testing.T) {
	srv := fakeKeycloak(t, hardenedRealm(), requiredActions(true))
	fs := Keycloak(probeCtx(t), srv.URL, kcOpts())
	want(t, fs, CheckKCOTPPolicy, Pass, "totp, 6 digits")
	want(t, fs, CheckKCTOTPRequired, Pass, "default action")
	want(t, fs, CheckKCPasswordPolicy, Pass, "length(12)")
	want(t, fs, CheckKCSSOIdle, Pass, "30 minutes")
	want(t, fs, CheckKCSSOMax, Pass, "8.0 hours")
	want(t, fs, CheckKCBruteForce, Pass, "5 failures")
}

func TestKeycloakProbeWeak(t *testing.T) {
	// Keycloak's out-of-the-box realm: no password policy, 10 h sessions.
	realm := map[string]any{"realm": "fineract", "otpPolicyType": "totp", "otpPolicyDigits": 6, "passwordPolicy": "length(8) and digits(1)",
		"ssoSessionIdleTimeout": 3600, "ssoSessionMaxLifespan": 36000, "bruteForceProtected": false}
	srv := fakeKeycloak(t, realm, requiredActions(false))
	fs := Keycloak(probeCtx(t), srv.URL, kcOpts())
	want(t, fs, CheckKCTOTPRequired, Fail, "not a default action")
	want(t, fs, CheckKCPasswordPolicy, Fail, "minimum length 8")
	want(t, fs, CheckKCSSOIdle, Fail, "60 minutes")
	want(t, fs, CheckKCSSOMax, Fail, "10.0 hours")
	want(t, fs, CheckKCBruteForce, Fail, "disabled")
}

func TestKeycloakProbeBadCredentials(t *testing.T) {
	srv := fakeKeycloak(t, hardenedRealm(), requiredActions(true))
	o := kcOpts()
	o.Password = "wrong"
	fs := Keycloak(probeCtx(t), srv.URL, o)
	f := want(t, fs, CheckKCOTPPolicy, Error, "HTTP 401")
	if !strings.Contains(f.Evidence, "Invalid user credentials") {
		t.Errorf("evidence %q lacks Keycloak's reason", f.Evidence)
	}
}

func TestPasswordPolicyParse(t *testing.T) {
	p := PasswordPolicy("length(14) and upperCase(2) and notUsername(undefined) and passwordHistory(5)")
	if p["length"] != "14" || p["upperCase"] != "2" || p["notUsername"] != "undefined" || p["passwordHistory"] != "5" || len(p) != 4 {
		t.Fatalf("parsed %v", p)
	}
}
