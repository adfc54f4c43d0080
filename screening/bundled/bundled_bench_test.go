package bundled_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/wardenhq/warden/screening"
	"github.com/wardenhq/warden/screening/bundled"
)

// BenchmarkLoadAll measures what `warden serve` and `warden screen` do before
// they can screen: parse every bundled list (OFAC SDN, OFAC consolidated,
// UN: the files of ../shared/data/lists) and build the screener's index.
// It reports seconds per load (s/load, the target is under 2 s; parse-s and
// index-s split it) and the heap in use once loaded, after a garbage
// collection, with nothing else live but the screener (heap-MB), of which
// the parsed lists (lists-MB) and the index (index-MB).
//
//	go test -run '^$' -bench LoadAll -benchtime 5x ./screening/bundled/
func BenchmarkLoadAll(b *testing.B) {
	var (
		s                   *screening.Screener
		parse, index, worst time.Duration
		entries             int
	)
	b.ReportAllocs()
	for b.Loop() {
		s = nil // the previous screener is garbage, as after a list refresh
		t0 := time.Now()
		snaps, err := bundled.Load()
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		s = screening.NewScreener(snaps...)
		t2 := time.Now()
		parse += t1.Sub(t0)
		index += t2.Sub(t1)
		worst = max(worst, t2.Sub(t0))
	}
	b.StopTimer()
	heap := heapInUse()
	for _, l := range s.Lists() {
		entries += l.Entities
	}
	n := float64(b.N)
	b.ReportMetric(b.Elapsed().Seconds()/n, "s/load")
	b.ReportMetric(worst.Seconds(), "max-s/load")
	b.ReportMetric(parse.Seconds()/n, "parse-s")
	b.ReportMetric(index.Seconds()/n, "index-s")
	b.ReportMetric(mb(heap), "heap-MB")
	b.ReportMetric(float64(entries), "entities")

	// The same load once more, weighed in two steps.
	s = nil
	base := heapInUse()
	snaps, err := bundled.Load()
	if err != nil {
		b.Fatal(err)
	}
	parsed := heapInUse()
	ix := screening.NewIndex(snaps...)
	indexed := heapInUse()
	runtime.KeepAlive(snaps)
	runtime.KeepAlive(ix)
	b.ReportMetric(mb(parsed)-mb(base), "lists-MB")
	b.ReportMetric(mb(indexed)-mb(parsed), "index-MB")
}

// heapInUse is the heap in use after garbage collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC() // the second cycle frees what the first one's finalizers released
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }
