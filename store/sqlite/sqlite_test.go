package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardenhq/warden/store/sqlite"
	"github.com/wardenhq/warden/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "warden.db"))
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}

// Committed pages reach the database file without a commit crossing the
// writer's automatic threshold: the background checkpoint copies them.
func TestBackgroundCheckpoint(t *testing.T) {
	path, w := openFiller(t)
	// About 8 MiB, far below the writer's threshold of 100,000 pages.
	for range 64 {
		if _, err := w.Exec("INSERT INTO filler (b) VALUES (randomblob(131072))"); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() >= 8<<20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the database file is %d bytes 10 s after 8 MiB were committed: nothing checkpointed", fi.Size())
		}
		time.Sleep(20 * time.Millisecond)
	}
	var pages int
	if err := w.QueryRow("PRAGMA wal_autocheckpoint").Scan(&pages); err != nil || pages < 10000 {
		t.Fatalf("writer's wal_autocheckpoint = %d (%v): the backstop should be far above a checkpoint interval's pages", pages, err)
	}
}

// Under writes that never pause, the WAL still starts over: the last frames
// of a checkpoint are copied between two transactions, so the WAL file
// stays far smaller than what was written through it (without that it
// grows to the writer's backstop, about 400 MiB, and stays there).
func TestWALRewindsUnderSteadyWrites(t *testing.T) {
	path, w := openFiller(t)
	// 192 MiB in commits of 64 KiB, back to back, rows deleted as they go
	// so that the database itself stays small.
	const commits, blob = 3072, 64 << 10
	for i := range commits {
		if _, err := w.Exec("INSERT INTO filler (b) VALUES (randomblob(?))", blob); err != nil {
			t.Fatal(err)
		}
		if i%16 == 15 {
			if _, err := w.Exec("DELETE FROM filler"); err != nil {
				t.Fatal(err)
			}
		}
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if written := int64(commits * blob); fi.Size() > written/3 {
		t.Fatalf("the WAL is %d MiB after %d MiB written: it did not start over", fi.Size()>>20, written>>20)
	}
}

// openFiller opens a fresh store, closed when t ends, with a table filler
// (b BLOB), and returns its path and write pool.
func openFiller(t *testing.T) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "warden.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := db.WriteDBForTest()
	if _, err := w.Exec("CREATE TABLE filler (b BLOB)"); err != nil {
		t.Fatal(err)
	}
	return path, w
}
