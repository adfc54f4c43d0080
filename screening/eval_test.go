package screening_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/screening"
)

// The labelled evaluation set (screening/evaldata, built by
// `go run ./screening/evaldata/gen`; docs/screening-quality.md) run through the
// matcher over the bundled lists. TestEvalQuality fails when recall on the
// variants or the false-positive rate on the common names misses its target at
// the chosen threshold, so CI guards matching quality.

// evalThreshold is the threshold chosen from the sweep printed by
// TestEvalReport, the middle of the band where both targets hold (0.84 to
// 0.86 on this set; 0.88 loses recall, 0.82 passes 1% false positives on
// fresh draws): the score from which a hit is reported. The service's
// screening.DefaultThreshold must equal it (TestEvalThresholdIsDefault).
const evalThreshold = 0.85

// Targets (the issue's): at evalThreshold.
const (
	minRecall = 0.98
	maxFPR    = 0.01
)

// evalLimit is the most hits one answer carries (as the service's maxHits):
// a positive whose entry ranks below it counts as missed.
const evalLimit = 50

// sweepFloor is the lowest threshold reported; every query runs once at it.
const sweepFloor = 0.70

type evalPositive struct {
	ID         string `json:"id"`
	Query      string `json:"query"`
	Variant    string `json:"variant"`
	List       string `json:"list"`
	EntryID    string `json:"entry_id"`
	Type       string `json:"type"`
	SourceName string `json:"source_name"`
	SourceKind string `json:"source_kind"`
}

type evalNegative struct {
	ID     string `json:"id"`
	Query  string `json:"query"`
	Kind   string `json:"kind"`
	Region string `json:"region"`
}

// evalDir is the set's directory: screening/evaldata, or WARDEN_EVALDATA
// (a set drawn with another seed, for a held-out check).
func evalDir() string {
	if d := os.Getenv("WARDEN_EVALDATA"); d != "" {
		return d
	}
	return "evaldata"
}

