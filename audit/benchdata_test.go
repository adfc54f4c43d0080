package audit_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/store/sqlite"
	"github.com/wardenhq/warden/store/sqlstore"
)

// The 1M-entry log the proof and verification benchmarks use is built once
// and kept under os.TempDir() in a directory named by benchDataVersion and
// the size, so that later runs reuse it. Bump the version whenever the entry
// encoding, the tree layout or the bundle format changes. Only benchmarks
// build it: a plain `go test` never does.
const (
	benchDataVersion     = "v1"
	benchCheckpointEvery = 1000
	benchOrigin          = "bench.example/warden-audit"
)

var benchEntries = flag.Int64("audit.bench-entries", 1_000_000, "entries in the log built for BenchmarkInclusionProof and BenchmarkVerifyBundle1M")

// benchData is the cached log: an SQLite file, its signing key and an
// exported bundle.
type benchData struct {
	dir        string
	db, bundle string
	skey, vkey string
	entries    int64
}

var benchDataOnce = struct {
	sync.Mutex
	m map[int64]*benchData
}{m: map[int64]*benchData{}}

// benchLogData returns the cached log, building it first if needed (about a
// minute for 1M entries). The build is not timed.
func benchLogData(b *testing.B) *benchData {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	benchDataOnce.Lock()
	defer benchDataOnce.Unlock()
	n := *benchEntries
	if d := benchDataOnce.m[n]; d != nil {
		return d
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("warden-audit-bench-%s-%d", benchDataVersion, n))
	d := &benchData{dir: dir, db: filepath.Join(dir, "audit.db"), bundle: filepath.Join(dir, "bundle.jsonl"), entries: n}
	if skey, err := os.ReadFile(filepath.Join(dir, "signing.key")); err == nil {
		d.skey = strings.TrimSpace(string(skey))
	} else if errors.Is(err, fs.ErrNotExist) {
		start := time.Now()
		if err := benchBuild(dir, n); err != nil {
			b.Fatalf("build the %d-entry benchmark log: %v", n, err)
		}
		b.Logf("built the %d-entry benchmark log in %s (cached in %s)", n, time.Since(start).Round(time.Second), dir)
		skey, err := os.ReadFile(filepath.Join(dir, "signing.key"))
		if err != nil {
			b.Fatal(err)
		}
		d.skey = strings.TrimSpace(string(skey))
	} else {
		b.Fatal(err)
	}
	_, vkey, err := audit.ParseSigningKey(d.skey)
	if err != nil {
		b.Fatal(err)
	}
	d.vkey = vkey
	benchDataOnce.m[n] = d
	return d
}

// open opens the cached log; it is closed when the benchmark ends.
func (d *benchData) open(b *testing.B) *audit.Log {
	b.Helper()
	db, err := sqlite.Open(context.Background(), d.db)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	l, err := benchNewLog(db, d.skey)
	if err != nil {
		b.Fatal(err)
	}
	if size, err := l.Size(context.Background()); err != nil || size != d.entries {
		b.Fatalf("the cached log in %s has %d entries, want %d (%v): delete the directory", d.dir, size, d.entries, err)
	}
	return l
}

func benchNewLog(db *sqlstore.DB, skey string) (*audit.Log, error) {
	signer, vkey, err := audit.ParseSigningKey(skey)
	if err != nil {
		return nil, err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, err
	}
	return audit.New(db, audit.Config{Origin: benchOrigin, Signer: signer, Verifiers: []note.Verifier{v}, CheckpointEvery: benchCheckpointEvery})
}

