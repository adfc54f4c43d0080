package monitoring_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/monitoring"
)

// BenchmarkSaveDecided measures the store's side of a decision on SQLite:
// batches of 256 decided transactions per commit, as the group commit
// gathers them under load. It bounds what one SQLite writer can take.
func BenchmarkSaveDecided(b *testing.B) {
	db := openSQLite(b)
	ctx := context.Background()
	for _, ix := range strings.Split(os.Getenv("BENCH_DROP_INDEXES"), ",") {
		if ix != "" {
			if _, err := db.WriteDBForTest().Exec("DROP INDEX " + ix); err != nil {
				b.Fatal(err)
			}
		}
	}
	base := time.Now().UTC()
	batch := make([]*monitoring.Decided, benchBatch())
	n := 0
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i += len(batch) {
		for j := range batch {
			n++
			t := monitoring.Transaction{ID: fmt.Sprintf("s-%d", n), Time: base.Add(time.Duration(n) * time.Millisecond), CustomerID: fmt.Sprintf("c%05d", n%10000),
				AccountID: fmt.Sprintf("a%05d", n%10000), Amount: int64(1000 + n), Currency: "KES", Direction: "in", Channel: "mobile_money"}
			if n%3 == 0 {
				t.Counterparty = monitoring.Counterparty{Name: "Merchant", Account: fmt.Sprint(n % 500), Institution: "EQBL"}
			}
			batch[j] = &monitoring.Decided{Transaction: t, PayloadHash: "0123456789abcdef0123456789abcdef",
				Decision: monitoring.Decision{TransactionID: t.ID, Action: "allow", Reasons: []monitoring.Reason{}, DecidedAt: base}}
		}
		if _, err := db.SaveDecided(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
}

// benchBatch is BENCH_BATCH (rows a commit), 256 by default.
func benchBatch() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_BATCH")); err == nil && n > 0 && n <= 4096 {
		return n
	}
	return 256
}
