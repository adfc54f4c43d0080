package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/auth"
	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/internal/testutil"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/kyc/tier"
	"github.com/wardenhq/warden/monitoring"
	"github.com/wardenhq/warden/reporting/ctr"
	"github.com/wardenhq/warden/screening"
	"github.com/wardenhq/warden/screening/bundled"
	"github.com/wardenhq/warden/store/sqlite"
	"github.com/wardenhq/warden/store/sqlstore"
)

// syncBuffer captures concurrent output.
type syncBuffer = testutil.SyncBuffer

// testEnv is a real server on a real SQLite store behind httptest.
type testEnv struct {
	t      *testing.T
	cfg    config.Config
	srv    *Server
	ts     *httptest.Server
	db     *sqlstore.DB
	keys   *auth.Service
	logs   *syncBuffer
	admin  string
	audit  *audit.Log
	vkey   string
	alerts *cases.Alerts
}

// newAuditLog returns a real audit log on db with a fresh signing key.
func newAuditLog(t *testing.T, db *sqlstore.DB) (*audit.Log, string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(nil, "warden-test")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	l, err := audit.New(db, audit.Config{Origin: "test/audit", Signer: signer, Verifiers: []note.Verifier{verifier}, CheckpointEvery: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.PublishKey(context.Background(), vkey); err != nil {
		t.Fatal(err)
	}
	return l, vkey
}

func newEnv(t *testing.T, mutate func(*config.Config)) *testEnv {
	t.Helper()
	cfg := config.Default()
	// Generous limits so that tests about other things are not rate-limited.
	cfg.RateLimits.Admin = config.Rate{Count: 100000, Per: 1e9}
	cfg.RateLimits.Anonymous = config.Rate{Count: 100000, Per: 1e9}
	if mutate != nil {
		mutate(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("test config: %v", err)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "warden.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	metrics := NewMetrics("test")
	db.SetObserver(metrics.ObserveStore)
	logs := &syncBuffer{}
	auditLog, vkey := newAuditLog(t, db)
	keys := &auth.Service{Store: db, RotationOverlap: cfg.Auth.RotationOverlap.D(), Audit: auditLog}
	screeningSvc := &screening.Service{Screener: testScreener(t), Lists: db, Clearances: db, Audit: auditLog}
	alerts := &cases.Alerts{Store: db, Audit: auditLog, OnRaise: metrics.ObserveAlert}
	customers := &kyc.Service{Store: db, Audit: auditLog, Screening: screeningSvc, Documents: db, Owners: db, Alerts: alerts, Profile: testProfile(t)}
	book, monitor := testMonitoring(t, db, auditLog, customers, screeningSvc, alerts)
	srv, err := New(Deps{Config: cfg, Logger: slog.New(slog.NewJSONHandler(logs, nil)), Keys: keys, Store: db, Metrics: metrics,
		Audit: auditLog, AuditKey: vkey, Screening: screeningSvc, Alerts: alerts, Customers: customers,
		Monitoring: monitor, Rules: book, Cases: &cases.Cases{Store: db, Alerts: db, Audit: auditLog},
		CTRs: &ctr.Service{Store: db, Transactions: db, Audit: auditLog, Rates: ctr.Rates{"USD": big.NewRat(1, 1)}}, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, cfg: cfg, srv: srv, db: db, alerts: alerts, keys: keys, logs: logs, audit: auditLog, vkey: vkey}
	e.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(e.ts.Close)
	e.admin = e.key(warden.RoleAdmin)
	return e
}

// key creates a key with the role directly in the store.
func (e *testEnv) key(role warden.Role) string {
	e.t.Helper()
	_, secret, err := e.keys.Create(context.Background(), auth.CreateKey{Name: "test " + string(role), Role: role})
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r *response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// apiError returns the error object of an error response, failing the test if
// the response is not in the documented error format.
func (r *response) apiError(t *testing.T) warden.Error {
	t.Helper()
	var body struct {
		Error *warden.Error `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || body.Error == nil || body.Error.Code == "" || body.Error.Message == "" {
		t.Fatalf("status %d: not an error body {\"error\":{code,message,field}}: %v\n%s", r.status, err, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("error content type %q", ct)
	}
	return *body.Error
}

// do sends a request. headers are name, value pairs; a key of "" sends no
// credentials.
func (e *testEnv) do(method, path, key, body string, headers ...string) *response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return &response{status: res.StatusCode, header: res.Header, body: b}
}

// wantError checks status, error code and, if given, the field.
func (r *response) wantError(t *testing.T, status int, code, field string) warden.Error {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d\n%s", r.status, status, r.body)
	}
	e := r.apiError(t)
	if e.Code != code || (field != "" && e.Field != field) {
		t.Fatalf("error %+v, want code %q field %q", e, code, field)
	}
	return e
}

func createReq(name string) auth.CreateKey {
	return auth.CreateKey{Name: name, Role: warden.RoleService}
}

var (
	screenerOnce sync.Once
	screener     *screening.Screener
	screenerErr  error
)

// testScreener serves the bundled lists; read-only, so shared by all tests.
func testScreener(t *testing.T) *screening.Screener {
	t.Helper()
	screenerOnce.Do(func() {
		var snaps []*screening.Snapshot
		if snaps, screenerErr = bundled.Load(); screenerErr == nil {
			screener = screening.NewScreener(snaps...)
		}
	})
	if screenerErr != nil {
		t.Fatal(screenerErr)
	}
	return screener
}

func testProfile(t *testing.T) *tier.Profile {
	t.Helper()
	p, err := tier.Builtin("ke-mobile-money")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// decode checks the status and decodes the JSON body into v.
func (r *response) decode(t *testing.T, status int, v any) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d\n%s", r.status, status, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// testMonitoring builds monitoring with the built-in pack on db.
func testMonitoring(t *testing.T, db *sqlstore.DB, rec monitoring.Recorder, customers *kyc.Service, lists *screening.Service, alerts *cases.Alerts) (*monitoring.RuleBook, *monitoring.Service) {
	t.Helper()
	ctx := context.Background()
	comp, err := monitoring.NewCompiler()
	if err != nil {
		t.Fatal(err)
	}
	book := monitoring.NewRuleBook(comp, db, rec)
	rules, err := monitoring.BuiltinRules()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := book.Sync(ctx, rules, "builtin"); err != nil {
		t.Fatal(err)
	}
	if err := book.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	svc, err := monitoring.NewService(monitoring.Config{Store: db, Customers: &monitoring.KYCProfiles{KYC: customers, TTL: time.Nanosecond},
		Counterparties: &monitoring.ListScreener{Screening: lists}, Alerts: alerts, Rules: book})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return book, svc
}
