// Package store opens the configured store: SQLite (the embedded default) or
// PostgreSQL (production), chosen by the DSN.
package store

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/wardenhq/warden/store/postgres"
	"github.com/wardenhq/warden/store/sqlite"
	"github.com/wardenhq/warden/store/sqlstore"
)

// DefaultFile is the SQLite file created under the data directory.
const DefaultFile = "warden.db"

// Open opens the store named by dsn: empty for SQLite under dataDir,
// "sqlite:PATH" for another SQLite file, or a postgres:// or postgresql:// URL.
func Open(ctx context.Context, dsn, dataDir string) (*sqlstore.DB, error) {
	switch {
	case dsn == "":
		return sqlite.Open(ctx, filepath.Join(dataDir, DefaultFile))
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
		if path == "" {
			return nil, fmt.Errorf("store: sqlite DSN needs a path, e.g. sqlite:/var/lib/warden/warden.db")
		}
		return sqlite.Open(ctx, path)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(ctx, dsn)
	}
	return nil, fmt.Errorf("store: unsupported DSN scheme: want empty (SQLite in the data directory), sqlite:PATH or postgres://")
}

// Describe returns a loggable description of a DSN with any password removed.
func Describe(dsn, dataDir string) string {
	switch {
	case dsn == "":
		return "sqlite:" + filepath.Join(dataDir, DefaultFile)
	case strings.HasPrefix(dsn, "sqlite:"):
		return dsn
	}
	return RedactDSN(dsn)
}

// RedactDSN hides the password of a URL-style DSN, in its user info or its
// query string.
func RedactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable DSN)"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
