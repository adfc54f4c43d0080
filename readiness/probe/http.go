package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Checks reported by HTTP.
const (
	CheckHSTS               = "http.hsts"
	CheckCSP                = "http.csp"
	CheckFrameOptions       = "http.frame_options"
	CheckContentTypeOptions = "http.content_type_options"
	CheckCORS               = "http.cors"
	CheckRateLimit          = "http.rate_limit"
)

// HTTPOptions configure HTTP.
type HTTPOptions struct {
	TLS TLSOptions
	// Origin is sent to test CORS; a foreign origin by default.
	Origin string
	// RateLimit is the limit the endpoint is configured with (requests per
	// Per); zero skips the rate-limit check, which sends a burst and so must
	// be asked for.
	RateLimit int
	Per       time.Duration
}

// DefaultProbeOrigin is the foreign origin sent to test CORS.
const DefaultProbeOrigin = "https://readiness-probe.invalid"

// httpClient never follows redirects (the headers of the first answer are
// judged) and leaves certificate verification to the TLS checks.
func httpClient(opts TLSOptions, conns int) *http.Client {
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: true, ServerName: opts.ServerName, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: conns,
		DialContext:         (&net.Dialer{}).DialContext,
		ForceAttemptHTTP2:   true,
	}
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(ctx context.Context, c *http.Client, u string, hdr http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp, nil
}

var hstsMaxAge = regexp.MustCompile(`(?i)max-age\s*=\s*"?(\d+)`)

// HTTP checks an HTTP endpoint's security headers, CORS answer to a foreign
// origin, TLS (for https URLs) and, when configured, its rate limit.
func HTTP(ctx context.Context, rawURL string, opts HTTPOptions) []Finding {
	u, err := url.Parse(rawURL)
	if err != nil {
		return errorAll(err, CheckHSTS, CheckCSP, CheckFrameOptions, CheckContentTypeOptions, CheckCORS, CheckRateLimit)
	}
	if opts.TLS.ServerName == "" {
		opts.TLS.ServerName = u.Hostname()
	}
	if opts.Origin == "" {
		opts.Origin = DefaultProbeOrigin
	}
	var out []Finding
	if u.Scheme == "https" {
		_, tf := AnalyzeTLS(ctx, Direct(hostPort(u)), opts.TLS)
		out = append(out, tf...)
	}
	c := httpClient(opts.TLS, 8)
	defer c.CloseIdleConnections()
	resp, err := get(ctx, c, rawURL, http.Header{"Origin": {opts.Origin}})
	if err != nil {
		checks := []string{CheckHSTS, CheckCSP, CheckFrameOptions, CheckContentTypeOptions, CheckCORS}
		if opts.RateLimit > 0 {
			checks = append(checks, CheckRateLimit)
		}
		return append(out, errorAll(err, checks...)...)
	}
	out = append(out, headerFindings(u.Scheme, resp)...)
	if opts.RateLimit > 0 {
		out = append(out, rateLimit(ctx, c, rawURL, opts.RateLimit, opts.Per))
	}
	return out
}

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return net.JoinHostPort(u.Hostname(), "443")
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

