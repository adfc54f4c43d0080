// Package sqlstore implements Warden's storage interfaces once, over
// database/sql, for both SQL engines Warden supports. store/sqlite and
// store/postgres supply the driver, the dialect and the migrations; the SQL
// itself is written to run unchanged on SQLite 3.35+ and PostgreSQL 13+
// ($N placeholders, INSERT ... ON CONFLICT, BIGINT microsecond timestamps).
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
)

// Dialect holds what differs between the SQL engines.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// IsUniqueViolation reports whether err is a unique-constraint violation.
	IsUniqueViolation func(error) bool
	// Lock returns a statement that takes a transaction-scoped lock named by
	// key, or "" where the engine's single writer already serialises writers
	// (SQLite). Migrations and audit appends use it so that replicas sharing
	// one PostgreSQL take turns.
	Lock func(key int64) string
	// LockAll, when set, takes several such locks in one statement, in the
	// order given (sorted by the caller, so that every transaction takes
	// them in the same order): one round trip for a decision's window keys.
	LockAll func(keys []int64) string
	// AuditPruneBegin and AuditPruneEnd run around the one DELETE the audit
	// tables allow (retention pruning after a verified archive), inside its
	// transaction: they lift and restore the append-only guard.
	AuditPruneBegin []string
	AuditPruneEnd   []string
	// Migrations holds NNNN_name.sql files applied in order.
	Migrations fs.FS
}

// Observer receives the duration and outcome of every store operation; the
// server uses it for latency metrics.
type Observer func(op string, d time.Duration, err error)

// DB is a Warden store over database/sql.
type DB struct {
	write   *sql.DB // the only pool that writes (one connection on SQLite)
	read    *sql.DB // may equal write
	dialect Dialect
	observe Observer
	closers []func()

	auditMu    sync.Mutex
	auditStmts *[2]*sql.Stmt // SQLite only: prepared audit INSERTs

	stmts sync.Map // stmtKey -> *sql.Stmt: hot statements, prepared once
}

type stmtKey struct {
	pool *sql.DB
	q    string
}

// prepared returns q prepared on pool, preparing it on first use, so that
// the statements run on every transaction decision are parsed once.
func (db *DB) prepared(ctx context.Context, pool *sql.DB, q string) (*sql.Stmt, error) {
	k := stmtKey{pool, q}
	if st, ok := db.stmts.Load(k); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := pool.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if prev, loaded := db.stmts.LoadOrStore(k, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// New wraps open pools. read may be the same pool as write.
func New(write, read *sql.DB, d Dialect) *DB {
	if read == nil {
		read = write
	}
	return &DB{write: write, read: read, dialect: d}
}

// SetObserver installs an observer for operation latency. Call before use.
func (db *DB) SetObserver(o Observer) { db.observe = o }

// Dialect returns the engine name.
func (db *DB) Dialect() string { return db.dialect.Name }

// OnClose registers f to run after the pools close, for resources beneath
// database/sql such as a pgx pool.
func (db *DB) OnClose(f func()) { db.closers = append(db.closers, f) }

// Close closes the pools.
func (db *DB) Close() error {
	db.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	for _, f := range db.closers {
		f()
	}
	return err
}

// Ping checks that the store answers.
func (db *DB) Ping(ctx context.Context) (err error) {
	defer db.track("ping", time.Now(), &err)
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", db.dialect.Name, err)
	}
	if db.read != db.write {
		if err := db.write.PingContext(ctx); err != nil {
			return fmt.Errorf("ping %s writer: %w", db.dialect.Name, err)
		}
	}
	return nil
}

func (db *DB) track(op string, start time.Time, err *error) {
	if db.observe != nil {
		db.observe(op, time.Since(start), *err)
	}
}

// inTx runs fn in a write transaction, committing when fn returns nil,
// together with the audit records staged on ctx (outbox.go): a change and
// its audit records commit or roll back as one. Inside an Atomically scope
// fn runs in the scope's transaction, which the scope commits.
func (db *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if sc := db.scopeOf(ctx); sc != nil {
		return sc.run(fn)
	}
	var committed func()
	err := db.ownTx(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		var err error
		committed, err = writeStaged(ctx, tx)
		return err
	})
	if err == nil {
		committed()
	}
	return err
}

// writeStaged writes in tx what ctx carries for the change's transaction:
// the decisions whose alerts it raises (monitoring.AlertedMarks) and its
// audit records (the outbox). Each is taken once, so a later transaction
// with the same context does not write it again. Call committed after tx
// commits.
func writeStaged(ctx context.Context, tx *sql.Tx) (committed func(), err error) {
	marks, err := writeAlertedMarks(ctx, tx)
	if err != nil {
		return nil, err
	}
	staged := audit.TakeStaged(ctx)
	if err := writeOutbox(ctx, tx, staged); err != nil {
		return nil, err
	}
	return func() {
		staged.Committed()
		marks.Committed()
	}, nil
}

// ownTx runs fn in a write transaction of its own, committing when fn
// returns nil; it ignores scopes and staged records (the log's appends).
func (db *DB) ownTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Timestamps are stored as BIGINT microseconds since the Unix epoch, UTC, the
// one representation both engines compare and index the same way.
func micros(t time.Time) int64 { return t.UTC().UnixMicro() }

func nullMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(t), Valid: true}
}

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func fromNullMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMicros(v.Int64)
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// ReadDB exposes the read pool for tests and diagnostics that inspect rows
// directly; application code goes through the typed methods.
func (db *DB) ReadDB() *sql.DB { return db.read }

// WriteDBForTest exposes the write pool so that tests can damage a store on
// purpose (tampering, schema drift). Application code never calls it.
func (db *DB) WriteDBForTest() *sql.DB { return db.write }

// scanJSON reads rows of one JSON column into values of T; what names the
// kind of row in errors.
func scanJSON[T any](rows *sql.Rows, what string) ([]*T, error) {
	defer rows.Close()
	out := []*T{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("read %s: %w", what, err)
		}
		v := new(T)
		if err := json.Unmarshal([]byte(data), v); err != nil {
			return nil, fmt.Errorf("decode %s: %w", what, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// getJSON reads the one row of table (a data column of JSON) with id, or
// ENOTFOUND naming what.
func getJSON[T any](ctx context.Context, db *DB, table, what, id string) (*T, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT data FROM `+table+` WHERE id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	vs, err := scanJSON[T](rows, what)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, warden.FieldErrorf(warden.ENOTFOUND, "id", "%s %s not found", what, id)
	}
	return vs[0], nil
}
