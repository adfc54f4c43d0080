package siem

import (
	"context"
	"crypto/tls"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/testutil"
	"github.com/wardenhq/warden/store/sqlstore"
)

func TestSyslogFrameExactBytes(t *testing.T) {
	r, err := Encoder{Format: FormatJSON}.Encode(fixedEntry(t))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSyslogSink(SyslogConfig{Addr: "127.0.0.1:6514", Hostname: "warden-1.example"})
	if err != nil {
		t.Fatal(err)
	}
	// PRI: facility 13 (log audit) * 8 + severity 4 (warning, for CEF 7).
	msg := `<108>1 2026-07-01T09:00:00.123456Z warden-1.example warden - apikey.revoke ` +
		`[warden@32473 index="5" leafHash="4y1hjLufkYgrAFmoCvDx8a1zpI3ed4aLtURBObneypc="] ` +
		`{"action":"apikey.revoke","actor":{"id":"alice|admin\\x","kind":"oidc"},"change":{"note":"a=b\\c\nd"},"index":5,` +
		`"request_id":"req|1","subject":{"id":"id=1\nz","type":"apikey"},"time":"2026-07-01T09:00:00.123456Z",` +
		`"leaf_hash":"4y1hjLufkYgrAFmoCvDx8a1zpI3ed4aLtURBObneypc="}`
	want := "428 " + msg
	if len(msg) != 428 {
		t.Fatalf("test is wrong: the message is %d bytes", len(msg))
	}
	got := s.appendFrame([]byte("prev"), r)
	if string(got) != "prev"+want {
		t.Fatalf("frame:\n got %s\nwant %s", got, want)
	}

	// Another facility, a CEF message and an informational action.
	s, err = NewSyslogSink(SyslogConfig{Addr: "[::1]:514", Hostname: "host with spaces\x01", Facility: FacilityLocal0, SDID: "audit@99999"})
	if err != nil {
		t.Fatal(err)
	}
	got = s.appendFrame(nil, Record{Index: 12, Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)), Action: "a.very_long_action_name.that_exceeds_thirty_two",
		Severity: 3, LeafHash: r.LeafHash, Message: []byte("CEF:0|x")})
	msg = `<134>1 2026-01-02T02:04:05.000000Z hostwithspaces warden - a.very_long_action_name.that_exc [audit@99999 index="12" leafHash="4y1hjLufkYgrAFmoCvDx8a1zpI3ed4aLtURBObneypc="] CEF:0|x`
	if want := strconv.Itoa(len(msg)) + " " + msg; string(got) != want {
		t.Fatalf("frame:\n got %s\nwant %s", got, want)
	}
}

