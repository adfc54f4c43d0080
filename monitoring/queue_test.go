package monitoring_test

import (
	"context"
	"testing"

	"github.com/wardenhq/warden"
)

// A transaction arriving as the service stops gets an "unavailable" error,
// not a panic on a closed queue, on both stores.
func TestDecideAfterCloseIsUnavailable(t *testing.T) {
	for name, open := range bothStores() {
		t.Run(name, func(t *testing.T) {
			e := newEnvOn(t, open(t), nil, name == "postgres")
			e.decide(e.tx("c1", 1000, "in", "cash"))
			e.svc.Close()
			_, err := e.svc.Decide(context.Background(), e.tx("c1", 1000, "in", "cash"))
			if warden.ErrorCode(err) != warden.EUNAVAILABLE {
				t.Fatalf("decide after close: %v, want %s", err, warden.EUNAVAILABLE)
			}
		})
	}
}
