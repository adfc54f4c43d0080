package httpapi

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/config"
)

// badBodies are sent to every endpoint that takes a JSON body; each must get
// a 4xx JSON error, never a 500, and must change nothing.
var badBodies = []struct {
	name        string
	body        string
	contentType string
	status      int
	code        string
	field       string
}{
	{"malformed", `{"name": "x",`, "application/json", 400, warden.EINVALID, ""},
	{"not an object", `["name"]`, "application/json", 400, warden.EINVALID, ""},
	{"unknown field", `{"name":"x","role":"service","admin":true}`, "application/json", 400, warden.EINVALID, "admin"},
	{"wrong type", `{"name":42,"role":"service"}`, "application/json", 400, warden.EINVALID, "name"},
	{"wrong type bool", `{"name":"x","role":true}`, "application/json", 400, warden.EINVALID, "role"},
	{"missing role", `{"name":"x"}`, "application/json", 400, warden.EINVALID, "role"},
	{"missing name", `{"role":"service"}`, "application/json", 400, warden.EINVALID, "name"},
	{"null name", `{"name":null,"role":"service"}`, "application/json", 400, warden.EINVALID, "name"},
	{"bad role", `{"name":"x","role":"root"}`, "application/json", 400, warden.EINVALID, "role"},
	{"bad expiry", `{"name":"x","role":"service","expires_in":"forever"}`, "application/json", 400, warden.EINVALID, "expires_in"},
	{"expiry too long", `{"name":"x","role":"service","expires_in":"999d"}`, "application/json", 400, warden.EINVALID, "expires_in"},
	{"empty", ``, "application/json", 400, warden.EINVALID, ""},
	{"whitespace", "  \n", "application/json", 400, warden.EINVALID, ""},
	{"trailing data", `{"name":"x","role":"service"} {}`, "application/json", 400, warden.EINVALID, ""},
	{"invalid utf-8", "{\"name\":\"\xff\xfe\",\"role\":\"service\"}", "application/json", 400, warden.EINVALID, ""},
	{"oversize", `{"name":"` + strings.Repeat("a", 5000) + `","role":"service"}`, "application/json", 413, warden.ETOOLARGE, ""},
	{"form encoded", `name=x&role=service`, "application/x-www-form-urlencoded", 415, warden.EUNSUPPORTED, "Content-Type"},
	{"no content type", `{"name":"x","role":"service"}`, "", 415, warden.EUNSUPPORTED, "Content-Type"},
	{"latin-1 charset", `{"name":"x","role":"service"}`, "application/json; charset=iso-8859-1", 415, warden.EUNSUPPORTED, "Content-Type"},
	{"deeply nested", strings.Repeat("[", 2000) + strings.Repeat("]", 2000), "application/json", 400, warden.EINVALID, ""},
	{"huge number", `{"name":"x","role":"service","expires_in":1e400}`, "application/json", 400, warden.EINVALID, "expires_in"},
}

func TestBadInputOnEveryBodyEndpoint(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.HTTP.MaxBodyBytes = 4096 })
	before, _ := e.keys.List(t.Context())
	for _, path := range []string{"/v1/apikeys"} {
		for _, b := range badBodies {
			r := e.do("POST", path, e.admin, b.body, "Content-Type", b.contentType)
			if r.status >= 500 {
				t.Fatalf("%s %s: %d", path, b.name, r.status)
			}
			got := r.apiError(t)
			if r.status != b.status || got.Code != b.code || (b.field != "" && got.Field != b.field) {
				t.Errorf("%s %s: %d %+v, want %d %s field %q", path, b.name, r.status, got, b.status, b.code, b.field)
			}
		}
	}
	after, _ := e.keys.List(t.Context())
	if len(after) != len(before) {
		t.Fatalf("bad requests created %d keys", len(after)-len(before))
	}
}

func TestActionEndpointsRefuseBodies(t *testing.T) {
	e := newEnv(t, nil)
	k, _, err := e.keys.Create(t.Context(), createReq("victim"))
	if err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"revoke", "rotate"} {
		e.do("POST", "/v1/apikeys/"+k.ID+"/"+action, e.admin, `{"force":true}`).wantError(t, 400, warden.EINVALID, "")
	}
	got, _ := e.keys.Get(t.Context(), k.ID)
	if !got.RevokedAt.IsZero() || got.RotatedTo != "" {
		t.Fatalf("a refused request changed the key: %+v", got)
	}
}

