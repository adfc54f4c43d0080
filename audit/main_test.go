package audit_test

import (
	"flag"
	"os"
	"testing"

	"github.com/wardenhq/warden/internal/pgtest"
)

// TestMain gives the PostgreSQL benchmark a real server. The tests of this
// package need none, so a plain `go test ./audit/` stays fast: a cluster is
// started (or the one in WARDEN_TEST_POSTGRES used) only when benchmarks
// were asked for with -bench.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		os.Exit(pgtest.Main(m))
	}
	os.Exit(m.Run())
}
