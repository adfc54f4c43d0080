package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/wardenhq/warden/audit"
)

// FuzzVerify feeds arbitrary bundles to the verifier: it must never panic,
// and it must never call a bundle good unless every checkpoint in it was
// signed by the trusted key.
func FuzzVerify(f *testing.F) {
	fx := newFixture(f, 4)
	fx.append(f, 9)
	if _, err := fx.log.Checkpoint(context.Background()); err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := fx.log.Export(context.Background(), &buf, nil); err != nil {
		f.Fatal(err)
	}
	good := buf.String()
	f.Add([]byte(good))
	f.Add([]byte(strings.Replace(good, `"index":3,`, `"index":4,`, 1)))
	f.Add([]byte(`{"type":"header","format":"warden-audit-bundle/1","origin":"test/audit","first_index":0,"size":0}` + "\n"))
	f.Add([]byte(`{"type":"header","format":"warden-audit-bundle/1","origin":"o","first_index":5,"size":9}` + "\n" + `{"type":"frontier","hashes":[]}` + "\n"))
	f.Add([]byte("\n\n{}\n"))
	v, _ := note.NewVerifier(fx.vkey)
	f.Fuzz(func(t *testing.T, b []byte) {
		rep, err := audit.Verify(bytes.NewReader(b), audit.VerifyOptions{TrustedKeys: []string{fx.vkey}})
		if err == nil {
			if rep == nil || !rep.OK {
				t.Fatalf("no error but report %+v", rep)
			}
			// Every checkpoint line in an accepted bundle verifies.
			for _, line := range strings.Split(string(b), "\n") {
				var l struct{ Type, Note string }
				if json.Unmarshal([]byte(line), &l) != nil || l.Type != "checkpoint" {
					continue
				}
				if _, _, _, err := audit.OpenCheckpoint([]byte(l.Note), note.VerifierList(v)); err != nil {
					t.Fatalf("accepted a bundle with a checkpoint that does not verify: %v", err)
				}
			}
			if rep.Entries > 0 && rep.VerifiedSize == 0 && len(rep.Warnings) == 0 {
				t.Fatalf("entries accepted with no checkpoint and no warning: %+v", rep)
			}
		} else if rep == nil || rep.OK {
			t.Fatalf("error %v with report %+v", err, rep)
		}
	})
}

func FuzzParseCheckpointBody(f *testing.F) {
	f.Add("warden/audit\n12\nT3LZO+4vohjMBnaZ5m8KLkKPIWrDPYYSKe9CbqKLqYk=\n")
	f.Add("o\n-1\nAA==\n")
	f.Add("\n\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		origin, size, root, err := audit.ParseCheckpointBody(s)
		if err != nil {
			return
		}
		if size < 0 || audit.CheckpointBody(origin, size, root) != s {
			t.Fatalf("accepted %q but it does not round-trip (origin %q size %d)", s, origin, size)
		}
	})
}
