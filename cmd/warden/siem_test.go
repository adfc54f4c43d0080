package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// siemSummary is the --json output of audit siem.
type siemSummary struct {
	Delivered int64  `json:"delivered"`
	Export    string `json:"export"`
	Sink      string `json:"sink"`
	Format    string `json:"format"`
	NextIndex int64  `json:"next_index"`
}

// siemLines reads a file's complete lines; a partial last line fails.
func siemLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 {
		return nil
	}
	if b[len(b)-1] != '\n' {
		t.Fatalf("%s ends in a partial line", path)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

var siemCEFRE = regexp.MustCompile(`^CEF:0\|Warden\|Warden\|[^|]+\|apikey\.create\|apikey\.create\|3\|rt=\d{13} act=apikey\.create suser=\S+ cs5Label=actorKind cs5=system externalId=(\d+) cs1Label=subjectType cs1=api_key cs2Label=subjectId cs2=[0-9a-f]{12} cs4Label=leafHash cs4=[A-Za-z0-9+/]{43}\\= cs6Label=change cs6=\{.*"name":"k(\d+)".*\}$`)

// siemCheckCEF checks that lines are the CEF records of apikey.create
// entries [0, n) in order, and that the key created i-th is named k<i>.
func siemCheckCEF(t *testing.T, lines []string, n int) {
	t.Helper()
	if len(lines) != n {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), n, strings.Join(lines, "\n"))
	}
	for i, l := range lines {
		m := siemCEFRE.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("line %d is not the expected CEF record:\n%s", i, l)
		}
		if m[1] != strconv.Itoa(i) || m[2] != strconv.Itoa(i) {
			t.Fatalf("line %d carries externalId=%s for key k%s:\n%s", i, m[1], m[2], l)
		}
	}
}

func TestSIEMFileCEFDeliversOnce(t *testing.T) {
	f := newAuditFixture(t, 3)
	out := filepath.Join(t.TempDir(), "audit.cef")
	args := append([]string{"audit", "siem", "--sink", "file:" + out, "--format", "cef", "--json"}, f.args...)

	r := mustRun(t, nil, args...)
	s := decodeJSON[siemSummary](t, r.stdout)
	if s.Delivered != 3 || s.NextIndex != 3 || s.Export != "default" || s.Format != "cef" || s.Sink != "file:"+out {
		t.Fatalf("first run: %+v\n%s", s, r)
	}
	siemCheckCEF(t, siemLines(t, out), 3)

	r = mustRun(t, nil, args...)
	if s := decodeJSON[siemSummary](t, r.stdout); s.Delivered != 0 || s.NextIndex != 3 {
		t.Fatalf("second run delivered again: %+v", s)
	}
	siemCheckCEF(t, siemLines(t, out), 3)

	// One more entry: only it is delivered, and the text summary says so.
	mustRun(t, nil, append([]string{"apikey", "create", "--role", "service", "--name", "k3"}, f.args...)...)
	r = mustRun(t, nil, append([]string{"audit", "siem", "--sink", "file:" + out, "--format", "cef"}, f.args...)...)
	if want := fmt.Sprintf("Delivered 1 audit entry to file:%s as cef (export \"default\"; next index 4).\n", out); r.stdout != want {
		t.Fatalf("text summary:\n got %q\nwant %q", r.stdout, want)
	}
	siemCheckCEF(t, siemLines(t, out), 4)

	// Another export name has its own cursor and starts from the beginning.
	other := filepath.Join(t.TempDir(), "other.cef")
	r = mustRun(t, nil, append([]string{"audit", "siem", "--sink", "file:" + other, "--format", "cef", "--name", "qradar", "--json"}, f.args...)...)
	if s := decodeJSON[siemSummary](t, r.stdout); s.Delivered != 4 || s.Export != "qradar" {
		t.Fatalf("second export: %+v", s)
	}
	siemCheckCEF(t, siemLines(t, other), 4)
}

func TestSIEMStdoutJSON(t *testing.T) {
	f := newAuditFixture(t, 2)
	r := mustRun(t, nil, append([]string{"audit", "siem", "--sink", "stdout", "--format", "json", "--json"}, f.args...)...)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("stdout has %d lines, want the 2 entries:\n%s", len(lines), r)
	}
	for i, l := range lines {
		e := decodeJSON[map[string]any](t, l)
		if e["index"] != float64(i) || e["action"] != "apikey.create" || len(fmt.Sprint(e["leaf_hash"])) != 44 {
			t.Fatalf("line %d: %s", i, l)
		}
	}
	// The summary goes to standard error, out of the way of the entries.
	if s := decodeJSON[siemSummary](t, r.stderr); s.Delivered != 2 || s.NextIndex != 2 {
		t.Fatalf("summary on stderr: %s", r)
	}
}

