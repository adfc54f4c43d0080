package postgres_test

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/internal/pgtest"
	"github.com/wardenhq/warden/store/postgres"
	"github.com/wardenhq/warden/store/sqlstore"
	"github.com/wardenhq/warden/store/storetest"
)

// openAs opens dsn's database as role; the caller closes it.
func openAs(t *testing.T, dsn, role string) *sqlstore.DB {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	db, err := postgres.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func asRole(t *testing.T, dsn, role string) *sqlstore.DB {
	t.Helper()
	db := openAs(t, dsn, role)
	t.Cleanup(func() { db.Close() })
	return db
}

// withRoles returns a fresh database migrated by its owner (returned open,
// closed at cleanup) with docs/postgres-roles.sql run on it.
func withRoles(t *testing.T) (string, *sqlstore.DB) {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	owner, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Close() })
	if _, err := owner.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("../../docs/postgres-roles.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.WriteDBForTest().ExecContext(ctx, string(script)); err != nil {
		t.Fatalf("docs/postgres-roles.sql: %v", err)
	}
	return dsn, owner
}

func appLog(t *testing.T, db *sqlstore.DB) *audit.Log {
	t.Helper()
	skey, _, err := note.GenerateKey(rand.Reader, "roles")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.New(db, audit.Config{Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// The app role of docs/postgres-roles.sql can do everything Warden does
// with its store: the conformance suite passes connected as warden_app,
// but for creating the schema (warden_owner's) and pruning the audit log
// (warden_retention's, tested below).
func TestConformanceAsAppRole(t *testing.T) {
	storetest.RunExcept(t, func(t *testing.T) storetest.Store {
		dsn, _ := withRoles(t)
		return openAs(t, dsn, "warden_app")
	}, "Migrations", "AuditRetention")
}

// TestDocumentedRoles runs docs/postgres-roles.sql and checks that the app
// role can run Warden but can only INSERT and SELECT the audit tables (and
// DELETE relayed rows of the audit outbox), and
// that the retention role can prune only through the archive path.
func TestDocumentedRoles(t *testing.T) {
	ctx := context.Background()
	dsn, owner := withRoles(t)

	// Every table a migration creates is granted to the app role: a new
	// table without a line in the script fails here.
	rows, err := owner.WriteDBForTest().QueryContext(ctx, `SELECT relname FROM pg_class
		WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT has_table_privilege('warden_app', oid, 'SELECT')`)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		missing = append(missing, name)
	}
	rows.Close()
	if len(missing) > 0 {
		t.Fatalf("docs/postgres-roles.sql grants warden_app nothing on %v", missing)
	}

	app := asRole(t, dsn, "warden_app")
	if _, err := app.Migrate(ctx); err != nil {
		t.Fatalf("the app role cannot start on a migrated store: %v", err)
	}
	if err := app.AppendAuditEntries(ctx, storetest.BuildEntries(3, "roles")); err != nil {
		t.Fatalf("app role append: %v", err)
	}
	if es, err := app.AuditEntries(ctx, 0, 3); err != nil || len(es) != 3 {
		t.Fatalf("app role read: %d %v", len(es), err)
	}
	// The audit outbox: written with a change, read and deleted by the relay.
	log := appLog(t, app)
	sctx, pending, err := log.Stage(ctx, audit.Record{Action: "audit.cursor", Subject: audit.Subject{Type: "cursor", ID: "roles"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.SetAuditCursor(sctx, "roles", 1); err != nil {
		t.Fatalf("app role change with its audit record: %v", err)
	}
	if err := pending.Wait(ctx); err != nil {
		t.Fatalf("app role relay: %v", err)
	}
	if n, err := app.AuditSize(ctx); err != nil || n != 4 || storetest.OutboxRows(t, app) != 0 {
		t.Fatalf("after the relay: size %d (%v), outbox %d", n, err, storetest.OutboxRows(t, app))
	}
	for _, stmt := range []string{
		`UPDATE audit_entries SET action = 'x'`,
		`DELETE FROM audit_entries`,
		`TRUNCATE audit_hashes`,
		`DELETE FROM audit_checkpoints`,
		`DROP TRIGGER audit_entries_append_only ON audit_entries`,
		`UPDATE audit_outbox SET action = 'x'`,
	} {
		_, err := app.WriteDBForTest().ExecContext(ctx, stmt)
		if err == nil || !strings.Contains(err.Error(), "permission denied") && !strings.Contains(err.Error(), "must be owner") {
			t.Errorf("app role: %s: %v, want a privilege error", stmt, err)
		}
	}

	ret := asRole(t, dsn, "warden_retention")
	if _, err := ret.WriteDBForTest().ExecContext(ctx, `DELETE FROM audit_entries WHERE idx = 0`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("retention role deleted outside the archive path: %v", err)
	}
	n, err := ret.PruneAuditEntries(ctx, audit.Archive{ID: "a", BeforeIndex: 2, CheckpointSize: 2, File: "f", SHA256: "00"})
	if err != nil || n != 2 {
		t.Fatalf("retention role prune: %d %v", n, err)
	}
}
