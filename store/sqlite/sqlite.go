// Package sqlite opens Warden's embedded default store: one SQLite file in WAL
// mode through the pure-Go modernc.org/sqlite driver, so the binary needs no
// C toolchain and no other service.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"

	"github.com/wardenhq/warden/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Dialect returns the SQLite dialect with its migrations.
func Dialect() sqlstore.Dialect {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embedded directory is fixed at build time
	}
	return sqlstore.Dialect{
		Name: "sqlite", IsUniqueViolation: isUniqueViolation, Migrations: sub,
		// DDL is transactional in SQLite: the guard is down only inside the
		// pruning transaction.
		AuditPruneBegin: []string{"DROP TRIGGER audit_entries_no_delete"},
		AuditPruneEnd:   []string{"CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit tables are append-only'); END"},
	}
}

func isUniqueViolation(err error) bool {
	var e *sqlite3.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3lib.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY
}

// Open opens (creating if needed) the database file at path. All writes go
// through one connection, the way SQLite wants them; reads use a small pool
// that WAL lets run beside the writer.
func Open(ctx context.Context, path string) (*sqlstore.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	pragmas := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(FULL)",
		// Reads map the file instead of a read system call per page, and
		// keep 16 MiB of pages per connection.
		"mmap_size(268435456)", "cache_size(-16384)",
		// Checkpoints run in the background (checkpoints below); the
		// commit that crosses this far larger threshold checkpoints only if
		// that falls behind.
		fmt.Sprintf("wal_autocheckpoint(%d)", backstopCheckpointPages)} {
		pragmas.Add("_pragma", p)
	}
	ckptDSN := "file:" + path + "?" + pragmas.Encode()
	writeDSN := ckptDSN + "&_txlock=immediate"
	pragmas.Add("_pragma", "query_only(1)")
	readDSN := "file:" + path + "?" + pragmas.Encode()

	write, err := sql.Open("sqlite", writeDSN)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", readDSN)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read.SetMaxOpenConns(16) // WAL readers run beside the writer; decisions read several times each
	read.SetMaxIdleConns(16)
	if err := os.Chmod(path, 0o600); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("restrict permissions of %s: %w", path, err)
	}
	ckpt, err := sql.Open("sqlite", ckptDSN)
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	ckpt.SetMaxOpenConns(1)
	db := sqlstore.New(write, read, Dialect())
	stop := make(chan struct{})
	stopped := make(chan struct{})
	go checkpoints(ckpt, write, checkpointEvery, stop, stopped)
	var once sync.Once // Close may be called more than once
	db.OnClose(func() {
		once.Do(func() {
			close(stop)
			<-stopped
			ckpt.Close()
		})
	})
	return db, nil
}

const (
	// checkpointEvery is how often the background checkpoint runs; one
	// with nothing to copy costs a few system calls.
	checkpointEvery = 200 * time.Millisecond
	// backstopCheckpointPages (about 400 MiB of WAL) is where a commit
	// checkpoints by itself.
	backstopCheckpointPages = 100000
	// A WAL of at least rewindFrames whose background checkpoint has left
	// at most finishFrames uncopied is finished on the write connection, so
	// that the next write starts the WAL over (see checkpoints).
	rewindFrames = 4096
	finishFrames = 512
	// bulkPasses bounds the background passes of one tick.
	bulkPasses = 8
)

// checkpoints copies committed WAL pages into the database file every
// interval, on a connection of its own (ckpt), until stop closes. Done inside
// the commit that crosses wal_autocheckpoint, as SQLite does by default, a
// checkpoint (copying and syncing up to tens of MiB) holds up the single
// writer and every caller waiting on its commit; here it overlaps with
// them. PASSIVE never waits for readers or the writer, so it never blocks
// them either.
//
// SQLite starts the WAL over only when a write transaction begins with
// every frame copied, and under steady writes a background checkpoint never
// finishes between two commits: the WAL would grow to the backstop and stay
// there, every later commit would try to checkpoint inside itself, every
// frame would extend the file, and reads would go through a WAL index of
// 100,000 frames (measured: in process, 23,000 to 26,600 decisions/s over
// 200,000 against 28,400 to 31,100 with a backstop too high to reach). So
// once the background passes leave little, the last frames are copied on
// the write connection itself, between two transactions, where no commit
// can add more: a stall of a few milliseconds, after which the next write
// rewinds the WAL (unless a reader is reading from it at that moment; the
// next tick tries again).
func checkpoints(ckpt, write *sql.DB, interval time.Duration, stop <-chan struct{}, stopped chan<- struct{}) {
	defer close(stopped)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			// An error (the database busy or closing) is retried on the next
			// tick; the writer's backstop bounds the WAL meanwhile.
			for range bulkPasses {
				frames, copied, err := checkpoint(ckpt)
				if err != nil {
					break
				}
				if frames-copied <= finishFrames {
					// Even with nothing left: the writer is usually mid-commit
					// when a pass ends, so its next transaction would begin
					// with new frames uncopied (the test fails without this).
					if frames >= rewindFrames {
						_, _, _ = checkpoint(write)
					}
					break
				}
			}
		}
	}
}

// checkpoint runs a PASSIVE checkpoint on db and returns the WAL's frames
// and how many of them are copied.
func checkpoint(db *sql.DB) (frames, copied int, err error) {
	var busy int
	if err := db.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil {
		return 0, 0, fmt.Errorf("checkpoint: %w", err)
	}
	return frames, copied, nil
}
