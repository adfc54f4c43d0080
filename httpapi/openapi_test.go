package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wardenhq/warden/auth"
	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/reporting/ctr"
	"github.com/wardenhq/warden/screening"
	"github.com/wardenhq/warden/store/sqlite"
)

// oaMethods are the operation keys of an OpenAPI path item.
var oaMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func oaDocument(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	return doc
}

// oaResolve follows a local JSON pointer ("#/a/b") through doc.
func oaResolve(doc any, ref string) (any, bool) {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, false
	}
	if frag == "" {
		return doc, true
	}
	if !strings.HasPrefix(frag, "/") {
		return nil, false
	}
	if f, err := url.PathUnescape(frag); err == nil {
		frag = f
	}
	cur := doc
	for _, tok := range strings.Split(frag[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[tok]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// oaWalkRefs calls f with the location and value of every "$ref" in the tree.
func oaWalkRefs(node any, at string, f func(at, ref string)) {
	switch v := node.(type) {
	case map[string]any:
		for k, child := range v {
			if k == "$ref" {
				s, _ := child.(string)
				f(at, s)
				continue
			}
			oaWalkRefs(child, at+"/"+k, f)
		}
	case []any:
		for i, child := range v {
			oaWalkRefs(child, at+"/"+strconv.Itoa(i), f)
		}
	}
}

func TestOpenAPIIsValidJSON31(t *testing.T) {
	doc := oaDocument(t)
	if v, _ := doc["openapi"].(string); v != "3.1.0" {
		t.Errorf(`"openapi" = %q, want "3.1.0"`, v)
	}
	for _, key := range []string{"info", "paths", "components"} {
		if _, ok := doc[key].(map[string]any); !ok {
			t.Errorf("document has no %q object", key)
		}
	}
	n := 0
	oaWalkRefs(doc, "#", func(at, ref string) {
		n++
		if _, ok := oaResolve(doc, ref); !ok {
			t.Errorf("%s: $ref %q does not resolve inside the document", at, ref)
		}
	})
	if n == 0 {
		t.Error("document has no $ref at all; the walk is probably broken")
	}
}

func oaServer(t *testing.T) *Server {
	t.Helper()
	cfg := config.Default()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	auditLog, vkey := newAuditLog(t, db)
	book, monitor := testMonitoring(t, db, auditLog, &kyc.Service{Store: db}, &screening.Service{Screener: testScreener(t), Lists: db}, &cases.Alerts{Store: db})
	s, err := New(Deps{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Keys: &auth.Service{Store: db}, Store: db,
		Metrics: NewMetrics("test"), Audit: auditLog, AuditKey: vkey, Screening: &screening.Service{Screener: testScreener(t), Lists: db, Clearances: db, Audit: auditLog},
		Customers: &kyc.Service{Store: db, Audit: auditLog, Documents: db, Owners: db, Profile: testProfile(t)}, Alerts: &cases.Alerts{Store: db},
		Monitoring: monitor, Rules: book, Cases: &cases.Cases{Store: db, Alerts: db}, CTRs: &ctr.Service{Store: db, Transactions: db}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOpenAPICoversEveryRoute(t *testing.T) {
	doc := oaDocument(t)
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		t.Fatal("document has no paths")
	}

	// Every documented operation, keyed "METHOD /path".
	documented := map[string]map[string]any{}
	for p, item := range paths {
		pi, ok := item.(map[string]any)
		if !ok {
			t.Errorf("paths[%q] is not an object", p)
			continue
		}
		for _, m := range oaMethods {
			if op, ok := pi[m].(map[string]any); ok {
				documented[strings.ToUpper(m)+" "+p] = op
			}
		}
	}

	routes := oaServer(t).Routes()
	if len(routes) == 0 {
		t.Fatal("server registered no routes")
	}
	registered := map[string]bool{}
	for _, rt := range routes {
		key := strings.ToUpper(rt.Method) + " " + rt.Pattern
		registered[key] = true
		op, ok := documented[key]
		if !ok {
			t.Errorf("registered route %s is missing from openapi.json", key)
			continue
		}

		want := make([]string, 0, len(rt.Roles))
		for _, r := range rt.Roles {
			want = append(want, string(r))
		}
		raw, hasRoles := op["x-warden-roles"].([]any)
		if !hasRoles {
			t.Errorf("%s: x-warden-roles is missing or not an array", key)
		}
		got := make([]string, 0, len(raw))
		for _, r := range raw {
			s, ok := r.(string)
			if !ok {
				t.Errorf("%s: x-warden-roles holds a non-string %v", key, r)
			}
			got = append(got, s)
		}
		slices.Sort(want)
		slices.Sort(got)
		if hasRoles && !slices.Equal(got, want) {
			t.Errorf("%s: x-warden-roles = %v, route allows %v", key, got, want)
		}

		sec, hasSec := op["security"]
		secList, isList := sec.([]any)
		if len(rt.Roles) == 0 {
			if !hasSec || !isList || len(secList) != 0 {
				t.Errorf(`%s is public but its operation does not say "security": []`, key)
			}
		} else if hasSec && isList && len(secList) == 0 {
			t.Errorf(`%s needs a role but its operation says "security": [] (public)`, key)
		}
		if id, _ := op["operationId"].(string); id == "" {
			t.Errorf("%s: operationId is missing", key)
		}
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s: summary is missing", key)
		}
	}
	for key := range documented {
		if !registered[key] {
			t.Errorf("openapi.json documents %s, but no such route is registered", key)
		}
	}
}