func TestSIEMBadFlagsExit2(t *testing.T) {
	f := newAuditFixture(t, 1)
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tlsSink := "syslog+tls://127.0.0.1:6514"
	cases := []struct {
		args     []string
		fragment string
	}{
		{[]string{"--format", "json"}, "--sink is required"},
		{[]string{"--sink", "stdout"}, "--format is required"},
		{[]string{"--sink", "ftp://host:21", "--format", "json"}, "want stdout, file:PATH"},
		{[]string{"--sink", "stdout.txt", "--format", "json"}, "want stdout, file:PATH"},
		{[]string{"--sink", "file:", "--format", "json"}, "needs a path"},
		{[]string{"--sink", "file:" + filepath.Join(dir, "missing", "x.log"), "--format", "json"}, "does not exist"},
		{[]string{"--sink", "syslog+tls://127.0.0.1", "--format", "json"}, "HOST:PORT"},
		{[]string{"--sink", "syslog://127.0.0.1:99999", "--format", "json"}, "not a number from 1 to 65535"},
		{[]string{"--sink", "syslog+tls://u:p@127.0.0.1:6514", "--format", "json"}, "only scheme://HOST:PORT"},
		{[]string{"--sink", "stdout", "--format", "xml"}, "unknown SIEM format"},
		{[]string{"--sink", "stdout", "--format", "json", "--name", "bad name"}, "--name"},
		{[]string{"--sink", "stdout", "--format", "json", "--interval", "1s"}, "only with --follow"},
		{[]string{"--sink", "stdout", "--format", "json", "--follow", "--interval", "0s"}, "must be positive"},
		{[]string{"--sink", tlsSink, "--format", "json", "--ca", filepath.Join(dir, "none.pem")}, "--ca"},
		{[]string{"--sink", tlsSink, "--format", "json", "--ca", notPEM}, "no PEM certificates"},
		{[]string{"--sink", "stdout", "--format", "json", "--ca", notPEM}, "apply only to a syslog+tls"},
		{[]string{"--sink", "syslog://127.0.0.1:514", "--format", "json", "--server-name", "x"}, "apply only to a syslog+tls"},
		{[]string{"--sink", tlsSink, "--format", "json", "--facility", "kern"}, "--facility"},
		{[]string{"--sink", "stdout", "--format", "json", "--facility", "local0"}, "only to a syslog sink"},
		{[]string{"--sink", "stdout", "--format", "json", "--bogus"}, "unknown flag"},
	}
	for _, c := range cases {
		r := runCLI(t, nil, append(append([]string{"audit", "siem"}, c.args...), f.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.fragment) {
			t.Errorf("%v: want exit 2 and %q, got %s", c.args, c.fragment, r)
		}
	}
	// None of them moved the cursor: a valid run still delivers the entry.
	r := mustRun(t, nil, append([]string{"audit", "siem", "--sink", "file:" + filepath.Join(dir, "ok.json"), "--format", "json", "--json"}, f.args...)...)
	if s := decodeJSON[siemSummary](t, r.stdout); s.Delivered != 1 {
		t.Fatalf("after the usage errors: %+v", s)
	}
}

// siemCollector is a syslog collector over TCP, with TLS when a certificate
// is given, that records the octet-counted frames it receives.
type siemCollector struct {
	ln     net.Listener
	mu     sync.Mutex
	frames []string
	bad    []string
}

func siemStartCollector(t *testing.T, cert *tls.Certificate) *siemCollector {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cert != nil {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12})
	}
	c := &siemCollector{ln: ln}
	var wg sync.WaitGroup
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c.mu.Lock()
			conns = append(conns, conn)
			c.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				br := bufio.NewReader(conn)
				for {
					head, err := br.ReadString(' ')
					if err != nil {
						return
					}
					n, err := strconv.Atoi(strings.TrimSpace(head))
					if err != nil || n <= 0 {
						c.mu.Lock()
						c.bad = append(c.bad, head)
						c.mu.Unlock()
						return
					}
					buf := make([]byte, n)
					if _, err := io.ReadFull(br, buf); err != nil {
						return
					}
					c.mu.Lock()
					c.frames = append(c.frames, string(buf))
					c.mu.Unlock()
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		c.mu.Lock()
		for _, conn := range conns {
			conn.Close()
		}
		c.mu.Unlock()
		wg.Wait()
	})
	return c
}

