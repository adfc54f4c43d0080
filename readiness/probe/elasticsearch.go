package probe

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Checks reported by Elasticsearch.
const (
	CheckESHTTPS     = "elasticsearch.https"
	CheckESAnonymous = "elasticsearch.anonymous"
)

// Elasticsearch checks that the cluster serves HTTPS and refuses anonymous
// requests: GET / without credentials must answer 401 or 403.
func Elasticsearch(ctx context.Context, rawURL string, opts TLSOptions) []Finding {
	u, err := url.Parse(rawURL)
	if err != nil {
		return errorAll(err, CheckESHTTPS, CheckESAnonymous)
	}
	if opts.ServerName == "" {
		opts.ServerName = u.Hostname()
	}
	var out []Finding
	if u.Scheme == "https" {
		st, tf := AnalyzeTLS(ctx, Direct(hostPort(u)), opts)
		if st == nil {
			// The handshake's reason is in the TLS findings already.
			return append(tf, finding(CheckESHTTPS, Error, "TLS handshake failed"), finding(CheckESAnonymous, Error, "TLS handshake failed"))
		}
		out = append(out, finding(CheckESHTTPS, Pass, "serves HTTPS (%s)", st))
		out = append(out, tf...)
	} else {
		out = append(out, finding(CheckESHTTPS, Fail, "configured as %s: plaintext HTTP", u.Scheme))
	}
	c := httpClient(opts, 1)
	defer c.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(rawURL, "/")+"/", nil)
	if err != nil {
		return append(out, errorAll(err, CheckESAnonymous)...)
	}
	resp, err := c.Do(req)
	if err != nil {
		return append(out, errorAll(err, CheckESAnonymous)...)
	}
	defer resp.Body.Close()
	var info struct {
		ClusterName string `json:"cluster_name"`
		Version     struct {
			Number string `json:"number"`
		} `json:"version"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&info)
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		out = append(out, finding(CheckESAnonymous, Pass, "anonymous GET / answered %d", resp.StatusCode))
	case resp.StatusCode == http.StatusOK:
		out = append(out, finding(CheckESAnonymous, Fail, "anonymous GET / answered 200 (cluster %q, version %s)", info.ClusterName, info.Version.Number))
	default:
		out = append(out, finding(CheckESAnonymous, Warn, "anonymous GET / answered %d", resp.StatusCode))
	}
	return out
}
