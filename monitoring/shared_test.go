package monitoring_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/wardenhq/warden/internal/pgtest"
	"github.com/wardenhq/warden/monitoring"
	"github.com/wardenhq/warden/store/sqlstore"
)

// failingBatches is the real PostgreSQL store whose locked transactions
// refuse to store more than one decision at once: every batch fails after
// its evaluation has already counted its decisions in memory.
type failingBatches struct {
	*sqlstore.DB
	refused atomic.Int64
}

func (f *failingBatches) Locked(ctx context.Context, keys []monitoring.Key, fn func(monitoring.LockedTx) error) error {
	return f.DB.Locked(ctx, keys, func(tx monitoring.LockedTx) error {
		return fn(refusingTx{tx.(monitoring.BatchLockedTx), f})
	})
}

type refusingTx struct {
	monitoring.BatchLockedTx
	f *failingBatches
}

func (t refusingTx) SaveDecided(ctx context.Context, ds []*monitoring.Decided) ([]int64, error) {
	if len(ds) > 1 {
		t.f.refused.Add(1)
		return nil, errors.New("injected: batch refused")
	}
	return t.BatchLockedTx.SaveDecided(ctx, ds)
}

// Concurrent submissions on a shared store are decided in batches, and
// decide exactly as one at a time would (TestTwoReplicasDecideAsOne checks
// the same across two replicas).
func TestSharedStoreDecidesInBatches(t *testing.T) {
	work := workload(16, 20)
	single := replica(t, openPostgres(t, pgtest.NewDatabase(t), true))
	var want map[string]outcome
	{
		// One submission at a time: no batch can form.
		want = map[string]outcome{}
		for i := range work[0] {
			for c := range work {
				want[work[c][i].ID] = outcomeOf(single.decide(work[c][i]))
			}
		}
	}
	if n := single.svc.Batched.Load(); n != 0 {
		t.Fatalf("%d decisions batched from one submitter", n)
	}
	e := replica(t, openPostgres(t, pgtest.NewDatabase(t), true))
	got := run(t, []*monitoring.Service{e.svc}, work)
	if e.svc.Batched.Load() == 0 {
		t.Fatal("16 concurrent submitters never formed a batch: the batch path went untested")
	}
	compareOutcomes(t, got, want)
}

// A batch that fails to store is decided again one decision at a time: the
// windows forget what the failed batch counted, and every decision comes
// out as if no batch had been tried.
func TestFailedBatchIsDecidedOneAtATime(t *testing.T) {
	work := workload(16, 20)
	single := replica(t, openPostgres(t, pgtest.NewDatabase(t), true))
	want := run(t, []*monitoring.Service{single.svc}, work)

	e := replica(t, openPostgres(t, pgtest.NewDatabase(t), true))
	store := &failingBatches{DB: e.db}
	svc := e.service(store, e.alerts, true)
	defer svc.Close()
	got := run(t, []*monitoring.Service{svc}, work)
	if store.refused.Load() == 0 {
		t.Fatal("no batch was refused: the fallback went untested")
	}
	if n := svc.Batched.Load(); n != 0 {
		t.Fatalf("%d decisions counted as batched, but every batch was refused", n)
	}
	compareOutcomes(t, got, want)
}

func compareOutcomes(t *testing.T, got, want map[string]outcome) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d decisions, want %d", len(got), len(want))
	}
	reviews := 0
	for id, w := range want {
		g := got[id]
		// Account windows are shared by customers submitting concurrently:
		// only the customer rule's evidence is order-free.
		if g.prior != w.prior || g.count != w.count {
			t.Errorf("%s: %+v, one at a time %+v", id, g, w)
		}
		if w.action == monitoring.ActionReview {
			reviews++
		}
	}
	if reviews == 0 {
		t.Fatal("the workload never crossed the daily total: the comparison proves nothing")
	}
}
