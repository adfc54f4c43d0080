package httpapi

import (
	"strings"
	"testing"

	"github.com/wardenhq/warden"
)

const amina = `{"type":"individual","given_names":"Amina","surname":"Otieno","date_of_birth":"1990-05-01","nationality":"KE","country":"KE"}`

func TestCustomersOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	svc, analyst, auditor := e.key(warden.RoleService), e.key(warden.RoleAnalyst), e.key(warden.RoleAuditor)
	r := e.do("PUT", "/v1/customers/cust-1", svc, amina)
	if r.status != 201 || r.json(t)["version"] != float64(1) {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", "/v1/customers/cust-1", svc, amina); r.status != 200 || r.json(t)["version"] != float64(1) {
		t.Fatalf("same again: %d %s", r.status, r.body)
	}
	r = e.do("PUT", "/v1/customers/cust-1", svc, strings.Replace(amina, "Otieno", "Kamau", 1))
	if r.status != 200 || r.json(t)["version"] != float64(2) || r.json(t)["updated_by"] == "" {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	if g := e.do("GET", "/v1/customers/cust-1", auditor, ""); g.status != 200 || g.json(t)["surname"] != "Kamau" || g.json(t)["screening"] == nil {
		t.Fatalf("get: %d %s", g.status, g.body)
	}
	bank := e.do("PUT", "/v1/customers/biz-1", svc, `{"type":"entity","legal_name":"Banco Nacional de Cuba","registration_number":"R1","country":"CU"}`)
	if bank.status != 201 || !strings.Contains(string(bank.body), `"entry_id":"306"`) {
		t.Fatalf("screening on create: %d %s", bank.status, bank.body)
	}
	v := e.do("GET", "/v1/customers/cust-1/versions", analyst, "")
	if vs, _ := v.json(t)["versions"].([]any); v.status != 200 || len(vs) != 2 {
		t.Fatalf("versions: %d %s", v.status, v.body)
	}
	// Analysts read; only the core system writes.
	e.do("PUT", "/v1/customers/cust-1", analyst, amina).wantError(t, 403, warden.EFORBIDDEN, "")
	e.do("GET", "/v1/customers/nobody", svc, "").wantError(t, 404, warden.ENOTFOUND, "id")
	// Every change is in the audit log.
	a := e.do("GET", "/v1/audit/entries?from=0&to=1000", auditor, "")
	if strings.Count(string(a.body), `"action":"customer.create"`) != 2 || strings.Count(string(a.body), `"action":"customer.update"`) != 1 {
		t.Fatalf("audit: %s", a.body)
	}
}

func TestCustomerBadInput(t *testing.T) {
	e := newEnv(t, nil)
	svc := e.key(warden.RoleService)
	for _, c := range []struct{ path, body, field string }{
		{"/v1/customers/bad%20id", amina, "id"},
		{"/v1/customers/c", `{"type":"individual"}`, "given_names"},
		{"/v1/customers/c", strings.Replace(amina, `"1990-05-01"`, `"1990-02-30"`, 1), "date_of_birth"},
		{"/v1/customers/c", strings.Replace(amina, `"nationality":"KE"`, `"nationality":"Kenya"`, 1), "nationality"},
		{"/v1/customers/c", strings.Replace(amina, `}`, `,"balance":1.5}`, 1), "balance"},
		{"/v1/customers/c", strings.Replace(amina, `"Amina"`, `42`, 1), "given_names"},
		{"/v1/customers/c", `{"type":"entity","legal_name":"ACME","country":"KE"}`, "registration_number"},
	} {
		e.do("PUT", c.path, svc, c.body).wantError(t, 400, warden.EINVALID, c.field)
	}
	for _, b := range badBodies {
		r := e.do("PUT", "/v1/customers/c", svc, b.body, "Content-Type", b.contentType)
		if r.status < 400 || r.status > 499 {
			t.Errorf("%s: %d", b.name, r.status)
		}
		r.apiError(t)
	}
	e.do("GET", "/v1/customers/c", svc, "").wantError(t, 404, warden.ENOTFOUND, "id")
}

func TestDocumentsOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	svc, analyst := e.key(warden.RoleService), e.key(warden.RoleAnalyst)
	if r := e.do("PUT", "/v1/customers/c1", svc, strings.Replace(amina, `"country":"KE"`, `"country":"KE","phone":"+254712345678"`, 1)); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if tier := e.do("GET", "/v1/customers/c1", svc, "").json(t)["tier"].(map[string]any); tier["tier"] != "minimal" {
		t.Fatalf("tier %v", tier)
	}
	r := e.do("POST", "/v1/customers/c1/documents", svc, `{"kind":"national_id","number":"12345678"}`)
	if r.status != 201 || r.json(t)["status"] != "submitted" {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)
	e.do("POST", "/v1/documents/"+id+"/verify", svc, "").wantError(t, 403, warden.EFORBIDDEN, "")
	e.do("POST", "/v1/documents/"+id+"/reject", analyst, `{}`).wantError(t, 400, warden.EINVALID, "reason")
	if v := e.do("POST", "/v1/documents/"+id+"/verify", analyst, ""); v.status != 200 || v.json(t)["status"] != "verified" {
		t.Fatalf("verify: %d %s", v.status, v.body)
	}
	e.do("POST", "/v1/documents/"+id+"/verify", analyst, "").wantError(t, 409, warden.ECONFLICT, "")
	if tier := e.do("GET", "/v1/customers/c1", svc, "").json(t)["tier"].(map[string]any); tier["tier"] != "full" {
		t.Fatalf("tier after a verified national id: %v", tier)
	}
	if l := e.do("GET", "/v1/customers/c1/documents", analyst, ""); l.status != 200 || !strings.Contains(string(l.body), `"status":"verified"`) {
		t.Fatalf("list: %d %s", l.status, l.body)
	}
	for _, c := range []struct{ body, field string }{
		{`{"kind":"selfie"}`, "kind"},
		{`{"kind":"national_id","number":"1"}`, "kenya_national_id"},
		{`{"kind":"passport","mrz":"P<UTO"}`, "mrz"},
		{`{"kind":"proof_of_address","issued_on":"2001-01-01"}`, "proof_of_address.issued"},
		{`{"kind":"ssn","number":"123-45-6789","extra":true}`, "extra"},
	} {
		e.do("POST", "/v1/customers/c1/documents", svc, c.body).wantError(t, 400, warden.EINVALID, c.field)
	}
	e.do("POST", "/v1/customers/nobody/documents", svc, `{"kind":"national_id","number":"12345678"}`).wantError(t, 404, warden.ENOTFOUND, "id")
	e.do("POST", "/v1/documents/doc_0000000000000000/verify", analyst, "").wantError(t, 404, warden.ENOTFOUND, "id")
	e.do("POST", "/v1/documents/nope/verify", analyst, "").wantError(t, 400, warden.EINVALID, "id")
}

func TestOwnersOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	svc, auditor := e.key(warden.RoleService), e.key(warden.RoleAuditor)
	if r := e.do("PUT", "/v1/customers/biz-1", svc, `{"type":"entity","legal_name":"Lakeview Holdings","registration_number":"R1","country":"KE"}`); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	body := `{"parties":[{"id":"kim","kind":"individual","name":"Kim Jong Un"},{"id":"amina","kind":"individual","name":"Amina Otieno"}],
		"stakes":[{"owner":"kim","owned":"biz-1","basis_points":5000},{"owner":"amina","owned":"biz-1","basis_points":5000}],"control_person":"amina"}`
	r := e.do("PUT", "/v1/customers/biz-1/owners", svc, body)
	if r.status != 200 || r.json(t)["blocked_by_ownership"] != true || !strings.Contains(string(r.body), `"party_id":"amina"`) {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if g := e.do("GET", "/v1/customers/biz-1/owners", auditor, ""); g.status != 200 || g.json(t)["blocked_by_ownership"] != true {
		t.Fatalf("get: %d %s", g.status, g.body)
	}
	// Blocked by ownership: the customer's risk is high, with the factor.
	c := e.do("GET", "/v1/customers/biz-1", auditor, "")
	if risk, _ := c.json(t)["risk"].(map[string]any); risk["rating"] != "high" || !strings.Contains(string(c.body), "50% rule") {
		t.Fatalf("risk: %s", c.body)
	}
	e.do("PUT", "/v1/customers/biz-1/owners", svc, strings.Replace(body, "5000},{", "6000},{", 1)).wantError(t, 400, warden.EINVALID, "")
	e.do("PUT", "/v1/customers/biz-1/owners", svc, `{"parties":[],"stakes":[],"control_person":"","x":1}`).wantError(t, 400, warden.EINVALID, "x")
	e.do("GET", "/v1/customers/biz-2/owners", auditor, "").wantError(t, 404, warden.ENOTFOUND, "id")
}

