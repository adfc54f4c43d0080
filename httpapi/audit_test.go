package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
)

func TestAuditTrailOfKeyChangesOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	auditor := e.key(warden.RoleAuditor)
	r := e.do("POST", "/v1/apikeys", e.admin, `{"name":"fineract","role":"service"}`, "X-Request-Id", "req-create-1")
	if r.status != 201 {
		t.Fatal(r.status)
	}
	created := r.json(t)
	id, secret := created["id"].(string), created["key"].(string)
	e.do("POST", "/v1/apikeys/"+id+"/rotate", e.admin, "")
	e.do("POST", "/v1/apikeys/"+id+"/revoke", e.admin, "")

	page := e.do("GET", "/v1/audit/entries?from=0&to=1000", auditor, "")
	if page.status != 200 {
		t.Fatalf("%d %s", page.status, page.body)
	}
	if strings.Contains(string(page.body), secret) || strings.Contains(string(page.body), secret[len(secret)-43:]) {
		t.Fatal("the audit log holds a key secret")
	}
	var body struct {
		Size    int64 `json:"size"`
		Entries []struct {
			Index    int64           `json:"index"`
			LeafHash tlog.Hash       `json:"leaf_hash"`
			Entry    json.RawMessage `json:"entry"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(page.body, &body); err != nil {
		t.Fatal(err)
	}
	var actions []string
	var create *audit.Entry
	for _, en := range body.Entries {
		if tlog.RecordHash(en.Entry) != en.LeafHash {
			t.Fatalf("entry %d: leaf hash does not match the entry bytes", en.Index)
		}
		a, err := audit.ParseEntry(en.Entry)
		if err != nil {
			t.Fatal(err)
		}
		actions = append(actions, a.Action+":"+a.Subject.ID)
		if a.Action == "apikey.create" && a.Subject.ID == id {
			create = a
		}
	}
	// The admin and auditor keys of the fixture, then the API's changes.
	want := fmt.Sprintf("apikey.create:%s apikey.rotate:%s", id, id)
	if !strings.Contains(strings.Join(actions, " "), want) || !strings.Contains(strings.Join(actions, " "), "apikey.revoke:"+id) {
		t.Fatalf("actions %v lack %s and the revocation", actions, want)
	}
	if create == nil || create.RequestID != "req-create-1" || create.Actor.Kind != "api_key" || create.Actor.ID != strings.Split(e.admin, "_")[1] {
		t.Fatalf("create entry %+v", create)
	}

	// The checkpoint verifies with the published key, and an inclusion proof
	// ties the create entry to its root.
	// Sign one now, so that it covers the entries above.
	if _, err := e.audit.Checkpoint(t.Context()); err != nil {
		t.Fatal(err)
	}
	cpResp := e.do("GET", "/v1/audit/checkpoint", auditor, "")
	var cp struct {
		Size int64  `json:"size"`
		Note string `json:"note"`
	}
	json.Unmarshal(cpResp.body, &cp)
	keys := e.do("GET", "/v1/audit/public-keys", auditor, "").json(t)
	if keys["current"] != e.vkey {
		t.Fatalf("public keys %v", keys)
	}
	v, _ := note.NewVerifier(keys["current"].(string))
	_, size, root, err := audit.OpenCheckpoint([]byte(cp.Note), note.VerifierList(v))
	if err != nil || size != cp.Size || size < 1 {
		t.Fatalf("checkpoint %+v: %v", cp, err)
	}
	idx := create.Index
	if idx >= size {
		t.Fatalf("create entry %d is beyond the checkpoint %d", idx, size)
	}
	pr := e.do("GET", fmt.Sprintf("/v1/audit/proofs/inclusion?index=%d&size=%d", idx, size), auditor, "")
	var ip audit.InclusionProof
	if err := json.Unmarshal(pr.body, &ip); err != nil || pr.status != 200 {
		t.Fatalf("%d %s", pr.status, pr.body)
	}
	if ip.RootHash != root || tlog.CheckRecord(ip.Proof, size, root, idx, ip.LeafHash) != nil || ip.LeafHash != body.Entries[idx].LeafHash {
		t.Fatal("inclusion proof does not tie the entry to the signed root")
	}
	cr := e.do("GET", fmt.Sprintf("/v1/audit/proofs/consistency?from=1&to=%d", size), auditor, "")
	var cpf audit.ConsistencyProof
	if err := json.Unmarshal(cr.body, &cpf); err != nil || cr.status != 200 {
		t.Fatalf("%d %s", cr.status, cr.body)
	}
	if cpf.ToRoot != root || tlog.CheckTree(cpf.Proof, size, root, 1, cpf.FromRoot) != nil {
		t.Fatal("consistency proof does not verify")
	}
	if got := base64.StdEncoding.EncodeToString(root[:]); !strings.Contains(cp.Note, got) {
		t.Fatal("note text lacks the root")
	}
}

func TestAuditEndpointsRejectBadQueries(t *testing.T) {
	e := newEnv(t, nil)
	auditor := e.key(warden.RoleAuditor)
	for _, c := range []struct{ path, field string }{
		{"/v1/audit/entries?from=-1", "from"},
		{"/v1/audit/entries?from=abc", "from"},
		{"/v1/audit/entries?from=5&to=2", "to"},
		{"/v1/audit/entries?from=0&to=5000", "to"},
		{"/v1/audit/entries?form=1", "form"},
		{"/v1/audit/proofs/inclusion", "index"},
		{"/v1/audit/proofs/inclusion?index=99", "index"},
		{"/v1/audit/proofs/inclusion?index=0&size=99999", "size"},
		{"/v1/audit/proofs/inclusion?index=1e3", "index"},
		{"/v1/audit/proofs/consistency", "from"},
		{"/v1/audit/proofs/consistency?from=0", "from"},
		{"/v1/audit/proofs/consistency?from=1&to=99999", "to"},
		{"/v1/audit/checkpoint?x=1", "x"},
		{"/v1/audit/public-keys?x=1", "x"},
	} {
		e.do("GET", c.path, auditor, "").wantError(t, 400, warden.EINVALID, c.field)
	}
}
