package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Checks reported by Keycloak.
const (
	CheckKCOTPPolicy      = "keycloak.otp_policy"
	CheckKCTOTPRequired   = "keycloak.totp_required"
	CheckKCPasswordPolicy = "keycloak.password_policy"
	CheckKCSSOIdle        = "keycloak.sso_idle_timeout"
	CheckKCSSOMax         = "keycloak.sso_max_lifespan"
	CheckKCBruteForce     = "keycloak.brute_force"
)

var keycloakChecks = []string{CheckKCOTPPolicy, CheckKCTOTPRequired, CheckKCPasswordPolicy, CheckKCSSOIdle, CheckKCSSOMax, CheckKCBruteForce}

// KeycloakOptions configure Keycloak. The admin credentials log in with the
// resource-owner password grant against AdminRealm, as kcadm.sh does.
type KeycloakOptions struct {
	TLS        TLSOptions
	Realm      string
	AdminRealm string
	ClientID   string
	Username   string
	Password   string
}

// RealmRepresentation holds the fields of Keycloak's RealmRepresentation
// (GET /admin/realms/{realm}) the checks read.
type RealmRepresentation struct {
	Realm                           string `json:"realm"`
	OTPPolicyType                   string `json:"otpPolicyType"`
	OTPPolicyAlgorithm              string `json:"otpPolicyAlgorithm"`
	OTPPolicyDigits                 int    `json:"otpPolicyDigits"`
	OTPPolicyPeriod                 int    `json:"otpPolicyPeriod"`
	PasswordPolicy                  string `json:"passwordPolicy"`
	SSOSessionIdleTimeout           int    `json:"ssoSessionIdleTimeout"`
	SSOSessionMaxLifespan           int    `json:"ssoSessionMaxLifespan"`
	BruteForceProtected             bool   `json:"bruteForceProtected"`
	FailureFactor                   int    `json:"failureFactor"`
	PermanentLockout                bool   `json:"permanentLockout"`
	MaxFailureWaitSeconds           int    `json:"maxFailureWaitSeconds"`
	WaitIncrementSeconds            int    `json:"waitIncrementSeconds"`
	MinimumQuickLoginWaitSeconds    int    `json:"minimumQuickLoginWaitSeconds"`
	QuickLoginCheckMilliSeconds     int64  `json:"quickLoginCheckMilliSeconds"`
	MaxDeltaTimeSeconds             int    `json:"maxDeltaTimeSeconds"`
	OfflineSessionIdleTimeout       int    `json:"offlineSessionIdleTimeout"`
	AccessTokenLifespan             int    `json:"accessTokenLifespan"`
	ClientSessionIdleTimeout        int    `json:"clientSessionIdleTimeout"`
	ClientSessionMaxLifespan        int    `json:"clientSessionMaxLifespan"`
	SSOSessionIdleTimeoutRememberMe int    `json:"ssoSessionIdleTimeoutRememberMe"`
}

// RequiredAction is one entry of GET /admin/realms/{realm}/authentication/required-actions.
type RequiredAction struct {
	Alias         string `json:"alias"`
	Name          string `json:"name"`
	Enabled       bool   `json:"enabled"`
	DefaultAction bool   `json:"defaultAction"`
}

// Keycloak reads a realm's settings through the admin REST API and judges
// MFA, password policy, session lifetimes and brute-force protection.
func Keycloak(ctx context.Context, baseURL string, opts KeycloakOptions) []Finding {
	u, err := url.Parse(baseURL)
	if err != nil {
		return errorAll(err, keycloakChecks...)
	}
	if opts.TLS.ServerName == "" {
		opts.TLS.ServerName = u.Hostname()
	}
	var out []Finding
	if u.Scheme == "https" {
		_, tf := AnalyzeTLS(ctx, Direct(hostPort(u)), opts.TLS)
		out = append(out, tf...)
	}
	c := httpClient(opts.TLS, 2)
	defer c.CloseIdleConnections()
	base := strings.TrimSuffix(baseURL, "/")
	token, err := keycloakToken(ctx, c, base, opts)
	if err != nil {
		return append(out, errorAll(err, keycloakChecks...)...)
	}
	var realm RealmRepresentation
	if err := keycloakGet(ctx, c, base+"/admin/realms/"+url.PathEscape(opts.Realm), token, &realm); err != nil {
		return append(out, errorAll(err, keycloakChecks...)...)
	}
	var actions []RequiredAction
	if err := keycloakGet(ctx, c, base+"/admin/realms/"+url.PathEscape(opts.Realm)+"/authentication/required-actions", token, &actions); err != nil {
		out = append(out, errorAll(err, CheckKCTOTPRequired)...)
	} else {
		out = append(out, totpRequiredFinding(actions))
	}
	return append(out, RealmFindings(&realm)...)
}

