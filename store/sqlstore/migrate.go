package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migration is one versioned SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded migrations in version order.
func (db *DB) Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(db.dialect.Migrations, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", e.Name())
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", prev, e.Name(), v)
		}
		seen[v] = e.Name()
		body, err := fs.ReadFile(db.dialect.Migrations, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    BIGINT PRIMARY KEY,
	name       TEXT   NOT NULL,
	applied_at BIGINT NOT NULL
)`

// MigrationStatus reports the applied and the latest embedded versions.
func (db *DB) MigrationStatus(ctx context.Context) (applied, latest int, err error) {
	defer db.track("migrations.status", time.Now(), &err)
	ms, err := db.Migrations()
	if err != nil {
		return 0, 0, err
	}
	if len(ms) > 0 {
		latest = ms[len(ms)-1].Version
	}
	applied, err = db.appliedVersion(ctx, db.read)
	return applied, latest, err
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (db *DB) appliedVersion(ctx context.Context, q queryer) (int, error) {
	var v sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	if err != nil {
		if db.isMissingTable(err) {
			return 0, nil
		}
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

func (db *DB) isMissingTable(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "no such table") || strings.Contains(msg, "does not exist")
}

// Migrate applies every pending migration, each in its own transaction, and
// returns the versions it applied. It refuses to run against a store whose
// schema is newer than this binary knows.
func (db *DB) Migrate(ctx context.Context) (applied []int, err error) {
	defer db.track("migrations.apply", time.Now(), &err)
	ms, err := db.Migrations()
	if err != nil {
		return nil, err
	}
	// Nothing pending: no DDL at all, so a role without CREATE rights (the
	// documented warden_app role) can start against a migrated store.
	if current, err := db.appliedVersion(ctx, db.write); err == nil && len(ms) > 0 && current >= ms[len(ms)-1].Version {
		if current > ms[len(ms)-1].Version {
			return nil, fmt.Errorf("store schema is at version %d but this binary knows only up to %d: upgrade warden", current, ms[len(ms)-1].Version)
		}
		return nil, nil
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.lockMigrations(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, createMigrationsTable); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		did := false
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			if err := db.lockMigrations(ctx, tx); err != nil {
				return err
			}
			current, err := db.appliedVersion(ctx, tx)
			if err != nil {
				return err
			}
			if current >= m.Version {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("apply migration %04d_%s: %w", m.Version, m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, micros(time.Now())); err != nil {
				return fmt.Errorf("record migration %d: %w", m.Version, err)
			}
			did = true
			return nil
		})
		if err != nil {
			return applied, err
		}
		if did {
			applied = append(applied, m.Version)
		}
	}
	current, err := db.appliedVersion(ctx, db.write)
	if err != nil {
		return applied, err
	}
	if len(ms) > 0 && current > ms[len(ms)-1].Version {
		return applied, fmt.Errorf("store schema is at version %d but this binary knows only up to %d: upgrade warden", current, ms[len(ms)-1].Version)
	}
	return applied, nil
}

func (db *DB) lockMigrations(ctx context.Context, tx *sql.Tx) error {
	return db.lock(ctx, tx, lockMigrations)
}

// Lock keys; arbitrary constants shared by every replica.
const (
	lockMigrations int64 = 0x57617264_0001
	lockAudit      int64 = 0x57617264_0002
)

func (db *DB) lock(ctx context.Context, tx *sql.Tx, key int64) error {
	if db.dialect.Lock == nil {
		return nil
	}
	stmt := db.dialect.Lock(key)
	if stmt == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("take lock %x: %w", key, err)
	}
	return nil
}
