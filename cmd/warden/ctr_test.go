package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/monitoring"
	"github.com/wardenhq/warden/store/sqlite"
)

func TestCTRCloseByHand(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, nil, "migrate", "--data-dir", dir)
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "warden.db"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 27, 10, 0, 0, 0, time.UTC) // a Wednesday
	var ds []*monitoring.Decided
	for i, amt := range []int64{600000, 500000} {
		tx := monitoring.Transaction{ID: []string{"t1", "t2"}[i], Time: at.Add(time.Duration(i) * time.Hour), CustomerID: "c1", AccountID: []string{"a1", "a2"}[i],
			Amount: amt, Currency: "USD", Direction: "in", Channel: "cash"}
		ds = append(ds, &monitoring.Decided{Transaction: tx, PayloadHash: "h", Decision: monitoring.Decision{TransactionID: tx.ID, Action: "allow", DecidedAt: at, Reasons: []monitoring.Reason{}}})
	}
	if _, err := db.SaveDecided(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
	db.Close()
	env := []string{"WARDEN_BUSINESS_TIMEZONE=UTC"}
	r := mustRun(t, env, "ctr", "close", "--date", "2026-05-27", "--data-dir", dir)
	if !strings.Contains(r.stdout, "1 CTRs stored") {
		t.Fatalf("close: %s", r.stdout)
	}
	// Twice: nothing new.
	mustRun(t, env, "ctr", "close", "--date", "2026-05-27", "--data-dir", dir)
	out := decodeJSON[struct {
		Reports []struct {
			ID     string `json:"id"`
			CashIn int64  `json:"cash_in_usd_cents"`
			Items  []any  `json:"items"`
			Status string `json:"status"`
		} `json:"reports"`
	}](t, mustRun(t, env, "ctr", "list", "--date", "2026-05-27", "--json", "--data-dir", dir).stdout)
	if len(out.Reports) != 1 || out.Reports[0].CashIn != 1100000 || len(out.Reports[0].Items) != 2 {
		t.Fatalf("reports %+v", out)
	}
	mustRun(t, env, "ctr", "approve", out.Reports[0].ID, "--data-dir", dir)
	if r := mustRun(t, env, "ctr", "list", "--date", "2026-05-27", "--status", "approved", "--data-dir", dir); !strings.Contains(r.stdout, "11000.00") {
		t.Fatalf("approved list: %s", r.stdout)
	}
	// A bad date is a usage error; a day not yet ended is refused.
	if r := runCLI(t, env, "ctr", "close", "--date", "27/05/2026", "--data-dir", dir); r.code != 2 {
		t.Fatalf("bad date: exit %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, env, "ctr", "close", "--date", time.Now().AddDate(0, 0, 3).Format(time.DateOnly), "--data-dir", dir); r.code == 0 {
		t.Fatalf("future day closed: %s", r.stdout)
	}
}
