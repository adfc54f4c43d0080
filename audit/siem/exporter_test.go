package siem

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/store/sqlstore"
)

func newTestExporter(t *testing.T, cfg Config) *Exporter {
	t.Helper()
	if cfg.Encoder.Format == "" {
		cfg.Encoder.Format = FormatJSON
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff, cfg.MaxBackoff = time.Millisecond, 5*time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	x, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// readLines returns the file's lines; it fails on a missing final newline.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Fatalf("%s ends in a partial line", path)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestFileSinkDeliversOnceInOrder(t *testing.T) {
	f := newLogFixture(t)
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	sink, err := NewFileSink(path)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	x := newTestExporter(t, Config{Name: "file", Store: f.db, Cursors: f.db, Sink: sink, BatchSize: 3})
	f.append(t, 5)
	if n, err := x.Once(context.Background()); err != nil || n != 5 {
		t.Fatalf("first Once: %d, %v", n, err)
	}
	f.append(t, 4)
	if n, err := x.Once(context.Background()); err != nil || n != 4 {
		t.Fatalf("second Once: %d, %v", n, err)
	}
	if n, err := x.Once(context.Background()); err != nil || n != 0 {
		t.Fatalf("third Once: %d, %v", n, err)
	}
	// A new sink and exporter (a new process) append nothing more.
	sink2, err := NewFileSink(path)
	if err != nil {
		t.Fatal(err)
	}
	defer sink2.Close()
	if n, err := newTestExporter(t, Config{Name: "file", Store: f.db, Cursors: f.db, Sink: sink2}).Once(context.Background()); err != nil || n != 0 {
		t.Fatalf("Once in a new exporter: %d, %v", n, err)
	}
	lines := readLines(t, path)
	stored := f.stored(t, 0, 9)
	if len(lines) != 9 {
		t.Fatalf("%d lines, want 9:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	for i, l := range lines {
		checkJSONLine(t, []byte(l), stored[i])
	}
	if c := cursorOf(t, f.db, "file"); c != 9 {
		t.Fatalf("cursor %d, want 9", c)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v, want 0600", st.Mode().Perm())
	}
}

func TestFileSinkFollowsRotation(t *testing.T) {
	f := newLogFixture(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.cef")
	sink, err := NewFileSink(path)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	x := newTestExporter(t, Config{Store: f.db, Cursors: f.db, Sink: sink, Encoder: Encoder{Format: FormatCEF, Version: "9.9"}})
	f.append(t, 2)
	if _, err := x.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	f.append(t, 1)
	if _, err := x.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	old, cur := readLines(t, path+".1"), readLines(t, path)
	if len(old) != 2 || len(cur) != 1 {
		t.Fatalf("rotated file has %d lines and the new one %d, want 2 and 1", len(old), len(cur))
	}
	for i, l := range append(old, cur...) {
		if !strings.HasPrefix(l, "CEF:0|Warden|Warden|9.9|test.change|test.change|3|") || !strings.Contains(l, " externalId="+strconv.Itoa(i)+" ") {
			t.Errorf("line %d: %s", i, l)
		}
	}
}

// failingSink fails the writes whose ordinal (from 1) is in fail and records
// the batches it accepts.
type failingSink struct {
	calls    int
	fail     map[int]bool
	accepted [][]int64
}

var errSinkDown = errors.New("sink down")

func (s *failingSink) Write(_ context.Context, batch []Record) error {
	s.calls++
	if s.fail[s.calls] || s.fail[0] {
		return errSinkDown
	}
	var idx []int64
	for _, r := range batch {
		idx = append(idx, r.Index)
	}
	s.accepted = append(s.accepted, idx)
	return nil
}

func (s *failingSink) Close() error { return nil }

func TestExporterRetriesAndResumesFromFirstUndelivered(t *testing.T) {
	f := newLogFixture(t)
	f.append(t, 10)
	sink := &failingSink{fail: map[int]bool{2: true, 3: true}}
	logs := &syncBuffer{}
	x := newTestExporter(t, Config{Store: f.db, Cursors: f.db, Sink: sink, BatchSize: 4, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	n, err := x.Once(context.Background())
	if err != nil || n != 10 {
		t.Fatalf("Once: %d, %v", n, err)
	}
	want := "[[0 1 2 3] [4 5 6 7] [8 9]]"
	if got := fmtBatches(sink.accepted); got != want {
		t.Fatalf("accepted batches %s, want %s", got, want)
	}
	if sink.calls != 5 {
		t.Fatalf("%d writes, want 5 (two failed attempts of the second batch)", sink.calls)
	}
	if c := strings.Count(logs.String(), `"msg":"siem: deliver audit entries failed; retrying"`); c != 2 {
		t.Fatalf("%d retry log records, want 2:\n%s", c, logs)
	}
	if !strings.Contains(logs.String(), `"from":4,"to":8`) || !strings.Contains(logs.String(), `"level":"WARN"`) {
		t.Fatalf("retry log lacks the range or level:\n%s", logs)
	}
}

func TestOnceGivesUpWithoutMovingTheCursor(t *testing.T) {
	f := newLogFixture(t)
	f.append(t, 6)
	sink := &failingSink{fail: map[int]bool{2: true, 3: true, 4: true}}
	logs := &syncBuffer{}
	x := newTestExporter(t, Config{Name: "down", Store: f.db, Cursors: f.db, Sink: sink, BatchSize: 2, MaxAttempts: 3,
		Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	n, err := x.Once(context.Background())
	if !errors.Is(err, errSinkDown) || n != 2 {
		t.Fatalf("Once: %d, %v; want 2 delivered and the sink's error", n, err)
	}
	if !strings.Contains(err.Error(), "giving up after 3 attempts") {
		t.Fatalf("error %q does not say it gave up", err)
	}
	if c := cursorOf(t, f.db, "down"); c != 2 {
		t.Fatalf("cursor %d, want 2 (only the first batch was accepted)", c)
	}
	for _, secret := range []string{"Ωmega", "t|2", "req-2", "0123456789ab"} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("logs carry entry contents (%q):\n%s", secret, logs)
		}
	}
	// The sink recovers: the next run resumes at 2.
	n, err = x.Once(context.Background())
	if err != nil || n != 4 || fmtBatches(sink.accepted) != "[[0 1] [2 3] [4 5]]" {
		t.Fatalf("recovery: %d, %v, batches %s", n, err, fmtBatches(sink.accepted))
	}
}

func TestRunStopsOnCancelWhileRetrying(t *testing.T) {
	f := newLogFixture(t)
	f.append(t, 1)
	x := newTestExporter(t, Config{Store: f.db, Cursors: f.db, Sink: &failingSink{fail: map[int]bool{0: true}},
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := x.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Run took %s to notice cancellation", d)
	}
	if c := cursorOf(t, f.db, DefaultName); c != 0 {
		t.Fatalf("cursor %d after failed deliveries", c)
	}
}

func TestRunReturnsOnUndecodableEntry(t *testing.T) {
	f := newLogFixture(t)
	f.append(t, 3)
	store := &alteredStore{DB: f.db, corrupt: 1}
	var out bytes.Buffer
	x := newTestExporter(t, Config{Store: store, Cursors: f.db, Sink: NewWriterSink(&out)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := x.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "cannot export audit entry 1") {
		t.Fatalf("Run: %v", err)
	}
	if c := cursorOf(t, f.db, DefaultName); c != 0 || out.Len() != 0 {
		t.Fatalf("cursor %d and %d bytes written for a batch holding a bad entry", c, out.Len())
	}
}

// alteredStore hides pruned entries (below first, and those in missing) and
// can corrupt one entry's bytes.
type alteredStore struct {
	*sqlstore.DB
	first   int64
	missing map[int64]bool
	corrupt int64
}

func (s *alteredStore) AuditFirstIndex(ctx context.Context) (int64, error) {
	size, err := s.DB.AuditSize(ctx)
	return min(s.first, size), err
}

func (s *alteredStore) AuditEntries(ctx context.Context, from, to int64) ([]audit.StoredEntry, error) {
	es, err := s.DB.AuditEntries(ctx, from, to)
	var out []audit.StoredEntry
	for _, e := range es {
		if e.Index < s.first || s.missing[e.Index] {
			continue
		}
		if e.Index == s.corrupt && s.corrupt > 0 {
			e.Data = []byte("{not json")
		}
		out = append(out, e)
	}
	return out, err
}

func TestPrunedEntriesAreSkipped(t *testing.T) {
	f := newLogFixture(t)
	f.append(t, 10)
	store := &alteredStore{DB: f.db, first: 4, missing: map[int64]bool{6: true}}
	logs := &syncBuffer{}
	var out bytes.Buffer
	x := newTestExporter(t, Config{Store: store, Cursors: f.db, Sink: NewWriterSink(&out), BatchSize: 3, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	n, err := x.Once(context.Background())
	if err != nil || n != 5 {
		t.Fatalf("Once: %d, %v; want the 5 kept entries", n, err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	stored := f.stored(t, 0, 10)
	var got []int64
	for _, l := range lines {
		for _, se := range stored {
			if strings.Contains(l, `"index":`+strconv.FormatInt(se.Index, 10)+`,`) {
				checkJSONLine(t, []byte(l), se)
				got = append(got, se.Index)
			}
		}
	}
	if fmtBatches([][]int64{got}) != "[[4 5 7 8 9]]" {
		t.Fatalf("delivered %v, want [4 5 7 8 9]\n%s", got, out.String())
	}
	if c := cursorOf(t, f.db, DefaultName); c != 10 {
		t.Fatalf("cursor %d, want 10 (past the pruned entries)", c)
	}
	if !strings.Contains(logs.String(), `"from":0,"to":4`) {
		t.Fatalf("skipping the pruned prefix was not logged:\n%s", logs)
	}
}

func TestNewValidates(t *testing.T) {
	f := newLogFixture(t)
	sink := NewWriterSink(&bytes.Buffer{})
	for _, cfg := range []Config{
		{Store: f.db, Cursors: f.db, Sink: sink},                                                         // no format
		{Store: f.db, Cursors: f.db, Sink: sink, Encoder: Encoder{Format: "xml"}},                        // bad format
		{Store: f.db, Cursors: f.db, Encoder: Encoder{Format: FormatJSON}},                               // no sink
		{Store: f.db, Cursors: f.db, Sink: sink, Encoder: Encoder{Format: FormatJSON}, Name: "bad name"}, // bad name
		{Store: f.db, Cursors: f.db, Sink: sink, Encoder: Encoder{Format: FormatJSON}, Name: "-leading"}, // bad name
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	x, err := New(Config{Store: f.db, Cursors: f.db, Sink: sink, Encoder: Encoder{Format: FormatCEF}})
	if err != nil || x.Name() != DefaultName {
		t.Fatalf("defaults: %v, %v", x, err)
	}
}

func fmtBatches(b [][]int64) string {
	var parts []string
	for _, batch := range b {
		var s []string
		for _, i := range batch {
			s = append(s, strconv.FormatInt(i, 10))
		}
		parts = append(parts, "["+strings.Join(s, " ")+"]")
	}
	return "[" + strings.Join(parts, " ") + "]"
}