func TestSyslogHeaderHelpers(t *testing.T) {
	for in, want := range map[string]string{`plain`: `plain`, `a"b`: `a\"b`, `a\b`: `a\\b`, `a]b`: `a\]b`, `"]\`: `\"\]\\`, `[=`: `[=`} {
		if got := sdEscape(in); got != want {
			t.Errorf("sdEscape(%q) = %q, want %q", in, got, want)
		}
	}
	if got := headerField("", 32); got != "-" {
		t.Errorf("empty header field = %q", got)
	}
	if got := headerField("héllo wörld", 32); got != "hllowrld" {
		t.Errorf("non-ASCII header field = %q", got)
	}
	for _, ok := range []string{"warden@32473", "x", "origin@1.2.3"} {
		if !validSDName(ok) {
			t.Errorf("%q rejected", ok)
		}
	}
	for _, bad := range []string{"", "a b", "a=b", `a"`, "a]", "@1", "a@", "a@x", strings.Repeat("a", 33)} {
		if validSDName(bad) {
			t.Errorf("%q accepted as an SD-ID", bad)
		}
	}
	for in, want := range map[string]int{"audit": 13, "authpriv": 10, "local0": 16, "local7": 23, "user": 1, "13": 13, "23": 23} {
		if got, err := ParseFacility(in); err != nil || got != want {
			t.Errorf("ParseFacility(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"kern", "0", "24", "-1", "local8", ""} {
		if _, err := ParseFacility(bad); err == nil {
			t.Errorf("ParseFacility(%q) accepted", bad)
		}
	}
	for _, cfg := range []SyslogConfig{{Addr: "nohostport"}, {Addr: "h:1", Facility: 24}, {Addr: "h:1", SDID: "bad id"}} {
		if _, err := NewSyslogSink(cfg); err == nil {
			t.Errorf("NewSyslogSink(%+v) accepted", cfg)
		}
	}
	s, err := NewSyslogSink(SyslogConfig{Addr: "collector.test:6514", TLS: &tls.Config{MinVersion: tls.VersionTLS10}})
	if err != nil {
		t.Fatal(err)
	}
	if s.cfg.TLS.MinVersion != tls.VersionTLS12 || s.cfg.TLS.ServerName != "collector.test" {
		t.Errorf("TLS config not hardened: min %x, server name %q", s.cfg.TLS.MinVersion, s.cfg.TLS.ServerName)
	}
}

// syncBuffer captures concurrent output.
type syncBuffer = testutil.SyncBuffer

// The test: the collector is down while entries are appended, then
// comes back; every entry arrives exactly once, in order. New entries then
// arrive alone, also after the exporter restarts on a reopened store.
func TestSyslogTLSCollectorDownThenUp(t *testing.T) {
	f := newLogFixture(t)
	ca := newTestCA(t)
	addr := freeAddr(t) // nothing listens here yet
	logs := &syncBuffer{}
	newExporter := func(name string, db *sqlstore.DB) (*Exporter, *SyslogSink) {
		sink, err := NewSyslogSink(SyslogConfig{Addr: addr, TLS: ca.clientConfig(), Hostname: "test-host", DialTimeout: 2 * time.Second, CloseWait: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sink.Close() })
		x, err := New(Config{Name: name, Store: db, Cursors: db, Sink: sink, Encoder: Encoder{Format: FormatJSON, Version: "test"},
			BatchSize: 4, PollInterval: 20 * time.Millisecond, MinBackoff: 5 * time.Millisecond, MaxBackoff: 40 * time.Millisecond,
			Logger: slog.New(slog.NewJSONHandler(logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		return x, sink
	}
	x, _ := newExporter("splunk", f.db)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- x.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()

	f.append(t, 10)
	eventually(t, 10*time.Second, "three failed delivery attempts", func() bool {
		return strings.Count(logs.String(), "deliver audit entries failed; retrying") >= 3
	})
	if n := cursorOf(t, f.db, "splunk"); n != 0 {
		t.Fatalf("cursor moved to %d while the collector was down", n)
	}
	if strings.Contains(logs.String(), "Ωmega") || strings.Contains(logs.String(), "t|1") {
		t.Fatalf("retry logs carry entry contents:\n%s", logs)
	}

	col := startCollector(t, addr, ca)
	eventually(t, 10*time.Second, "10 entries at the collector", func() bool { return col.count() >= 10 })
	eventually(t, 5*time.Second, "the cursor at 10", func() bool { return cursorOf(t, f.db, "splunk") == 10 })
	time.Sleep(100 * time.Millisecond) // five poll intervals: nothing more may arrive
	checkFrames(t, f, col.received(), 0, 10)

	// New entries: only they arrive.
	f.append(t, 5)
	eventually(t, 10*time.Second, "15 entries at the collector", func() bool { return col.count() >= 15 })
	eventually(t, 5*time.Second, "the cursor at 15", func() bool { return cursorOf(t, f.db, "splunk") == 15 })
	time.Sleep(100 * time.Millisecond)
	checkFrames(t, f, col.received(), 0, 15)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run returned %v after cancellation", err)
	}
	done <- nil // for the deferred receive

	// A new exporter on a freshly opened store resumes from the persisted
	// cursor: only the entries appended since arrive.
	f.append(t, 3)
	db2 := openDB(t, f.path)
	x2, _ := newExporter("splunk", db2)
	n, err := x2.Once(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("Once after restart delivered %d, %v; want 3", n, err)
	}
	checkFrames(t, f, col.received(), 0, 18)
	if c := cursorOf(t, db2, "splunk"); c != 18 {
		t.Fatalf("persisted cursor %d, want 18", c)
	}
	// Another export name starts from the beginning on its own cursor.
	x3, _ := newExporter("qradar", db2)
	if n, err := x3.Once(context.Background()); err != nil || n != 18 {
		t.Fatalf("second export delivered %d, %v; want 18", n, err)
	}
	if c := cursorOf(t, db2, "splunk"); c != 18 {
		t.Fatalf("the other export moved splunk's cursor to %d", c)
	}
}

// The collector crashes in the middle of a batch (it closes its
// connections after reading part of it). Nothing is lost: the interrupted
// batch is sent again in full on a new connection, and it alone is
// duplicated.
func TestSyslogCollectorKilledMidStreamNoGaps(t *testing.T) {
	f := newLogFixture(t)
	f.append(t, 40)
	ca := newTestCA(t)
	addr := freeAddr(t)
	col := startCollector(t, addr, ca)
	killed := false
	col.kill = func(fr frame) bool {
		if fr.index == 23 && !killed { // batch [20, 30)
			killed = true
			return true
		}
		return false
	}
	sink, err := NewSyslogSink(SyslogConfig{Addr: addr, TLS: ca.clientConfig(), Hostname: "test-host", CloseWait: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	x, err := New(Config{Store: f.db, Cursors: f.db, Sink: sink, Encoder: Encoder{Format: FormatJSON},
		BatchSize: 10, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	n, err := x.Once(context.Background())
	if err != nil || n != 40 {
		t.Fatalf("Once delivered %d, %v; want 40", n, err)
	}
	if !killed {
		t.Fatal("the collector was never killed")
	}
	frames := col.received()
	seen := map[int64]int{}
	last := map[int]int64{}
	for _, fr := range frames {
		if prev, ok := last[fr.conn]; ok && fr.index <= prev {
			t.Fatalf("connection %d delivered index %d after %d", fr.conn, fr.index, prev)
		}
		last[fr.conn] = fr.index
		seen[fr.index]++
	}
	var dups []int64
	for i := range int64(40) {
		switch seen[i] {
		case 0:
			t.Fatalf("entry %d never arrived: a gap", i)
		case 1:
		case 2:
			dups = append(dups, i)
		default:
			t.Fatalf("entry %d arrived %d times", i, seen[i])
		}
	}
	if want := []int64{20, 21, 22, 23}; !slices.Equal(dups, want) {
		t.Fatalf("duplicated entries %v, want exactly the part of the interrupted batch read before the crash %v", dups, want)
	}
	if len(last) != 2 {
		t.Fatalf("%d connections, want 2", len(last))
	}
	// The second connection starts with the first entry of the interrupted batch.
	for _, fr := range frames {
		if fr.conn == 2 {
			if fr.index != 20 {
				t.Fatalf("the new connection started at %d, want 20", fr.index)
			}
			break
		}
	}
	if c := cursorOf(t, f.db, DefaultName); c != 40 {
		t.Fatalf("cursor %d, want 40", c)
	}
	// Each entry's content is right on both copies.
	byIndex := f.stored(t, 0, 40)
	for _, fr := range frames {
		checkJSONLine(t, fr.msg, byIndex[fr.index])
	}
}

// A collector that closes an idle connection is noticed before the next
// batch is written, so the batch goes out once on a new connection.
func TestSyslogReconnectsAfterIdleClose(t *testing.T) {
	f := newLogFixture(t)
	f.append(t, 3)
	ca := newTestCA(t)
	addr := freeAddr(t)
	col := startCollector(t, addr, ca)
	sink, err := NewSyslogSink(SyslogConfig{Addr: addr, TLS: ca.clientConfig(), Hostname: "test-host", CloseWait: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	x, err := New(Config{Store: f.db, Cursors: f.db, Sink: sink, Encoder: Encoder{Format: FormatJSON}, MaxAttempts: 1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := x.Once(context.Background()); err != nil || n != 3 {
		t.Fatalf("first Once: %d, %v", n, err)
	}
	col.closeConns()
	eventually(t, 5*time.Second, "the collector to drop the connection", func() bool {
		col.mu.Lock()
		defer col.mu.Unlock()
		return len(col.conns) == 0
	})
	f.append(t, 2)
	// MaxAttempts 1: a write into the closed connection would fail the run.
	if n, err := x.Once(context.Background()); err != nil || n != 2 {
		t.Fatalf("Once after the idle close: %d, %v", n, err)
	}
	checkFrames(t, f, col.received(), 0, 5)
}