func readJSONL[T any](t testing.TB, name string) []T {
	t.Helper()
	f, err := os.Open(filepath.Join(evalDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s:%d: %v", filepath.Join(evalDir(), name), line, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// posResult is what one positive's screening returned: the expected entry's
// score (0 when it was not among the hits) and the best score of any other
// entry.
type posResult struct {
	p          evalPositive
	score      float64
	otherScore float64
	other      string
}

// negResult is the best hit of one negative.
type negResult struct {
	n     evalNegative
	score float64
	hit   string
}

type evalRun struct {
	pos       []posResult
	neg       []negResult
	latencies []time.Duration
}

var (
	evalOnce sync.Once
	evalData *evalRun
)

// runEval screens the whole set once, at the sweep floor; every threshold
// above it is then a filter over the recorded scores (hits are ordered by
// score, so the top evalLimit at a higher threshold are a prefix of these).
func runEval(t testing.TB) *evalRun {
	ix := loadRealIndex(t)
	pos := readJSONL[evalPositive](t, "positives.jsonl")
	neg := readJSONL[evalNegative](t, "negatives.jsonl")
	evalOnce.Do(func() {
		r := &evalRun{}
		for _, p := range pos {
			start := time.Now()
			hits := ix.Search(screening.Query{Name: p.Query}, sweepFloor, evalLimit)
			r.latencies = append(r.latencies, time.Since(start))
			res := posResult{p: p}
			for _, h := range hits {
				if h.List == p.List && h.EntryID == p.EntryID {
					res.score = h.Score
				} else if h.Score > res.otherScore {
					res.otherScore, res.other = h.Score, fmt.Sprintf("%s/%s %q", h.List, h.EntryID, h.MatchedName)
				}
			}
			r.pos = append(r.pos, res)
		}
		for _, n := range neg {
			start := time.Now()
			hits := ix.Search(screening.Query{Name: n.Query}, sweepFloor, evalLimit)
			r.latencies = append(r.latencies, time.Since(start))
			res := negResult{n: n}
			if len(hits) > 0 {
				res.score, res.hit = hits[0].Score, fmt.Sprintf("%s/%s %q", hits[0].List, hits[0].EntryID, hits[0].MatchedName)
			}
			r.neg = append(r.neg, res)
		}
		evalData = r
	})
	return evalData
}

// evalFigures are the measures at one threshold.
type evalFigures struct {
	threshold            float64
	found, positives     int // positives whose entry was reported
	falsePos, negatives  int // negatives with any hit
	wrongOnly            int // positives alerted on other entries only
	recall, fpr, precise float64
}

func (r *evalRun) at(th float64) evalFigures {
	f := evalFigures{threshold: th, positives: len(r.pos), negatives: len(r.neg)}
	for _, p := range r.pos {
		switch {
		case p.score >= th:
			f.found++
		case p.otherScore >= th:
			f.wrongOnly++
		}
	}
	for _, n := range r.neg {
		if n.score >= th {
			f.falsePos++
		}
	}
	f.recall = float64(f.found) / float64(f.positives)
	f.fpr = float64(f.falsePos) / float64(f.negatives)
	// Precision over alerts raised: an alert is right when it names the
	// labelled entry; alerts on negatives and alerts on a variant that miss
	// its entry are wrong.
	if alerts := f.found + f.falsePos + f.wrongOnly; alerts > 0 {
		f.precise = float64(f.found) / float64(alerts)
	}
	return f
}

func TestEvalQuality(t *testing.T) {
	r := runEval(t)
	// The set must be whole: a truncated file must not pass quietly.
	if len(r.pos) < 1000 || len(r.neg) < 1000 {
		t.Fatalf("evaluation set too small: %d positives, %d negatives (want at least 1,000 each)", len(r.pos), len(r.neg))
	}
	f := r.at(evalThreshold)
	t.Logf("threshold %.2f: recall %.4f (%d/%d), false-positive rate %.4f (%d/%d), precision %.4f",
		evalThreshold, f.recall, f.found, f.positives, f.fpr, f.falsePos, f.negatives, f.precise)
	if f.recall < minRecall {
		t.Errorf("recall %.4f < %.2f at threshold %.2f; missed:", f.recall, minRecall, evalThreshold)
		for _, p := range r.pos {
			if p.score < evalThreshold {
				t.Logf("  miss %s [%s] %q -> %s/%s %q: score %.3f", p.p.ID, p.p.Variant, p.p.Query, p.p.List, p.p.EntryID, p.p.SourceName, p.score)
			}
		}
	}
	if f.fpr > maxFPR {
		t.Errorf("false-positive rate %.4f > %.2f at threshold %.2f; false positives:", f.fpr, maxFPR, evalThreshold)
		for _, n := range r.neg {
			if n.score >= evalThreshold {
				t.Logf("  fp %s %q -> %s %.3f", n.n.ID, n.n.Query, n.hit, n.score)
			}
		}
	}
}

// TestEvalThresholdIsDefault holds the service's default to the measured
// choice.
func TestEvalThresholdIsDefault(t *testing.T) {
	if screening.DefaultThreshold != evalThreshold {
		t.Errorf("screening.DefaultThreshold = %.2f, but the evaluation chose %.2f (docs/screening-quality.md)", screening.DefaultThreshold, evalThreshold)
	}
}

// TestEvalReport prints the figures: go test -run TestEvalReport -v ./screening
// (bench/screen-quality.sh runs it).
func TestEvalReport(t *testing.T) {
	r := runEval(t)
	var b strings.Builder
	f := r.at(evalThreshold)
	fmt.Fprintf(&b, "\nevaluation set: %d positives (variants of list names), %d negatives (common names on no list)\n", f.positives, f.negatives)
	fmt.Fprintf(&b, "at threshold %.2f: recall %.4f (%d/%d)  false-positive rate %.4f (%d/%d)  precision %.4f\n\n",
		evalThreshold, f.recall, f.found, f.positives, f.fpr, f.falsePos, f.negatives, f.precise)

	fmt.Fprintf(&b, "threshold sweep:\n| threshold | recall | false-positive rate | precision | missed variants | false positives |\n|---|---|---|---|---|---|\n")
	for _, th := range evalSweep() {
		s := r.at(th)
		mark := ""
		if th == evalThreshold {
			mark = " (chosen)"
		}
		fmt.Fprintf(&b, "| %.2f%s | %.4f | %.4f | %.4f | %d | %d |\n", th, mark, s.recall, s.fpr, s.precise, s.positives-s.found, s.falsePos)
	}

	// Recall per variant, false positives per region.
	fmt.Fprintf(&b, "\nrecall by variant at %.2f:\n", evalThreshold)
	byVariant := map[string][2]int{}
	var variants []string
	for _, p := range r.pos {
		c, ok := byVariant[p.p.Variant]
		if !ok {
			variants = append(variants, p.p.Variant)
		}
		c[1]++
		if p.score >= evalThreshold {
			c[0]++
		}
		byVariant[p.p.Variant] = c
	}
	for _, v := range variants {
		c := byVariant[v]
		fmt.Fprintf(&b, "  %-22s %4d/%-4d %.3f\n", v, c[0], c[1], float64(c[0])/float64(c[1]))
	}
	fmt.Fprintf(&b, "\nrecall by list of the labelled entry, and false positives by list of the top hit, at %.2f:\n", evalThreshold)
	for _, l := range []string{screening.SourceOFACSDN, screening.SourceOFACCons, screening.SourceUN} {
		found, total, fps := 0, 0, 0
		for _, p := range r.pos {
			if p.p.List == l {
				total++
				if p.score >= evalThreshold {
					found++
				}
			}
		}
		for _, n := range r.neg {
			if n.score >= evalThreshold && strings.HasPrefix(n.hit, l+"/") {
				fps++
			}
		}
		fmt.Fprintf(&b, "  %-10s recall %4d/%-4d %.3f   false positives %d\n", l, found, total, float64(found)/float64(max(total, 1)), fps)
	}
	fmt.Fprintf(&b, "\nfalse positives by region at %.2f:\n", evalThreshold)
	byRegion := map[string][2]int{}
	var regions []string
	for _, n := range r.neg {
		c, ok := byRegion[n.n.Region]
		if !ok {
			regions = append(regions, n.n.Region)
		}
		c[1]++
		if n.score >= evalThreshold {
			c[0]++
		}
		byRegion[n.n.Region] = c
	}
	for _, g := range regions {
		c := byRegion[g]
		fmt.Fprintf(&b, "  %-14s %3d/%-4d %.3f\n", g, c[0], c[1], float64(c[0])/float64(c[1]))
	}

	fmt.Fprintf(&b, "\nmissed variants at %.2f:\n", evalThreshold)
	for _, p := range r.pos {
		if p.score < evalThreshold {
			fmt.Fprintf(&b, "  [%s] %q -> %s/%s %q: %.3f", p.p.Variant, p.p.Query, p.p.List, p.p.EntryID, p.p.SourceName, p.score)
			if p.otherScore > 0 {
				fmt.Fprintf(&b, " (best other %.3f %s)", p.otherScore, p.other)
			}
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "\nfalse positives at %.2f:\n", evalThreshold)
	for _, n := range r.neg {
		if n.score >= evalThreshold {
			fmt.Fprintf(&b, "  %q -> %s %.3f\n", n.n.Query, n.hit, n.score)
		}
	}
	near := slices.Clone(r.neg)
	sort.Slice(near, func(i, j int) bool { return near[i].score > near[j].score })
	fmt.Fprintf(&b, "\nhighest-scoring negatives:\n")
	for _, n := range near[:min(10, len(near))] {
		fmt.Fprintf(&b, "  %.3f %q -> %s\n", n.score, n.n.Query, n.hit)
	}

	lat := slices.Clone(r.latencies)
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Fprintf(&b, "\nlatency over the set's %d queries (one run, first use of the index): p50 %v  p90 %v  p99 %v  max %v\n",
		len(lat), pct(0.50).Round(time.Microsecond), pct(0.90).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
	t.Log(b.String())
}

// evalSweep is 0.70 to 0.98 in steps of 0.02, and the chosen threshold.
func evalSweep() []float64 {
	var out []float64
	for i := 0; i <= 14; i++ {
		out = append(out, float64(70+2*i)/100)
	}
	if !slices.Contains(out, evalThreshold) {
		out = append(out, evalThreshold)
		slices.Sort(out)
	}
	return out
}

// TestEvalPruningConsistent checks what the sweep relies on: screening at
// a threshold gives exactly the hits of a screening at the sweep floor that
// score at least that threshold. The index prunes candidates that cannot
// reach the threshold; this would catch a bound that prunes too much. Half
// the queries carry a date of birth and a country, which lower the pruning
// floor.
func TestEvalPruningConsistent(t *testing.T) {
	ix := loadRealIndex(t)
	var queries []screening.Query
	for i, p := range readJSONL[evalPositive](t, "positives.jsonl") {
		q := screening.Query{Name: p.Query}
		if i%2 == 0 {
			q.DateOfBirth = &screening.PartialDate{Year: 1960 + i%30}
			q.Country = []string{"IR", "SY", "KP", "CO", "AF", "RU"}[i%6]
		}
		queries = append(queries, q)
	}
	for _, n := range readJSONL[evalNegative](t, "negatives.jsonl") {
		queries = append(queries, screening.Query{Name: n.Query})
	}
	key := func(h screening.Hit) string {
		return fmt.Sprintf("%s/%s %.3f %s", h.List, h.EntryID, h.Score, h.MatchedName)
	}
	bad := 0
	for _, q := range queries {
		for _, th := range []float64{evalThreshold, 0.9} {
			var want, got []string
			for _, h := range ix.Search(q, sweepFloor, 0) {
				if h.Score >= th {
					want = append(want, key(h))
				}
			}
			for _, h := range ix.Search(q, th, 0) {
				got = append(got, key(h))
			}
			if !slices.Equal(want, got) && bad < 10 {
				bad++
				t.Errorf("%+v at %.2f: %v, want %v", q, th, got, want)
			}
		}
	}
}

// BenchmarkSearchEvalSet screens the evaluation set's queries in turn and
// reports latency percentiles per query.
func BenchmarkSearchEvalSet(b *testing.B) {
	ix := loadRealIndex(b)
	var queries []string
	for _, p := range readJSONL[evalPositive](b, "positives.jsonl") {
		queries = append(queries, p.Query)
	}
	for _, n := range readJSONL[evalNegative](b, "negatives.jsonl") {
		queries = append(queries, n.Query)
	}
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		ix.Search(screening.Query{Name: queries[i%len(queries)]}, evalThreshold, evalLimit)
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
		b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Nanoseconds()), "p99-ns")
	}
}
