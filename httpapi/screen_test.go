package httpapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wardenhq/warden"
)

func TestScreenOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	svc := e.key(warden.RoleService)
	r := e.do("POST", "/v1/screen", svc, `{"name":"Banco Nacionall de Cuba","type":"entity"}`)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var res struct {
		Hits []struct {
			List, EntryID string
			Score         float64
			Explanation   struct {
				Tokens []struct{ Query, List, How string }
			}
		} `json:"hits"`
		ListVersions []struct{ Source, ContentSHA256 string } `json:"list_versions"`
	}
	if err := json.Unmarshal(r.body, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].List != "ofac-sdn" || len(res.ListVersions) != 3 {
		t.Fatalf("%s", r.body)
	}
	if !strings.Contains(string(r.body), `"entry_id":"306"`) || !strings.Contains(string(r.body), `"how":"fuzzy"`) {
		t.Fatalf("hit or explanation missing: %s", r.body)
	}
	// No hit is an empty list, not null.
	r = e.do("POST", "/v1/screen", svc, `{"name":"Emily Johnson"}`)
	if r.status != 200 || !strings.Contains(string(r.body), `"hits":[]`) {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if r := e.do("GET", "/v1/lists", e.key(warden.RoleAuditor), ""); r.status != 200 || !strings.Contains(string(r.body), `"source":"un"`) {
		t.Fatalf("lists: %d %s", r.status, r.body)
	}
	// Auditors read, they do not screen.
	e.do("POST", "/v1/screen", e.key(warden.RoleAuditor), `{"name":"x"}`).wantError(t, 403, warden.EFORBIDDEN, "")
}

func TestScreenRejectsBadInput(t *testing.T) {
	e := newEnv(t, nil)
	svc := e.key(warden.RoleService)
	for _, c := range []struct{ body, field string }{
		{`{}`, "name"},
		{`{"name":""}`, "name"},
		{`{"name":42}`, "name"},
		{`{"name":"x","dob":"1960"}`, "dob"},
		{`{"name":"x","date_of_birth":"1960-02-30"}`, "date_of_birth"},
		{`{"name":"x","country":"Kenya"}`, "country"},
		{`{"name":"x","type":"person"}`, "type"},
		{`{"name":"x","threshold":"high"}`, "threshold"},
		{`{"name":"x","threshold":0.1}`, "threshold"},
		{`{"name":"x","lists":["eu"]}`, "lists"},
		{`{"name":"x","identifiers":[{"number":"1"}]}`, "identifiers"},
		{`{"name":"x","identifiers":{"number":"123"}}`, "identifiers"},
		{`{"name":"` + strings.Repeat("a", 301) + `"}`, "name"},
	} {
		e.do("POST", "/v1/screen", svc, c.body).wantError(t, 400, warden.EINVALID, c.field)
	}
	for _, b := range badBodies {
		if b.field == "" || b.field == "Content-Type" {
			r := e.do("POST", "/v1/screen", svc, b.body, "Content-Type", b.contentType)
			if r.status < 400 || r.status > 499 {
				t.Errorf("%s: %d", b.name, r.status)
			}
			r.apiError(t)
		}
	}
}

func TestClearancesOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	analyst, svc, auditor := e.key(warden.RoleAnalyst), e.key(warden.RoleService), e.key(warden.RoleAuditor)
	body := `{"subject":"cust-7","list":"ofac-sdn","entry_id":"306","reason":"customer is a bakery, not the bank"}`
	e.do("POST", "/v1/screening/clearances", svc, body).wantError(t, 403, warden.EFORBIDDEN, "")
	r := e.do("POST", "/v1/screening/clearances", analyst, body)
	if r.status != 201 || r.json(t)["entry_id"] != "306" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	res := e.do("POST", "/v1/screen", svc, `{"subject":"cust-7","name":"Banco Nacional de Cuba"}`)
	if res.status != 200 || !strings.Contains(string(res.body), `"cleared":[{"hit":{`) || strings.Contains(string(res.body), `"hits":[{"list":"ofac-sdn","entry_id":"306"`) {
		t.Fatalf("%s", res.body)
	}
	list := e.do("GET", "/v1/screening/clearances?subject=cust-7", auditor, "")
	if list.status != 200 || !strings.Contains(string(list.body), `"reason":"customer is a bakery, not the bank"`) {
		t.Fatalf("%d %s", list.status, list.body)
	}
	for _, c := range []struct{ body, field string }{
		{`{"list":"ofac-sdn","entry_id":"306","reason":"long enough reason"}`, "subject"},
		{`{"subject":"c","list":"ofac-sdn","entry_id":"306","reason":"short"}`, "reason"},
		{`{"subject":"c","list":"xx","entry_id":"306","reason":"long enough reason"}`, "list"},
		{`{"subject":"c","list":"ofac-sdn","entry_id":"306","reason":"long enough reason","extra":1}`, "extra"},
	} {
		e.do("POST", "/v1/screening/clearances", analyst, c.body).wantError(t, 400, warden.EINVALID, c.field)
	}
	e.do("POST", "/v1/screening/clearances", analyst, `{"subject":"c","list":"ofac-sdn","entry_id":"0","reason":"long enough reason"}`).wantError(t, 404, warden.ENOTFOUND, "entry_id")
	e.do("GET", "/v1/screening/clearances", auditor, "").wantError(t, 400, warden.EINVALID, "subject")
}
