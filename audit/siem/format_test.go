package siem

import (
	"encoding/json"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/wardenhq/warden/audit"
)

// fixedEntry is an entry whose fields need every kind of escaping.
func fixedEntry(t *testing.T) audit.StoredEntry {
	t.Helper()
	e := audit.Entry{
		Index:     5,
		Time:      time.Date(2026, 7, 1, 9, 0, 0, 123456000, time.UTC),
		Actor:     audit.Actor{Kind: "oidc", ID: `alice|admin\x`},
		Action:    "apikey.revoke",
		Subject:   audit.Subject{Type: "apikey", ID: "id=1\nz"},
		RequestID: "req|1",
		Change:    json.RawMessage(`{"note":"a=b\\c\nd"}`),
	}
	data, err := e.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"action":"apikey.revoke","actor":{"id":"alice|admin\\x","kind":"oidc"},"change":{"note":"a=b\\c\nd"},"index":5,"request_id":"req|1","subject":{"id":"id=1\nz","type":"apikey"},"time":"2026-07-01T09:00:00.123456Z"}`
	if string(data) != want {
		t.Fatalf("fixture canonical form changed:\n got %s\nwant %s", data, want)
	}
	return audit.StoredEntry{Index: 5, Data: data}
}

// fixedLeaf is base64 of the RFC 6962 leaf hash of fixedEntry's bytes.
const fixedLeaf = "4y1hjLufkYgrAFmoCvDx8a1zpI3ed4aLtURBObneypc="

func TestFixedLeafHash(t *testing.T) {
	if got := tlog.RecordHash(fixedEntry(t).Data).String(); got != fixedLeaf {
		t.Fatalf("leaf hash of the fixed entry is %s, want %s", got, fixedLeaf)
	}
}

func TestCEFExactLine(t *testing.T) {
	r, err := Encoder{Format: FormatCEF, Version: `1.2|b\x`}.Encode(fixedEntry(t))
	if err != nil {
		t.Fatal(err)
	}
	// Header: \ and | escaped. Extensions: \ and = escaped, newlines as \n,
	// pipes left alone; the base64 padding '=' is escaped too.
	want := `CEF:0|Warden|Warden|1.2\|b\\x|apikey.revoke|apikey.revoke|7|` +
		`rt=1782896400123 act=apikey.revoke suser=alice|admin\\x cs5Label=actorKind cs5=oidc externalId=5 ` +
		`cs1Label=subjectType cs1=apikey cs2Label=subjectId cs2=id\=1\nz cs3Label=requestId cs3=req|1 ` +
		`cs4Label=leafHash cs4=4y1hjLufkYgrAFmoCvDx8a1zpI3ed4aLtURBObneypc\= ` +
		`cs6Label=change cs6={"note":"a\=b\\\\c\\nd"}`
	if string(r.Message) != want {
		t.Fatalf("CEF line:\n got %s\nwant %s", r.Message, want)
	}
	if r.Index != 5 || r.Severity != 7 || r.Action != "apikey.revoke" || r.LeafHash.String() != fixedLeaf {
		t.Fatalf("record fields: %+v", r)
	}
}

func TestCEFOmitsEmptyRequestIDAndNamesLargeChange(t *testing.T) {
	e := audit.Entry{Index: 0, Time: time.Unix(1, 0), Actor: audit.Actor{Kind: "system", ID: "warden"}, Action: "doc.upload",
		Subject: audit.Subject{Type: "doc", ID: "d"}, ChangeSHA256: "ab12"}
	data, err := e.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Encoder{Format: FormatCEF}.Encode(audit.StoredEntry{Index: 0, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	leaf := tlog.RecordHash(data).String()
	want := `CEF:0|Warden|Warden|dev|doc.upload|doc.upload|3|rt=1000 act=doc.upload suser=warden cs5Label=actorKind cs5=system externalId=0 ` +
		`cs1Label=subjectType cs1=doc cs2Label=subjectId cs2=d cs4Label=leafHash cs4=` + leaf[:len(leaf)-1] + `\= cs6Label=changeSha256 cs6=ab12`
	if string(r.Message) != want {
		t.Fatalf("CEF line:\n got %s\nwant %s", r.Message, want)
	}
}

func TestCEFEscaping(t *testing.T) {
	for _, c := range []struct{ in, header, value string }{
		{`plain`, `plain`, `plain`},
		{`a|b`, `a\|b`, `a|b`},
		{`a\b`, `a\\b`, `a\\b`},
		{`a=b`, `a=b`, `a\=b`},
		{"a\nb\r\nc", "a b  c", `a\nb\r\nc`},
		{`\|=`, `\\\|=`, `\\|\=`},
		{`Ωmega`, `Ωmega`, `Ωmega`},
	} {
		if got := cefHeaderEscape(c.in); got != c.header {
			t.Errorf("header escape %q = %q, want %q", c.in, got, c.header)
		}
		if got := cefValueEscape(c.in); got != c.value {
			t.Errorf("value escape %q = %q, want %q", c.in, got, c.value)
		}
	}
}

func TestJSONFormatRoundTrip(t *testing.T) {
	se := fixedEntry(t)
	r, err := Encoder{Format: FormatJSON}.Encode(se)
	if err != nil {
		t.Fatal(err)
	}
	want := string(se.Data[:len(se.Data)-1]) + `,"leaf_hash":"` + fixedLeaf + `"}`
	if string(r.Message) != want {
		t.Fatalf("JSON line:\n got %s\nwant %s", r.Message, want)
	}
	// The documented way back: drop leaf_hash, canonicalize, hash.
	checkJSONLine(t, r.Message, se)
	// And the line decodes as an entry with every field intact.
	var back struct {
		audit.Entry
		LeafHash tlog.Hash `json:"leaf_hash"`
	}
	if err := json.Unmarshal(r.Message, &back); err != nil {
		t.Fatal(err)
	}
	if back.Index != 5 || back.Actor.ID != `alice|admin\x` || back.Subject.ID != "id=1\nz" || back.RequestID != "req|1" ||
		string(back.Change) != `{"note":"a=b\\c\nd"}` || back.LeafHash.String() != fixedLeaf || !back.Time.Equal(time.Date(2026, 7, 1, 9, 0, 0, 123456000, time.UTC)) {
		t.Fatalf("decoded %+v", back)
	}
}

func TestEncodeRejectsBadEntries(t *testing.T) {
	se := fixedEntry(t)
	se.Index = 6 // stored at 6 but says 5
	if _, err := (Encoder{Format: FormatJSON}).Encode(se); err == nil {
		t.Fatal("an entry stored under another index was encoded")
	}
	if _, err := (Encoder{Format: FormatCEF}).Encode(audit.StoredEntry{Index: 0, Data: []byte("not json")}); err == nil {
		t.Fatal("garbage was encoded")
	}
	if _, err := ParseFormat("xml"); err == nil {
		t.Fatal("format xml accepted")
	}
}

func TestSeverity(t *testing.T) {
	for action, want := range map[string]int{
		"apikey.create":      3,
		"customer.update":    3,
		"apikey.bootstrap":   5,
		"apikey.rotate":      5,
		"sar.file":           5,
		"apikey.revoke":      7,
		"audit.hold.set":     7,
		"audit.hold.release": 7,
		"audit.archive":      7,
		"legal_hold.set":     7,
		"customer.delete":    7,
	} {
		if got := Severity(action); got != want {
			t.Errorf("Severity(%q) = %d, want %d", action, got, want)
		}
	}
	for cef, want := range map[int]int{0: 6, 3: 6, 5: 5, 7: 4, 10: 2} {
		if got := syslogSeverity(cef); got != want {
			t.Errorf("syslogSeverity(%d) = %d, want %d", cef, got, want)
		}
	}
}