func TestCustomerExport(t *testing.T) {
	e := newEnv(t, nil)
	svc, analyst := e.key(warden.RoleService), e.key(warden.RoleAnalyst)
	e.do("PUT", "/v1/customers/c9", svc, amina)
	e.do("PUT", "/v1/customers/c9", svc, strings.Replace(amina, "Otieno", "Kamau", 1))
	e.do("POST", "/v1/customers/c9/documents", svc, `{"kind":"national_id","number":"12345678"}`)
	e.do("POST", "/v1/screening/clearances", analyst, `{"subject":"c9","list":"ofac-sdn","entry_id":"306","reason":"not the bank, a bakery"}`)
	e.do("GET", "/v1/customers/c9/export", analyst, "").wantError(t, 403, warden.EFORBIDDEN, "")
	r := e.do("GET", "/v1/customers/c9/export", e.admin, "")
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	m := r.json(t)
	if vs, _ := m["versions"].([]any); len(vs) != 2 {
		t.Fatalf("versions: %s", r.body)
	}
	if ds, _ := m["documents"].([]any); len(ds) != 1 {
		t.Fatalf("documents: %s", r.body)
	}
	if cs, _ := m["screening_clearances"].([]any); len(cs) != 1 || m["risk"] == nil {
		t.Fatalf("clearances or risk: %s", r.body)
	}
	a := e.do("GET", "/v1/audit/entries?from=0&to=1000", e.admin, "")
	if !strings.Contains(string(a.body), `"action":"customer.export"`) {
		t.Fatal("export not audited")
	}
	e.do("GET", "/v1/customers/nobody/export", e.admin, "").wantError(t, 404, warden.ENOTFOUND, "id")
}

func TestCustomerEraseOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	svc := e.key(warden.RoleService)
	e.do("PUT", "/v1/customers/c9", svc, amina)
	body := `{"reason":"data subject request DSR-7","relationship_ended_on":"2019-01-01"}`
	e.do("POST", "/v1/customers/c9/erase", e.key(warden.RoleAnalyst), body).wantError(t, 403, warden.EFORBIDDEN, "")
	// Just created: the records must be kept five more years.
	er := e.do("POST", "/v1/customers/c9/erase", e.admin, body).wantError(t, 409, warden.ECONFLICT, "relationship_ended_on")
	if !strings.Contains(er.Message, "must be kept until") {
		t.Fatalf("refusal %q", er.Message)
	}
	e.do("POST", "/v1/customers/c9/erase", e.admin, `{"reason":"x","relationship_ended_on":"2019-01-01"}`).wantError(t, 400, warden.EINVALID, "reason")
	e.do("POST", "/v1/customers/c9/erase", e.admin, `{"reason":"data subject request","relationship_ended_on":"2019-01-01","now":1}`).wantError(t, 400, warden.EINVALID, "now")
	e.do("POST", "/v1/customers/nobody/erase", e.admin, body).wantError(t, 404, warden.ENOTFOUND, "id")
	// The audit log never held the customer's personal data in clear.
	a := e.do("GET", "/v1/audit/entries?from=0&to=1000", e.admin, "")
	if !strings.Contains(string(a.body), `"customer.create"`) || strings.Contains(string(a.body), "Otieno") || !strings.Contains(string(a.body), "hmac-sha256:") {
		t.Fatalf("audit entries: %s", a.body)
	}
}
