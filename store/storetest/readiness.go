package storetest

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/readiness"
)

func testReadiness(t *testing.T, s Store) {
	ctx := context.Background()
	rs, ok := s.(readiness.Store)
	if !ok {
		t.Fatal("store does not keep readiness scans")
	}
	if got, err := rs.ReadinessScans(ctx, 10); err != nil || len(got) != 0 {
		t.Fatalf("fresh store: %v %v", got, err)
	}
	if _, err := rs.ReadinessScan(ctx, "nope"); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("missing scan: %v", err)
	}
	base := time.Date(2026, 10, 1, 9, 0, 0, 123456000, time.FixedZone("EAT", 3*3600))
	for i := range 4 {
		rec := readiness.ScanRecord{ID: fmt.Sprintf("scan-%d", i), Name: "fineract-prod", StartedAt: base.Add(time.Duration(i) * 24 * time.Hour),
			FinishedAt: base.Add(time.Duration(i)*24*time.Hour + 3*time.Second), Overall: 50 + float64(i)*7.5,
			Report: []byte(fmt.Sprintf(`{"n":%d,"text":"ünïcode ✓"}`, i))}
		if err := rs.SaveReadinessScan(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := rs.SaveReadinessScan(ctx, readiness.ScanRecord{ID: "scan-0", FinishedAt: base}); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("duplicate scan id: %v", err)
	}
	got, err := rs.ReadinessScans(ctx, 3)
	if err != nil || len(got) != 3 || got[0].ID != "scan-3" || got[2].ID != "scan-1" || got[0].Overall != 72.5 {
		t.Fatalf("newest three scans: %+v %v", got, err)
	}
	if !got[0].FinishedAt.Equal(base.Add(3*24*time.Hour+3*time.Second)) || got[0].FinishedAt.Location() != time.UTC || got[0].Report != nil {
		t.Fatalf("scan times or report: %+v", got[0])
	}
	one, err := rs.ReadinessScan(ctx, "scan-2")
	if err != nil || !bytes.Equal(one.Report, []byte(`{"n":2,"text":"ünïcode ✓"}`)) || one.Name != "fineract-prod" || !one.StartedAt.Equal(base.Add(48*time.Hour)) {
		t.Fatalf("scan-2: %+v %v", one, err)
	}

	if as, err := rs.Attestations(ctx); err != nil || len(as) != 0 {
		t.Fatalf("fresh attestations: %v %v", as, err)
	}
	a1 := readiness.Attestation{Item: 30, By: "Jane Doe (CTO)", Evidence: "https://wiki.bank/dr-2026q3", AttestedAt: base, RecordedBy: "cli:ops@host"}
	a2 := readiness.Attestation{ID: "att-2", Item: 30, By: "Jane Doe (CTO)", Evidence: "https://wiki.bank/dr-2026q4", Note: "full failover",
		AttestedAt: base.Add(90 * 24 * time.Hour), ExpiresAt: base.Add(180 * 24 * time.Hour), RecordedBy: "cli:ops@host"}
	for _, a := range []readiness.Attestation{a2, a1} {
		if err := rs.PutAttestation(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := rs.PutAttestation(ctx, a2); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("duplicate attestation id: %v", err)
	}
	as, err := rs.Attestations(ctx)
	if err != nil || len(as) != 2 {
		t.Fatalf("attestations: %+v %v", as, err)
	}
	if as[0].Evidence != a1.Evidence || as[0].ID == "" || !as[0].ExpiresAt.IsZero() || !as[0].AttestedAt.Equal(base) {
		t.Fatalf("oldest attestation: %+v", as[0])
	}
	if as[1].ID != "att-2" || as[1].Note != "full failover" || !as[1].ExpiresAt.Equal(a2.ExpiresAt) || as[1].RecordedBy != "cli:ops@host" || as[1].Item != 30 {
		t.Fatalf("newest attestation: %+v", as[1])
	}
}
