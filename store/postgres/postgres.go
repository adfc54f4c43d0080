// Package postgres opens Warden's production store on PostgreSQL through a pgx
// pool. Statements run in pgx's "exec" mode (unnamed prepared statements), and
// Warden keeps no session state across statements, so the store works behind
// PgBouncer in transaction-pooling mode.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/wardenhq/warden/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Dialect returns the PostgreSQL dialect with its migrations.
func Dialect() sqlstore.Dialect {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embedded directory is fixed at build time
	}
	return sqlstore.Dialect{
		Name:              "postgres",
		IsUniqueViolation: isUniqueViolation,
		// Transaction-scoped, so it is released at commit even behind PgBouncer.
		Lock: func(key int64) string { return fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", key) },
		// A target list is evaluated in order, so the locks are taken in
		// the order of keys.
		LockAll: func(keys []int64) string {
			calls := make([]string, len(keys))
			for i, k := range keys {
				calls[i] = fmt.Sprintf("pg_advisory_xact_lock(%d)", k)
			}
			return "SELECT " + strings.Join(calls, ", ")
		},
		AuditPruneBegin: []string{"SET LOCAL warden.audit_prune = 'on'"},
		Migrations:      sub,
	}
}

func isUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// Open connects to dsn (a postgres:// URL or key=value string).
func Open(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse postgres DSN: %s", redactParseError(err))
	}
	if !strings.Contains(dsn, "default_query_exec_mode") {
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		pool.Close()
		return nil, fmt.Errorf("connect to postgres at %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	store := sqlstore.New(db, nil, Dialect())
	store.OnClose(pool.Close)
	return store, nil
}

// redactParseError keeps a password in a malformed DSN out of messages: pgx's
// parse errors can quote the DSN.
func redactParseError(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "postgres"); i >= 0 {
		return "invalid connection string (check its syntax; it is not shown because it may hold a password)"
	}
	return msg
}
