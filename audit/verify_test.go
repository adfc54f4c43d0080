package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/store/sqlite"
)

// bundle is an exported bundle split into lines for tampering.
type bundle struct{ lines []string }

func export(t *testing.T, f *fixture) *bundle {
	t.Helper()
	var buf bytes.Buffer
	if err := f.log.Export(context.Background(), &buf, nil); err != nil {
		t.Fatal(err)
	}
	return &bundle{lines: strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")}
}

func (b *bundle) String() string { return strings.Join(b.lines, "\n") + "\n" }

// entryLine returns the position of the line holding entry idx.
func (b *bundle) entryLine(t *testing.T, idx int64) int {
	t.Helper()
	for i, l := range b.lines {
		if strings.Contains(l, `"type":"entry"`) && strings.Contains(l, fmt.Sprintf(`"index":%d,`, idx)) {
			return i
		}
	}
	t.Fatalf("no entry %d", idx)
	return -1
}

func (b *bundle) verify(keys ...string) (*audit.Report, error) {
	return audit.Verify(strings.NewReader(b.String()), audit.VerifyOptions{TrustedKeys: keys})
}

func wantFailure(t *testing.T, rep *audit.Report, err error, index int64, fragment string) {
	t.Helper()
	if err == nil || rep.OK {
		t.Fatalf("tampered bundle verified: %+v", rep)
	}
	if !strings.Contains(err.Error(), fragment) {
		t.Fatalf("error %q does not say %q", err, fragment)
	}
	if index >= 0 && (rep.FirstBadIndex == nil || *rep.FirstBadIndex != index) {
		t.Fatalf("first bad index %v, want %d (%v)", rep.FirstBadIndex, index, err)
	}
	if index >= 0 && !strings.Contains(err.Error(), fmt.Sprintf("index %d", index)) {
		t.Fatalf("message %q does not name index %d", err, index)
	}
}

func TestBundleVerifies(t *testing.T) {
	f := newFixture(t, 10)
	f.append(t, 45)
	if _, err := f.log.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep, err := export(t, f).verify(f.vkey)
	if err != nil || !rep.OK || rep.Entries != 45 || rep.VerifiedSize != 45 || rep.KeysFromBundle || len(rep.Warnings) != 0 {
		t.Fatalf("%+v %v", rep, err)
	}
	// Without a trusted key it still checks consistency, and warns.
	rep, err = export(t, f).verify()
	if err != nil || !rep.KeysFromBundle || len(rep.Warnings) == 0 {
		t.Fatalf("%+v %v", rep, err)
	}
}

func TestBundleTampering(t *testing.T) {
	f := newFixture(t, 10)
	f.append(t, 45)
	if _, err := f.log.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Run("modified entry", func(t *testing.T) {
		b := export(t, f)
		i := b.entryLine(t, 17)
		b.lines[i] = strings.Replace(b.lines[i], `"name":"Ωmega"`, `"name":"Omega"`, 1)
		rep, err := b.verify(f.vkey)
		wantFailure(t, rep, err, 17, "does not match its recorded leaf hash")
	})
	t.Run("modified entry with its hash recomputed", func(t *testing.T) {
		b := export(t, f)
		i := b.entryLine(t, 17)
		var l map[string]json.RawMessage
		json.Unmarshal([]byte(b.lines[i]), &l)
		delete(l, "hash") // a careful forger drops or recomputes it
		l["entry"] = json.RawMessage(strings.Replace(string(l["entry"]), `"amount_minor":1050`, `"amount_minor":1`, 1))
		out, _ := json.Marshal(l)
		b.lines[i] = string(out)
		rep, err := b.verify(f.vkey)
		// The checkpoints at 10 and 20 bracket it: entries from 10 on are suspect.
		wantFailure(t, rep, err, 10, "no longer matches the signed checkpoint at size 20")
	})
	t.Run("deleted entry", func(t *testing.T) {
		b := export(t, f)
		i := b.entryLine(t, 30)
		b.lines = append(b.lines[:i], b.lines[i+1:]...)
		rep, err := b.verify(f.vkey)
		wantFailure(t, rep, err, 30, "entry 30 is missing")
	})
	t.Run("reordered entries", func(t *testing.T) {
		b := export(t, f)
		i, j := b.entryLine(t, 5), b.entryLine(t, 6)
		b.lines[i], b.lines[j] = b.lines[j], b.lines[i]
		rep, err := b.verify(f.vkey)
		wantFailure(t, rep, err, 5, "entry 5 is missing")
	})
	t.Run("reordered entries with renumbered lines", func(t *testing.T) {
		b := export(t, f)
		i, j := b.entryLine(t, 5), b.entryLine(t, 6)
		b.lines[i], b.lines[j] = strings.Replace(b.lines[j], `"index":6,`, `"index":5,`, 1), strings.Replace(b.lines[i], `"index":5,`, `"index":6,`, 1)
		rep, err := b.verify(f.vkey)
		wantFailure(t, rep, err, 5, "does not carry index 5")
	})
	t.Run("truncated log", func(t *testing.T) {
		b := export(t, f)
		b.lines = b.lines[:b.entryLine(t, 40)]
		rep, err := b.verify(f.vkey)
		wantFailure(t, rep, err, 40, "truncated")
	})
	t.Run("forged checkpoint", func(t *testing.T) {
		b := export(t, f)
		for i, l := range b.lines {
			if strings.Contains(l, `"type":"checkpoint"`) && strings.Contains(l, `\n20\n`) {
				b.lines[i] = strings.Replace(l, `\n20\n`, `\n21\n`, 1)
			}
		}
		rep, err := b.verify(f.vkey)
		wantFailure(t, rep, err, -1, "forged or signed by an untrusted key")
	})
	t.Run("header lies about size", func(t *testing.T) {
		b := export(t, f)
		b.lines[0] = strings.Replace(b.lines[0], `"size":45`, `"size":46`, 1)
		rep, err := b.verify(f.vkey)
		wantFailure(t, rep, err, 45, "header promises 46")
	})
	t.Run("garbage", func(t *testing.T) {
		rep, err := audit.Verify(strings.NewReader("not json\n"), audit.VerifyOptions{TrustedKeys: []string{f.vkey}})
		wantFailure(t, rep, err, -1, "not a warden-audit-bundle/1 bundle")
	})
}

func TestResignedLogIsRejectedWithTrustedKey(t *testing.T) {
	honest := newFixture(t, 10)
	honest.append(t, 20)
	// An attacker rebuilds the whole log with altered content and signs it
	// with a key of their own, replacing the key in the bundle too.
	forger := newFixture(t, 10)
	forger.append(t, 19)
	if _, err := forger.log.Append(context.Background(), audit.Record{Action: "test.change", Subject: audit.Subject{Type: "thing", ID: "19"}}); err != nil {
		t.Fatal(err)
	}
	b := export(t, forger)
	rep, err := b.verify(honest.vkey)
	wantFailure(t, rep, err, -1, "untrusted key")
	// Checked only against its own keys it is consistent, and the report
	// says that proves nothing about who signed it.
	rep, err = b.verify()
	if err != nil || !rep.KeysFromBundle {
		t.Fatalf("%+v %v", rep, err)
	}
}

func TestForkFromTrustedCheckpoint(t *testing.T) {
	a := newFixture(t, 100)
	a.append(t, 20)
	trusted, err := a.log.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The same signer later serves a different history: the first 15 entries
	// agree, the rest differ (a restored backup with new appends, say).
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "fork.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := &fixture{every: 10, db: db, vkey: a.vkey, skey: a.skey, clock: a.clock}
	b.log = b.open(t, a.skey, a.vkey)
	b.append(t, 15)
	for i := range 15 {
		if _, err := b.log.Append(context.Background(), audit.Record{Action: "test.fork", Subject: audit.Subject{Type: "thing", ID: fmt.Sprint(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.log.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	bb := export(t, b)
	rep, err := bb.verify(b.vkey)
	if err != nil {
		t.Fatalf("the forked log is self-consistent: %v", err)
	}
	rep, err = audit.Verify(strings.NewReader(bb.String()), audit.VerifyOptions{TrustedKeys: []string{a.vkey}, TrustedCheckpoint: trusted.Note})
	wantFailure(t, rep, err, 0, "forked from the trusted checkpoint at size 20")

	// A truncated log is caught by a trusted checkpoint even when the
	// attacker also removed the checkpoints that covered the missing tail.
	ab := export(t, a)
	var kept []string
	for _, l := range ab.lines {
		if !strings.Contains(l, `"type":"checkpoint"`) {
			kept = append(kept, l)
		}
	}
	ab.lines = kept[:len(kept)-5] // entries 15 to 19
	ab.lines[0] = strings.Replace(ab.lines[0], `"size":20`, `"size":15`, 1)
	rep, err = audit.Verify(strings.NewReader(ab.String()), audit.VerifyOptions{TrustedKeys: []string{a.vkey}, TrustedCheckpoint: trusted.Note})
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("truncation below a trusted checkpoint: %+v %v", rep, err)
	}
}

func TestPrunedPrefixVerifiesWithFrontier(t *testing.T) {
	f := newFixture(t, 10)
	f.append(t, 37)
	if _, err := f.log.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.log.ExportRange(context.Background(), &buf, 13, -1, nil); err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Verify(bytes.NewReader(buf.Bytes()), audit.VerifyOptions{TrustedKeys: []string{f.vkey}})
	if err != nil || rep.FirstIndex != 13 || rep.Entries != 24 || rep.VerifiedSize != 37 {
		t.Fatalf("%+v %v", rep, err)
	}
	// A forged frontier cannot reproduce the signed roots.
	forged := strings.Replace(buf.String(), `"hashes":["`, `"hashes":["AAAA`, 1)
	if rep, err := audit.Verify(strings.NewReader(forged), audit.VerifyOptions{TrustedKeys: []string{f.vkey}}); err == nil {
		t.Fatalf("forged frontier verified: %+v", rep)
	}
}
