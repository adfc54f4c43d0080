package siem

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/store/sqlite"
	"github.com/wardenhq/warden/store/sqlstore"
)

// logFixture is a real audit log on SQLite.
type logFixture struct {
	path string
	db   *sqlstore.DB
	log  *audit.Log
	n    int
}

func newLogFixture(t *testing.T) *logFixture {
	t.Helper()
	f := &logFixture{path: filepath.Join(t.TempDir(), "w.db")}
	f.db = openDB(t, f.path)
	skey, vkey, err := note.GenerateKey(nil, "siem-test")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	f.log, err = audit.New(f.db, audit.Config{Origin: "test/siem", Signer: signer, Verifiers: []note.Verifier{verifier}, CheckpointEvery: 7})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// openDB opens (and migrates) the SQLite store at path; closed at cleanup.
func openDB(t *testing.T, path string) *sqlstore.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// append adds n entries whose contents need escaping in every format.
func (f *logFixture) append(t *testing.T, n int) {
	t.Helper()
	ctx := warden.NewContextWithActor(context.Background(), warden.Actor{Kind: warden.ActorAPIKey, ID: "0123456789ab", Role: warden.RoleAdmin})
	for range n {
		i := f.n
		f.n++
		rctx := warden.NewContextWithRequestID(ctx, fmt.Sprintf("req-%d", i))
		if _, err := f.log.Append(rctx, audit.Record{Action: "test.change", Subject: audit.Subject{Type: "thing", ID: fmt.Sprintf("t|%d=x]\"", i)},
			Change: map[string]any{"i": i, "name": "Ωmega \\ = ] \" |\nline", "amount_minor": 1050}}); err != nil {
			t.Fatal(err)
		}
	}
}

// stored returns the stored entries in [from, to).
func (f *logFixture) stored(t *testing.T, from, to int64) []audit.StoredEntry {
	t.Helper()
	es, err := f.db.AuditEntries(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func cursorOf(t *testing.T, db *sqlstore.DB, name string) int64 {
	t.Helper()
	n, err := db.AuditCursor(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// eventually polls cond every 5ms until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// checkJSONLine checks one JSON-format line against the stored entry: taking
// leaf_hash out and canonicalizing gives the stored leaf bytes, and
// leaf_hash is their RFC 6962 hash.
func checkJSONLine(t *testing.T, line []byte, want audit.StoredEntry) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatalf("entry %d: line is not a JSON object: %v\n%s", want.Index, err, line)
	}
	var leaf string
	if err := json.Unmarshal(m["leaf_hash"], &leaf); err != nil {
		t.Fatalf("entry %d: no leaf_hash string: %s", want.Index, line)
	}
	if wantLeaf := tlog.RecordHash(want.Data).String(); leaf != wantLeaf {
		t.Errorf("entry %d: leaf_hash %s, want %s", want.Index, leaf, wantLeaf)
	}
	delete(m, "leaf_hash")
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	canon, err := jsoncanonicalizer.Transform(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(canon, want.Data) {
		t.Errorf("entry %d: line without leaf_hash does not canonicalize to the stored entry:\n got %s\nwant %s", want.Index, canon, want.Data)
	}
}

// testCA is a self-signed certificate for a collector named collector.test.
type testCA struct {
	cert tls.Certificate
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "collector.test"},
		DNSNames:              []string{"collector.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &testCA{cert: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool: pool}
}

func (ca *testCA) clientConfig() *tls.Config {
	return &tls.Config{RootCAs: ca.pool, ServerName: "collector.test"}
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// frame is one syslog message a collector received.
type frame struct {
	conn     int
	pri      int
	ts       string
	host     string
	app      string
	procID   string
	msgID    string
	sdID     string
	index    int64
	leafHash string
	msg      []byte
}

var frameRE = regexp.MustCompile(`(?s)^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) \[(\S+) index="(\d+)" leafHash="([A-Za-z0-9+/=]+)"\] (.*)$`)

// collector is an in-process RFC 5425 syslog collector: TLS over TCP with
// octet-counted frames.
type collector struct {
	t   *testing.T
	tls *tls.Config

	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]bool
	nconn  int
	frames []frame
	// kill, if set, is called after each frame is recorded; returning true
	// closes every open connection (the collector crashing mid-stream).
	kill func(f frame) bool
	wg   sync.WaitGroup
}

func startCollector(t *testing.T, addr string, ca *testCA) *collector {
	t.Helper()
	c := &collector{t: t, tls: &tls.Config{Certificates: []tls.Certificate{ca.cert}, MinVersion: tls.VersionTLS12}, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("collector listen on %s: %v", addr, err)
	}
	c.ln = tls.NewListener(ln, c.tls)
	c.wg.Add(1)
	go c.accept()
	t.Cleanup(c.stop)
	return c
}

func (c *collector) accept() {
	defer c.wg.Done()
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			return
		}
		c.mu.Lock()
		c.nconn++
		id := c.nconn
		c.conns[conn] = true
		c.mu.Unlock()
		c.wg.Add(1)
		go c.serve(conn, id)
	}
}

func (c *collector) serve(conn net.Conn, id int) {
	defer c.wg.Done()
	defer func() {
		c.mu.Lock()
		delete(c.conns, conn)
		c.mu.Unlock()
		conn.Close()
	}()
	r := bufio.NewReader(conn)
	for {
		lenText, err := r.ReadString(' ')
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && lenText != "" {
				c.t.Errorf("collector: reading a frame length: %v (read %q)", err, lenText)
			}
			return
		}
		n, err := strconv.Atoi(strings.TrimSuffix(lenText, " "))
		if err != nil || n <= 0 || n > 1<<20 || strings.HasPrefix(lenText, "0") {
			c.t.Errorf("collector: bad octet count %q", lenText)
			return
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return // cut off mid-frame: the sender must send it again
		}
		m := frameRE.FindSubmatch(buf)
		if m == nil {
			c.t.Errorf("collector: not an RFC 5424 frame of ours: %q", buf)
			return
		}
		f := frame{conn: id, ts: string(m[2]), host: string(m[3]), app: string(m[4]), procID: string(m[5]), msgID: string(m[6]),
			sdID: string(m[7]), leafHash: string(m[9]), msg: m[10]}
		f.pri, _ = strconv.Atoi(string(m[1]))
		f.index, _ = strconv.ParseInt(string(m[8]), 10, 64)
		c.mu.Lock()
		c.frames = append(c.frames, f)
		kill := c.kill != nil && c.kill(f)
		c.mu.Unlock()
		if kill {
			c.closeConns()
			return
		}
	}
}

// closeConns closes every open connection; the listener stays up.
func (c *collector) closeConns() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for conn := range c.conns {
		conn.Close()
	}
}

