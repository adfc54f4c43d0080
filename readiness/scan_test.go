package readiness

import (
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/wardenhq/warden/internal/servertest"
)

// deployment is a set of real loopback servers a scan can target.
type deployment struct {
	tlsAddr, redisAddr, nginxAddr, kafkaAddr string
	ca                                       *servertest.CA
	silent                                   []string
}

func startDeployment(tb testing.TB, silent int) *deployment {
	tb.Helper()
	d := &deployment{ca: servertest.NewCA(tb)}
	cert := d.ca.Issue(tb, time.Now().Add(5*24*time.Hour), "127.0.0.1") // about to expire
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert.TLS}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	go acceptLoop(l, func(c net.Conn) { _ = c.(*tls.Conn).Handshake() })
	d.tlsAddr = l.Addr().String()
	d.redisAddr = servertest.StartRedis(tb, servertest.RedisOptions{})
	d.nginxAddr = servertest.StartNginx(tb, servertest.NginxOptions{Server: `location / { return 200 "ok\n"; }`})
	kc, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(kc.Close)
	d.kafkaAddr = kc.ListenAddrs()[0]
	for range silent {
		bl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		var mu sync.Mutex
		var held []net.Conn
		tb.Cleanup(func() {
			bl.Close()
			mu.Lock()
			for _, c := range held {
				c.Close()
			}
			mu.Unlock()
		})
		go acceptLoop(bl, func(c net.Conn) { mu.Lock(); held = append(held, c); mu.Unlock(); select {} })
		d.silent = append(d.silent, bl.Addr().String())
	}
	return d
}

func acceptLoop(l net.Listener, handle func(net.Conn)) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			handle(c)
			c.Close()
		}()
	}
}

// targets30 describes 30 targets over the deployment: TLS endpoints, Redis,
// HTTP, Kafka and silent servers that never answer.
func (d *deployment) targets30(timeout string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: bench\ntimeout: %s\ntls:\n", timeout)
	for i := range 8 {
		fmt.Fprintf(&b, "  - {name: tls-%d, address: %q}\n", i, d.tlsAddr)
	}
	for i, a := range d.silent {
		fmt.Fprintf(&b, "  - {name: silent-%d, address: %q}\n", i, a)
	}
	b.WriteString("redis:\n")
	for i := range 6 {
		fmt.Fprintf(&b, "  - {name: redis-%d, address: %q}\n", i, d.redisAddr)
	}
	b.WriteString("kafka:\n")
	for i := range 6 {
		fmt.Fprintf(&b, "  - {name: kafka-%d, address: %q}\n", i, d.kafkaAddr)
	}
	b.WriteString("http:\n")
	for i := range 30 - 20 - len(d.silent) {
		fmt.Fprintf(&b, "  - {name: web-%d, url: \"http://%s/\"}\n", i, d.nginxAddr)
	}
	return b.String()
}

func TestScanManyTargetsWithDeadOnes(t *testing.T) {
	d := startDeployment(t, 4)
	tg, err := ParseTargets([]byte(d.targets30("1s")))
	if err != nil {
		t.Fatal(err)
	}
	if tg.Count() != 30 {
		t.Fatalf("%d targets, want 30", tg.Count())
	}
	c, _ := LoadCatalogue()
	var progress []Progress
	s := &Scanner{Catalogue: c, Progress: func(p Progress) { progress = append(progress, p) }}
	start := time.Now()
	results, err := s.Scan(t.Context(), tg)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	// Generous: a hang would take minutes; the silent targets cost one timeout.
	if took > 45*time.Second {
		t.Errorf("scan of 30 targets with 4 silent ones took %s", took)
	}
	if len(progress) != 30 || progress[29].Done != 30 || progress[29].Total != 30 {
		t.Errorf("progress reported %d times, last %+v", len(progress), progress[len(progress)-1])
	}
	byTarget := map[string][]Result{}
	for _, r := range results {
		byTarget[r.Target] = append(byTarget[r.Target], r)
		if r.Title == "" || r.Phase == "" || r.Severity == "" {
			t.Errorf("result without catalogue metadata: %+v", r)
		}
	}
	if len(byTarget) != 30 {
		t.Errorf("results for %d targets, want 30", len(byTarget))
	}
	for i := range 4 {
		for _, r := range byTarget[fmt.Sprintf("silent-%d", i)] {
			if r.Status != StatusError || !strings.Contains(r.Evidence, "timed out") {
				t.Errorf("silent target: %+v, want an error saying it timed out", r)
			}
		}
	}
	status := func(target, check string) Status {
		for _, r := range byTarget[target] {
			if r.CheckID == check {
				return r.Status
			}
		}
		return ""
	}
	for target, want := range map[[2]string]Status{
		{"tls-0", "tls.expiry"}: StatusFail, {"tls-0", "tls.chain"}: StatusFail, {"redis-0", "redis.auth"}: StatusFail,
		{"kafka-0", "kafka.tls"}: StatusFail, {"kafka-0", "kafka.authentication"}: StatusFail, {"web-0", "http.hsts"}: StatusFail,
	} {
		if got := status(target[0], target[1]); got != want {
			t.Errorf("%s %s = %q, want %s", target[0], target[1], got, want)
		}
	}
	r := Evaluate(c, results, nil, time.Now())
	if r.Overall.Assessed == 0 || r.Overall.Percent >= 50 {
		t.Errorf("overall %+v: a deployment this bad must score low", r.Overall)
	}
}

// BenchmarkScan30Targets measures a scan of 30 live loopback targets (TLS
// endpoints, Redis, Kafka, nginx); the goal is well under 10 s.
// bench/readiness.sh runs it and prints the figure.
func BenchmarkScan30Targets(b *testing.B) {
	d := startDeployment(b, 0)
	tg, err := ParseTargets([]byte(d.targets30("5s")))
	if err != nil {
		b.Fatal(err)
	}
	c, _ := LoadCatalogue()
	s := &Scanner{Catalogue: c}
	b.ResetTimer()
	for range b.N {
		results, err := s.Scan(b.Context(), tg)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range results {
			if r.Status == StatusError {
				b.Fatalf("unexpected error result %+v", r)
			}
		}
	}
}