func headerFindings(scheme string, resp *http.Response) []Finding {
	h := resp.Header
	var out []Finding
	hsts := h.Get("Strict-Transport-Security")
	switch {
	case scheme != "https":
		out = append(out, finding(CheckHSTS, Fail, "served over plain HTTP: HSTS cannot apply"))
	case hsts == "":
		out = append(out, finding(CheckHSTS, Fail, "no Strict-Transport-Security header"))
	default:
		m := hstsMaxAge.FindStringSubmatch(hsts)
		age, _ := strconv.ParseInt(func() string {
			if m == nil {
				return "0"
			}
			return m[1]
		}(), 10, 64)
		if age >= 180*24*3600 {
			out = append(out, finding(CheckHSTS, Pass, "Strict-Transport-Security: %s", hsts))
		} else {
			out = append(out, finding(CheckHSTS, Warn, "Strict-Transport-Security max-age %d is under 180 days: %s", age, hsts))
		}
	}
	if csp := h.Get("Content-Security-Policy"); csp != "" {
		out = append(out, finding(CheckCSP, Pass, "Content-Security-Policy: %s", csp))
	} else if ro := h.Get("Content-Security-Policy-Report-Only"); ro != "" {
		out = append(out, finding(CheckCSP, Warn, "only Content-Security-Policy-Report-Only: %s", ro))
	} else {
		out = append(out, finding(CheckCSP, Fail, "no Content-Security-Policy header"))
	}
	switch xfo := strings.ToUpper(strings.TrimSpace(h.Get("X-Frame-Options"))); xfo {
	case "DENY", "SAMEORIGIN":
		out = append(out, finding(CheckFrameOptions, Pass, "X-Frame-Options: %s", xfo))
	case "":
		if strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors") {
			out = append(out, finding(CheckFrameOptions, Pass, "no X-Frame-Options, but CSP frame-ancestors is set"))
		} else {
			out = append(out, finding(CheckFrameOptions, Fail, "no X-Frame-Options header"))
		}
	default:
		out = append(out, finding(CheckFrameOptions, Fail, "X-Frame-Options %q is neither DENY nor SAMEORIGIN", xfo))
	}
	if v := h.Get("X-Content-Type-Options"); strings.EqualFold(strings.TrimSpace(v), "nosniff") {
		out = append(out, finding(CheckContentTypeOptions, Pass, "X-Content-Type-Options: nosniff"))
	} else {
		out = append(out, finding(CheckContentTypeOptions, Fail, "X-Content-Type-Options is %q, want nosniff", v))
	}
	return append(out, corsFinding(resp))
}

func corsFinding(resp *http.Response) Finding {
	origin := resp.Request.Header.Get("Origin")
	acao := resp.Header.Get("Access-Control-Allow-Origin")
	creds := strings.EqualFold(resp.Header.Get("Access-Control-Allow-Credentials"), "true")
	switch {
	case acao == "":
		return finding(CheckCORS, Pass, "no Access-Control-Allow-Origin for foreign origin %s", origin)
	case acao == origin && creds:
		return finding(CheckCORS, Fail, "reflects foreign origin %s with credentials allowed", origin)
	case acao == origin:
		return finding(CheckCORS, Fail, "reflects foreign origin %s", origin)
	case acao == "*" && creds:
		return finding(CheckCORS, Fail, "Access-Control-Allow-Origin * with credentials allowed")
	case acao == "*":
		return finding(CheckCORS, Warn, "Access-Control-Allow-Origin * (any site may read responses; no credentials)")
	}
	return finding(CheckCORS, Pass, "allows only %s, not foreign origin %s", acao, origin)
}

// rateLimit sends a bounded burst of three times the configured limit, as
// fast as 8 connections allow, and expects 429s once the limit is spent.
// Allowing up to twice the limit through covers token buckets that start
// full plus refill during the burst.
func rateLimit(ctx context.Context, c *http.Client, u string, limit int, per time.Duration) Finding {
	n := min(max(3*limit, 10), 600)
	var ok, limited, failed atomic.Int64
	var firstErr atomic.Value
	var next atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) && ctx.Err() == nil {
				resp, err := get(ctx, c, u, nil)
				switch {
				case err != nil:
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				case resp.StatusCode == http.StatusTooManyRequests:
					limited.Add(1)
				default:
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start).Round(time.Millisecond)
	desc := fmt.Sprintf("burst of %d requests in %s (configured %d per %s): %d answered, %d got 429", n, took, limit, per, ok.Load(), limited.Load())
	allowed := int64(2*limit) + int64(float64(limit)*took.Seconds()/max(per.Seconds(), 0.001))
	switch {
	case failed.Load() > 0 && limited.Load() == 0:
		return finding(CheckRateLimit, Error, "%s, %d failed: %v", desc, failed.Load(), firstErr.Load())
	case limited.Load() == 0:
		return finding(CheckRateLimit, Fail, "%s: no rate limit observed", desc)
	case ok.Load() > allowed:
		return finding(CheckRateLimit, Warn, "%s: limit looser than configured", desc)
	}
	return finding(CheckRateLimit, Pass, "%s", desc)
}
