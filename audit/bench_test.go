package audit_test

// Benchmarks behind docs/audit-benchmarks.md; bench/audit.sh runs them with
// bounded times and prints the figures. They run only with -bench.
//
//	go run ./internal/testenv -- go test -run '^$' -bench . -benchtime 5s ./audit/

import (
	"bufio"
	"context"
	"flag"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/internal/pgtest"
	"github.com/wardenhq/warden/store/postgres"
)

// benchWriters lists how many goroutines append at once (like as many
// concurrent requests in the server), one sub-benchmark each; group commit
// batches them.
var benchWriters = flag.String("audit.bench-writers", "64,1024", "comma-separated writer counts for BenchmarkAppend*")

func benchWriterCounts(b *testing.B) []int {
	var out []int
	for _, f := range strings.Split(*benchWriters, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			b.Fatalf("-audit.bench-writers: %q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out
}

// BenchmarkAppendSQLite appends from concurrent writers to a fresh SQLite
// log (WAL, synchronous=FULL: every acknowledged batch is fsynced).
func BenchmarkAppendSQLite(b *testing.B) {
	for _, w := range benchWriterCounts(b) {
		b.Run("writers="+strconv.Itoa(w), func(b *testing.B) {
			f := newFixture(b, 1000)
			benchAppend(b, f.log, w)
		})
	}
}

// BenchmarkAppendPostgres is the same on PostgreSQL (the pgtest cluster,
// which runs with fsync=off and synchronous_commit=off: it measures Warden
// and the protocol, not the disk).
func BenchmarkAppendPostgres(b *testing.B) {
	for _, w := range benchWriterCounts(b) {
		b.Run("writers="+strconv.Itoa(w), func(b *testing.B) {
			db, err := postgres.Open(context.Background(), pgtest.NewDatabase(b))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(context.Background()); err != nil {
				b.Fatal(err)
			}
			f := newFixtureOn(b, db, 1000)
			benchAppend(b, f.log, w)
		})
	}
}

// benchAppend appends b.N records from writers goroutines and reports
// appends/s over the whole run.
func benchAppend(b *testing.B, l *audit.Log, writers int) {
	ctx := warden.NewContextWithRequestID(warden.NewContextWithActor(context.Background(),
		warden.Actor{Kind: warden.ActorAPIKey, ID: "0123456789ab", Role: warden.RoleAdmin}), "req-bench")
	var seq atomic.Int64
	b.SetParallelism(max(1, (writers+runtime.GOMAXPROCS(0)-1)/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := seq.Add(1)
			if _, err := l.Append(ctx, benchRecord(i)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
	if size, err := l.Size(context.Background()); err != nil || size != int64(b.N) {
		b.Fatalf("log size %d after %d appends (%v)", size, b.N, err)
	}
}

// benchChange is a typical change: what an API key change records.
type benchChange struct {
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	ExpiresAt time.Time `json:"expires_at"`
}

func benchRecord(i int64) audit.Record {
	return audit.Record{Action: "apikey.create", Subject: audit.Subject{Type: "api_key", ID: strconv.FormatInt(0x1000000000+i, 16)},
		Change: benchChange{Name: "core banking " + strconv.FormatInt(i%97, 10), Role: "service",
			ExpiresAt: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)}}
}

// BenchmarkInclusionProof proves random entries in the tree of a 1M-entry
// SQLite log (built once and cached, see benchdata_test.go), through a Log
// whose hash cache starts empty, and reports p50 and p99 latency.
func BenchmarkInclusionProof(b *testing.B) {
	data := benchLogData(b)
	l := data.open(b)
	ctx := context.Background()
	size := data.entries
	root, err := tlog.TreeHash(size, l.HashReader(ctx))
	if err != nil {
		b.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	lat := make([]time.Duration, 0, min(b.N, 1<<22))
	type check struct {
		p   *audit.InclusionProof
		idx int64
	}
	var checks []check
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		idx := rnd.Int64N(size)
		start := time.Now()
		p, err := l.Inclusion(ctx, idx, size)
		if err != nil {
			b.Fatal(err)
		}
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(start))
		}
		if len(checks) < 2000 {
			checks = append(checks, check{p, idx})
		}
	}
	b.StopTimer()
	for _, c := range checks {
		if c.p.Index != c.idx || c.p.RootHash != root {
			b.Fatalf("proof for %d in %d has index %d, root %v (want %v)", c.idx, size, c.p.Index, c.p.RootHash, root)
		}
		if err := tlog.CheckRecord(c.p.Proof, size, root, c.idx, c.p.LeafHash); err != nil {
			b.Fatalf("inclusion proof for %d does not verify: %v", c.idx, err)
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
	b.ReportMetric(float64(size), "entries")
}

// BenchmarkVerifyBundle1M verifies a 1M-entry bundle (exported once from
// the cached log) offline with audit.Verify, as `warden audit verify` does:
// every leaf hashed, the tree rebuilt, every checkpoint signature and root
// checked. The file is read from the page cache after the first run.
func BenchmarkVerifyBundle1M(b *testing.B) {
	data := benchLogData(b)
	st, err := os.Stat(data.bundle)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	for b.Loop() {
		f, err := os.Open(data.bundle)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := audit.Verify(bufio.NewReaderSize(f, 1<<20), audit.VerifyOptions{TrustedKeys: []string{data.vkey}})
		f.Close()
		if err != nil || !rep.OK || rep.Entries != data.entries || rep.VerifiedSize != data.entries || int64(rep.Checkpoints) != data.entries/benchCheckpointEvery {
			b.Fatalf("the bundle does not verify: %+v %v", rep, err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/verify")
	b.ReportMetric(float64(data.entries)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