func keycloakToken(ctx context.Context, c *http.Client, base string, opts KeycloakOptions) (string, error) {
	form := url.Values{"grant_type": {"password"}, "client_id": {opts.ClientID}, "username": {opts.Username}, "password": {opts.Password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/realms/"+url.PathEscape(opts.AdminRealm)+"/protocol/openid-connect/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("admin token: %w", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error_description"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&tok)
	if resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		return "", fmt.Errorf("admin token from realm %s: HTTP %d %s", opts.AdminRealm, resp.StatusCode, tok.Error)
	}
	return tok.AccessToken, nil
}

func keycloakGet(ctx context.Context, c *http.Client, u, token string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	return nil
}

func totpRequiredFinding(actions []RequiredAction) Finding {
	for _, a := range actions {
		if a.Alias != "CONFIGURE_TOTP" {
			continue
		}
		switch {
		case a.Enabled && a.DefaultAction:
			return finding(CheckKCTOTPRequired, Pass, "CONFIGURE_TOTP enabled and a default action for new users")
		case a.Enabled:
			return finding(CheckKCTOTPRequired, Fail, "CONFIGURE_TOTP enabled but not a default action: users are not made to enrol")
		}
		return finding(CheckKCTOTPRequired, Fail, "CONFIGURE_TOTP disabled")
	}
	return finding(CheckKCTOTPRequired, Fail, "no CONFIGURE_TOTP required action registered")
}

var policyTerm = regexp.MustCompile(`^\s*([A-Za-z]+)\s*(?:\(\s*([^)]*)\s*\))?\s*$`)

// PasswordPolicy parses Keycloak's policy string ("length(12) and
// upperCase(1) and ...") into term -> argument.
func PasswordPolicy(s string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(s, " and ") {
		if m := policyTerm.FindStringSubmatch(part); m != nil {
			out[m[1]] = m[2]
		}
	}
	return out
}

// RealmFindings judges a realm representation.
func RealmFindings(r *RealmRepresentation) []Finding {
	var out []Finding
	switch {
	case r.OTPPolicyType == "totp" && r.OTPPolicyDigits >= 6:
		out = append(out, finding(CheckKCOTPPolicy, Pass, "OTP policy %s, %d digits, %s, period %ds", r.OTPPolicyType, r.OTPPolicyDigits, r.OTPPolicyAlgorithm, r.OTPPolicyPeriod))
	case r.OTPPolicyType == "hotp" && r.OTPPolicyDigits >= 6:
		out = append(out, finding(CheckKCOTPPolicy, Warn, "OTP policy is counter-based HOTP, not TOTP"))
	default:
		out = append(out, finding(CheckKCOTPPolicy, Fail, "OTP policy type %q with %d digits", r.OTPPolicyType, r.OTPPolicyDigits))
	}
	pp := PasswordPolicy(r.PasswordPolicy)
	length, _ := strconv.Atoi(pp["length"])
	classes := 0
	for _, k := range []string{"upperCase", "lowerCase", "digits", "specialChars"} {
		if _, ok := pp[k]; ok {
			classes++
		}
	}
	switch {
	case length >= 12 && classes == 4:
		out = append(out, finding(CheckKCPasswordPolicy, Pass, "password policy %q", r.PasswordPolicy))
	case length >= 12 && classes >= 2:
		out = append(out, finding(CheckKCPasswordPolicy, Warn, "length %d but only %d of 4 character classes required: %q", length, classes, r.PasswordPolicy))
	case r.PasswordPolicy == "":
		out = append(out, finding(CheckKCPasswordPolicy, Fail, "no password policy"))
	default:
		out = append(out, finding(CheckKCPasswordPolicy, Fail, "minimum length %d (want 12+) with %d of 4 character classes: %q", length, classes, r.PasswordPolicy))
	}
	switch idle := r.SSOSessionIdleTimeout; {
	case idle <= 0:
		out = append(out, finding(CheckKCSSOIdle, Fail, "SSO session idle timeout not set"))
	case idle <= 30*60:
		out = append(out, finding(CheckKCSSOIdle, Pass, "SSO session idle timeout %d minutes", idle/60))
	default:
		out = append(out, finding(CheckKCSSOIdle, Fail, "SSO session idle timeout %d minutes (want at most 30)", idle/60))
	}
	switch mx := r.SSOSessionMaxLifespan; {
	case mx <= 0:
		out = append(out, finding(CheckKCSSOMax, Fail, "SSO session max lifespan not set"))
	case mx <= 8*3600:
		out = append(out, finding(CheckKCSSOMax, Pass, "SSO session max lifespan %.1f hours", float64(mx)/3600))
	default:
		out = append(out, finding(CheckKCSSOMax, Fail, "SSO session max lifespan %.1f hours (want at most 8)", float64(mx)/3600))
	}
	switch {
	case !r.BruteForceProtected:
		out = append(out, finding(CheckKCBruteForce, Fail, "brute-force detection disabled"))
	case r.FailureFactor > 10:
		out = append(out, finding(CheckKCBruteForce, Warn, "brute-force detection locks out after %d failures (want at most 10)", r.FailureFactor))
	default:
		out = append(out, finding(CheckKCBruteForce, Pass, "brute-force detection locks out after %d failures", r.FailureFactor))
	}
	return out
}