func (c *collector) stop() {
	c.ln.Close()
	c.closeConns()
	c.wg.Wait()
}

func (c *collector) received() []frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]frame(nil), c.frames...)
}

func (c *collector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.frames)
}

// checkFrames checks that frames carry exactly the entries [from, to), once
// each and in order, with correct header, structured data and message.
func checkFrames(t *testing.T, f *logFixture, frames []frame, from, to int64) {
	t.Helper()
	want := f.stored(t, from, to)
	if len(frames) != len(want) {
		var got []int64
		for _, fr := range frames {
			got = append(got, fr.index)
		}
		t.Fatalf("received %d frames %v, want exactly the %d entries [%d, %d)", len(frames), got, len(want), from, to)
	}
	for i, fr := range frames {
		se := want[i]
		if fr.index != se.Index {
			t.Fatalf("frame %d carries index %d, want %d (out of order or duplicated)", i, fr.index, se.Index)
		}
		if fr.pri != FacilityLogAudit*8+6 || fr.host != "test-host" || fr.app != "warden" || fr.procID != "-" || fr.msgID != "test.change" || fr.sdID != DefaultSDID {
			t.Errorf("frame %d header: %+v", i, fr)
		}
		if fr.leafHash != tlog.RecordHash(se.Data).String() {
			t.Errorf("frame %d leafHash %s, want %s", i, fr.leafHash, tlog.RecordHash(se.Data))
		}
		if want := se.Time.UTC().Format("2006-01-02T15:04:05.000000Z"); fr.ts != want {
			t.Errorf("frame %d timestamp %s, want %s", i, fr.ts, want)
		}
		checkJSONLine(t, fr.msg, se)
	}
}