// benchBuild writes an n-entry log into a new directory beside dir and
// renames it into place, so that an interrupted build leaves nothing that a
// later run would trust. The entries are real canonical entries with the
// tree hashes Log.Append would store, written through the store's
// AppendAuditEntries in batches of 64 (larger batches are slower on SQLite:
// see docs/audit-benchmarks.md); a checkpoint is signed every 1,000
// entries, the default, and the bundle is written by Log.Export.
func benchBuild(dir string, n int64) (err error) {
	ctx := context.Background()
	tmp, err := os.MkdirTemp(filepath.Dir(dir), filepath.Base(dir)+".tmp-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	skey, vkey, err := note.GenerateKey(rand.Reader, "warden-bench")
	if err != nil {
		return err
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return err
	}
	db, err := sqlite.Open(ctx, filepath.Join(tmp, "audit.db"))
	if err != nil {
		return err
	}
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	t0 := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	if err := db.AddAuditKey(ctx, vkey, t0); err != nil {
		return err
	}

	// Every stored hash, by tlog stored-hash index: the builder's own reader.
	hashes := make([]tlog.Hash, 0, tlog.StoredHashIndex(0, n)+64)
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x >= int64(len(hashes)) {
				return nil, fmt.Errorf("hash %d not built yet", x)
			}
			out[i] = hashes[x]
		}
		return out, nil
	})
	const batch = 64
	for start := int64(0); start < n; start += batch {
		end := min(start+batch, n)
		err := db.AppendAuditEntries(ctx, func(size int64, _ tlog.HashReader) ([]audit.StoredEntry, error) {
			if size != start {
				return nil, fmt.Errorf("log size %d, want %d", size, start)
			}
			out := make([]audit.StoredEntry, 0, end-start)
			for i := start; i < end; i++ {
				e := benchEntry(i, t0)
				data, err := e.Canonical()
				if err != nil {
					return nil, err
				}
				hs, err := tlog.StoredHashes(i, data, reader)
				if err != nil {
					return nil, err
				}
				hashes = append(hashes, hs...)
				out = append(out, audit.StoredEntry{Index: i, Data: data, Hashes: hs, Time: e.Time, ActorID: e.Actor.Kind + ":" + e.Actor.ID,
					Action: e.Action, SubjectType: e.Subject.Type, SubjectID: e.Subject.ID})
			}
			return out, nil
		})
		if err != nil {
			return err
		}
		for size := (start/benchCheckpointEvery + 1) * benchCheckpointEvery; size <= end; size += benchCheckpointEvery {
			root, err := tlog.TreeHash(size, reader)
			if err != nil {
				return err
			}
			msg, err := note.Sign(&note.Note{Text: audit.CheckpointBody(benchOrigin, size, root)}, signer)
			if err != nil {
				return err
			}
			if err := db.AddAuditCheckpoint(ctx, audit.Checkpoint{Size: size, Time: t0.Add(time.Duration(size) * time.Millisecond), Note: msg}); err != nil {
				return err
			}
		}
	}

	l, err := benchNewLog(db, skey)
	if err != nil {
		return err
	}
	if bad, err := audit.CheckStoredHashes(ctx, db); err != nil || bad >= 0 {
		return fmt.Errorf("the built log's stored hashes are wrong at %d: %v", bad, err)
	}
	f, err := os.Create(filepath.Join(tmp, "bundle.jsonl"))
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := l.Export(ctx, w, nil); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	err = db.Close()
	db = nil
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "signing.key"), []byte(skey+"\n"), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(filepath.Join(dir, "signing.key")); serr == nil {
			os.RemoveAll(tmp) // another run built it first
			return nil
		}
		return err
	}
	return nil
}

// benchEntry is the i-th entry of the benchmark log: a mix of the kinds of
// change Warden records, each with a request id and a small change.
func benchEntry(i int64, t0 time.Time) audit.Entry {
	kinds := [...]struct{ action, subject, change string }{
		{"transaction.screen", "transaction", `{"amount_minor":125000,"currency":"KES","decision":"allow","rules":["velocity.24h","structuring"]}`},
		{"customer.update", "customer", `{"tier":2,"risk":"medium","fields":["address","phone"],"name":"Wanjiru Kamau"}`},
		{"alert.create", "alert", `{"rule":"velocity.24h","score":0.82,"customer":"c-` + strconv.FormatInt(i%50000, 10) + `"}`},
		{"apikey.create", "api_key", `{"name":"core banking","role":"service","expires_at":"2026-10-01T09:00:00Z"}`},
	}
	k := kinds[i%int64(len(kinds))]
	return audit.Entry{
		Index:     i,
		Time:      t0.Add(time.Duration(i) * time.Millisecond),
		Actor:     audit.Actor{Kind: "api_key", ID: fmt.Sprintf("%012x", i%64)},
		Action:    k.action,
		Subject:   audit.Subject{Type: k.subject, ID: fmt.Sprintf("%s-%08d", k.subject[:1], i)},
		RequestID: fmt.Sprintf("req-%016x", i*2654435761),
		Change:    []byte(k.change),
	}
}