func (c *siemCollector) received() ([]string, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.frames...), append([]string(nil), c.bad...)
}

// siemSelfSigned returns a certificate for collector.test and its PEM file.
func siemSelfSigned(t *testing.T) (*tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "collector.test"}, DNSNames: []string{"collector.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true, IsCA: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "collector-ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, path
}

var siemFrameRE = regexp.MustCompile(`^<(\d+)>1 \S+ \S+ warden - apikey\.create \[warden@32473 index="(\d+)" leafHash="[A-Za-z0-9+/]{43}="\] \{.*"index":(\d+),.*"leaf_hash":"[A-Za-z0-9+/]{43}="\}$`)

func siemCheckFrames(t *testing.T, frames []string, pri, n int) {
	t.Helper()
	if len(frames) != n {
		t.Fatalf("collector received %d frames, want %d:\n%s", len(frames), n, strings.Join(frames, "\n"))
	}
	for i, fr := range frames {
		m := siemFrameRE.FindStringSubmatch(fr)
		if m == nil || m[1] != strconv.Itoa(pri) || m[2] != strconv.Itoa(i) || m[3] != strconv.Itoa(i) {
			t.Fatalf("frame %d (want PRI %d, index %d): %s", i, pri, i, fr)
		}
	}
}

func TestSIEMSyslogTLS(t *testing.T) {
	f := newAuditFixture(t, 3)
	cert, caFile := siemSelfSigned(t)
	col := siemStartCollector(t, cert)
	sink := "syslog+tls://" + col.ln.Addr().String()

	// The certificate names collector.test, not 127.0.0.1: without
	// --server-name the handshake must fail (exit 1, nothing delivered).
	r := runCLI(t, nil, append([]string{"audit", "siem", "--sink", sink, "--format", "json", "--ca", caFile, "--name", "nameless"}, f.args...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "certificate") {
		t.Fatalf("wrong server name: want exit 1 and a certificate error, got %s", r)
	}

	r = mustRun(t, nil, append([]string{"audit", "siem", "--sink", sink, "--format", "json", "--ca", caFile, "--server-name", "collector.test", "--json"}, f.args...)...)
	if s := decodeJSON[siemSummary](t, r.stdout); s.Delivered != 3 || s.NextIndex != 3 {
		t.Fatalf("summary: %+v", s)
	}
	frames, bad := col.received()
	if len(bad) > 0 {
		t.Fatalf("malformed frames: %q", bad)
	}
	siemCheckFrames(t, frames, 13*8+6, 3)
	if strings.Contains(r.stderr, "unencrypted") {
		t.Fatalf("TLS sink warned about plain TCP: %s", r)
	}
}

func TestSIEMSyslogPlainWarnsAndFollows(t *testing.T) {
	f := newAuditFixture(t, 2)
	col := siemStartCollector(t, nil)
	sink := "syslog://" + col.ln.Addr().String()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		args := append([]string{"audit", "siem", "--sink", sink, "--format", "json", "--facility", "local0", "--follow", "--interval", "20ms"}, f.args...)
		done <- run(ctx, args, strings.NewReader(""), stdout, stderr, nil)
	}()
	siemWait(t, "the 2 existing entries", func() bool { fr, _ := col.received(); return len(fr) >= 2 })
	mustRun(t, nil, append([]string{"apikey", "create", "--role", "service", "--name", "late"}, f.args...)...)
	siemWait(t, "the entry appended while following", func() bool { fr, _ := col.received(); return len(fr) >= 3 })
	time.Sleep(100 * time.Millisecond) // several polls: nothing is sent twice
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("follow exited %d\n--- stdout:\n%s--- stderr:\n%s", code, stdout, stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("follow did not stop within 10s of cancellation")
	}
	frames, bad := col.received()
	if len(bad) > 0 {
		t.Fatalf("malformed frames: %q", bad)
	}
	siemCheckFrames(t, frames, 16*8+6, 3)
	if !strings.Contains(stderr.String(), "warning: "+sink+" sends audit entries unencrypted") {
		t.Fatalf("no plain-TCP warning on stderr:\n%s", stderr)
	}
	if want := fmt.Sprintf("Delivered 3 audit entries to %s as json (export \"default\"; next index 3).\n", sink); stdout.String() != want {
		t.Fatalf("summary:\n got %q\nwant %q", stdout.String(), want)
	}
}

func siemWait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
