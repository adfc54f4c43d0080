package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/wardenhq/warden/internal/pgtest"
	"github.com/wardenhq/warden/store/postgres"
	"github.com/wardenhq/warden/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		db, err := postgres.Open(context.Background(), pgtest.NewDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}
