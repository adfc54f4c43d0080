// Command httpload is a small closed-loop HTTP load generator for Warden's
// benchmarks: N workers send requests for a fixed duration and it prints
// throughput and latency percentiles. It runs as its own process so that the
// server is measured from outside, the way a client sees it.
//
// With -bodies FILE it sends the file's lines (one JSON body each, blank
// lines skipped) in turn, each worker starting at a different line, so that a
// mixed workload is measured rather than one cached answer. In a body,
// {{SEQ}} becomes a number unique to the request (for transaction ids) and
// {{NOW}} the current time (RFC 3339), so that every request is new.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	var (
		url      = flag.String("url", "http://127.0.0.1:8080/v1/whoami", "URL to request")
		method   = flag.String("method", "GET", "HTTP method")
		body     = flag.String("body", "", "request body (JSON)")
		bodyFile = flag.String("bodies", "", "file of request bodies, one JSON document a line, sent in turn (instead of -body)")
		warmup   = flag.Duration("warmup", 0, "send requests for this long first without counting them")
		key      = flag.String("key", os.Getenv("WARDEN_KEY"), "API key (env WARDEN_KEY)")
		workers  = flag.Int("c", 32, "concurrent workers")
		duration = flag.Duration("d", 10*time.Second, "how long to run (bounded)")
		jsonOut  = flag.Bool("json", false, "print JSON")
	)
	flag.Parse()
	if *duration > 5*time.Minute {
		fmt.Fprintln(os.Stderr, "httpload: -d is capped at 5m")
		os.Exit(2)
	}
	if *warmup > time.Minute {
		fmt.Fprintln(os.Stderr, "httpload: -warmup is capped at 1m")
		os.Exit(2)
	}
	var bodies [][]byte
	if *body != "" {
		bodies = [][]byte{[]byte(*body)}
	}
	if *bodyFile != "" {
		var err error
		if bodies, err = readBodies(*bodyFile); err != nil {
			fmt.Fprintln(os.Stderr, "httpload:", err)
			os.Exit(2)
		}
	}
	tr := &http.Transport{MaxIdleConnsPerHost: *workers, MaxConnsPerHost: *workers}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var seq atomic.Int64
	seqTag, nowTag := []byte("{{SEQ}}"), []byte("{{NOW}}")
	send := func(i int) (int, error) {
		var rd io.Reader = http.NoBody
		var b []byte
		if len(bodies) > 0 {
			b = bodies[i%len(bodies)]
			if bytes.Contains(b, seqTag) {
				b = bytes.ReplaceAll(b, seqTag, strconv.AppendInt(nil, seq.Add(1), 10))
			}
			if bytes.Contains(b, nowTag) {
				b = bytes.ReplaceAll(b, nowTag, time.Now().UTC().AppendFormat(nil, time.RFC3339Nano))
			}
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(*method, *url, rd)
		if *key != "" {
			req.Header.Set("Authorization", "Bearer "+*key)
		}
		if len(b) > 0 {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, nil
	}
	if *warmup > 0 {
		var wg sync.WaitGroup
		end := time.Now().Add(*warmup)
		for w := range *workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w * 7919; time.Now().Before(end); i++ {
					_, _ = send(i)
				}
			}()
		}
		wg.Wait()
	}
	deadline := time.Now().Add(*duration)
	var (
		mu        sync.Mutex
		latencies []time.Duration
		codes     = map[int]int{}
		errs      int
		wg        sync.WaitGroup
	)
	start := time.Now()
	for w := range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			localCodes := map[int]int{}
			localErrs := 0
			// Each worker starts at its own line and walks the file.
			for i := w * 7919; time.Now().Before(deadline); i++ {
				t0 := time.Now()
				code, err := send(i)
				if err != nil {
					localErrs++
					continue
				}
				local = append(local, time.Since(t0))
				localCodes[code]++
			}
			mu.Lock()
			latencies = append(latencies, local...)
			for c, n := range localCodes {
				codes[c] += n
			}
			errs += localErrs
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(float64(len(latencies))*p))]
	}
	res := map[string]any{
		"requests": len(latencies), "errors": errs, "seconds": elapsed.Seconds(),
		"rps": float64(len(latencies)) / elapsed.Seconds(), "codes": codes, "bodies": len(bodies),
		"p50_ms": ms(pct(0.50)), "p95_ms": ms(pct(0.95)), "p99_ms": ms(pct(0.99)), "max_ms": ms(pct(1)),
		// The generator's own CPU (user + system, warm-up included): on a
		// small machine it competes with the server it measures.
		"cpu_seconds": cpuSeconds(),
	}
	if *jsonOut {
		_ = json.NewEncoder(os.Stdout).Encode(res)
		return
	}
	fmt.Printf("%d requests in %.1fs with %d workers: %.0f req/s; p50 %.2fms p95 %.2fms p99 %.2fms max %.2fms; errors %d; status codes %v\n",
		len(latencies), elapsed.Seconds(), *workers, res["rps"], res["p50_ms"], res["p95_ms"], res["p99_ms"], res["max_ms"], errs, codes)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// readBodies reads one request body a line; blank lines are skipped.
func readBodies(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			out = append(out, bytes.Clone(line))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no request bodies", path)
	}
	return out, nil
}

// cpuSeconds is this process's CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