func TestBadIDsAndUnknownIDs(t *testing.T) {
	e := newEnv(t, nil)
	// Routes that need a body get a valid one, so that the id is what fails.
	bodies := map[string]string{
		"PUT /v1/customers/{id}":            amina,
		"PUT /v1/customers/{id}/owners":     `{"parties":[],"stakes":[],"control_person":""}`,
		"POST /v1/customers/{id}/documents": `{"kind":"national_id","number":"12345678"}`,
		"PUT /v1/rules/{id}":                `{"description":"d","expression":"true","action":"review","score":1,"severity":"low"}`,
		"POST /v1/rules/{id}/backtest":      `{"from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z"}`,
		"POST /v1/cases/{id}/assign":        `{"assignee":"alice"}`,
		"POST /v1/cases/{id}/transition":    `{"status":"investigating"}`,
		"POST /v1/cases/{id}/comments":      `{"text":"note"}`,
		"POST /v1/cases/{id}/attachments":   `{"name":"a.txt","content_base64":"aGk="}`,
		"POST /v1/cases/{id}/sar":           `{"narrative":"` + strings.Repeat("n", 60) + `"}`,
		"POST /v1/cases/{id}/sar/file":      `{"bsa_id":"1"}`,
		"POST /v1/customers/{id}/erase":     `{"reason":"data subject request DSR-1","relationship_ended_on":"2019-01-01"}`,
	}
	unknown := map[string]string{"/v1/documents/": "doc_0123456789abcdef", "/v1/cases/": "case_0123456789abcdef", "/v1/ctrs/": "ctr_20260101_0123456789ab", "/v1/alerts/": "alt_0123456789abcdef0123", "/v1/rules/": "no.such-rule"}
	for _, rt := range e.srv.Routes() {
		if !strings.Contains(rt.Pattern, "{id}") {
			continue
		}
		key := e.admin
		if !slices.Contains(rt.Roles, warden.RoleAdmin) {
			key = e.key(rt.Roles[0])
		}
		body := bodies[rt.Method+" "+rt.Pattern]
		bad := []string{strings.Repeat("a", 300), "%00", "..%2f..%2fetc", "bad%20id"}
		if rt.Method != "PUT" {
			bad = append(bad, "xyz", "0123456789AB")
		}
		for _, id := range bad {
			path := strings.ReplaceAll(strings.ReplaceAll(rt.Pattern, "{id}", id), "{attachment}", "att_0123456789abcdef")
			r := e.do(rt.Method, path, key, body)
			if r.status != 400 && r.status != 404 {
				t.Errorf("%s %s: status %d", rt.Method, path, r.status)
			}
			r.apiError(t)
		}
		if rt.Method == "PUT" { // PUT of an unknown id creates it
			continue
		}
		id := "0123456789ab"
		for prefix, u := range unknown {
			if strings.HasPrefix(rt.Pattern, prefix) {
				id = u
			}
		}
		e.do(rt.Method, strings.ReplaceAll(strings.ReplaceAll(rt.Pattern, "{id}", id), "{attachment}", "att_0123456789abcdef"), key, body).wantError(t, 404, warden.ENOTFOUND, "id")
	}
}

func TestUnknownPathsAndMethodsAreJSON(t *testing.T) {
	e := newEnv(t, nil)
	e.do("GET", "/v1/nothing", e.admin, "").wantError(t, 404, warden.ENOTFOUND, "")
	e.do("GET", "/", "", "").wantError(t, 404, warden.ENOTFOUND, "")
	r := e.do("DELETE", "/v1/apikeys", e.admin, "")
	r.wantError(t, 405, "method_not_allowed", "")
	if allow := r.header.Get("Allow"); allow != "GET, POST" {
		t.Fatalf("Allow %q", allow)
	}
	r = e.do("PUT", "/healthz", "", "")
	r.wantError(t, 405, "method_not_allowed", "")
}

func TestPanicsBecomeInternalErrors(t *testing.T) {
	e := newEnv(t, nil)
	e.srv.handle(Route{Method: "GET", Pattern: "/v1/test-panic", Roles: anyRole}, func(w http.ResponseWriter, r *http.Request) error {
		panic("boom")
	})
	e.srv.handle(Route{Method: "GET", Pattern: "/v1/test-error", Roles: anyRole}, func(w http.ResponseWriter, r *http.Request) error {
		return errors.New("database password=hunter2 failed")
	})
	got := e.do("GET", "/v1/test-panic", e.admin, "").wantError(t, 500, warden.EINTERNAL, "")
	if got.Message != "internal error" {
		t.Fatalf("panic message leaked: %q", got.Message)
	}
	got = e.do("GET", "/v1/test-error", e.admin, "").wantError(t, 500, warden.EINTERNAL, "")
	if got.Message != "internal error" {
		t.Fatalf("internal detail leaked: %q", got.Message)
	}
	if !strings.Contains(e.logs.String(), "boom") {
		t.Fatal("the panic was not logged")
	}
}

func TestDecodeErrorsName(t *testing.T) {
	var req createKeyRequest
	err := decodeBytes([]byte(`{"name":"x","role":"service","expires_in":5}`), &req)
	var e *warden.Error
	if !errors.As(err, &e) || e.Field != "expires_in" || !strings.Contains(e.Message, "must be a string") {
		t.Fatalf("%v", err)
	}
}
