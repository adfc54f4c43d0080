// Command httpload is a small closed-loop HTTP load generator for Warden's
// benchmarks: N workers send requests for a fixed duration and it prints
// throughput and latency percentiles. It runs as its own process so that the
// server is measured from outside, the way a client sees it.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	var (
		url      = flag.String("url", "http://127.0.0.1:8080/v1/whoami", "URL to request")
		method   = flag.String("method", "GET", "HTTP method")
		body     = flag.String("body", "", "request body (JSON)")
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
	tr := &http.Transport{MaxIdleConnsPerHost: *workers, MaxConnsPerHost: *workers}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	deadline := time.Now().Add(*duration)
	var (
		mu        sync.Mutex
		latencies []time.Duration
		codes     = map[int]int{}
		errs      int
		wg        sync.WaitGroup
	)
	start := time.Now()
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			localCodes := map[int]int{}
			localErrs := 0
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(*method, *url, bytes.NewReader([]byte(*body)))
				if *key != "" {
					req.Header.Set("Authorization", "Bearer "+*key)
				}
				if *body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					localErrs++
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				local = append(local, time.Since(t0))
				localCodes[res.StatusCode]++
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
		"rps": float64(len(latencies)) / elapsed.Seconds(), "codes": codes,
		"p50_ms": ms(pct(0.50)), "p95_ms": ms(pct(0.95)), "p99_ms": ms(pct(0.99)), "max_ms": ms(pct(1)),
	}
	if *jsonOut {
		_ = json.NewEncoder(os.Stdout).Encode(res)
		return
	}
	fmt.Printf("%d requests in %.1fs with %d workers: %.0f req/s; p50 %.2fms p95 %.2fms p99 %.2fms max %.2fms; errors %d; status codes %v\n",
		len(latencies), elapsed.Seconds(), *workers, res["rps"], res["p50_ms"], res["p95_ms"], res["p99_ms"], res["max_ms"], errs, codes)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
