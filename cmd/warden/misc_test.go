package main

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wardenhq/warden/internal/pgtest"
)

// migrateOutput is the --json output of migrate.
type migrateOutput struct {
	Store         string `json:"store"`
	Applied       []int  `json:"applied"`
	SchemaVersion int    `json:"schema_version"`
	Latest        int    `json:"latest"`
}

func TestMigrate(t *testing.T) {
	for _, tc := range []struct {
		name      string
		storeArgs func(t *testing.T) []string
		store     func(args []string) string
	}{
		{"sqlite", func(t *testing.T) []string { return []string{"--data-dir", filepath.Join(t.TempDir(), "fresh")} },
			func(args []string) string { return "sqlite:" + filepath.Join(args[1], "warden.db") }},
		{"postgres", func(t *testing.T) []string {
			return []string{"--store", pgtest.NewDatabase(t), "--data-dir", t.TempDir()}
		},
			func(args []string) string { return args[1] }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storeArgs := tc.storeArgs(t)
			r := mustRun(t, nil, append([]string{"migrate", "--json"}, storeArgs...)...)
			first := decodeJSON[migrateOutput](t, r.stdout)
			if first.Latest < 1 {
				t.Fatalf("latest = %d, want at least 1", first.Latest)
			}
			// Versions may skip numbers (reserved by parallel work) but
			// are applied in order up to the latest.
			if len(first.Applied) < 1 || first.Applied[0] != 1 || !slices.IsSorted(first.Applied) ||
				first.Applied[len(first.Applied)-1] != first.Latest || first.SchemaVersion != first.Latest {
				t.Errorf("first migrate = %+v, want every version from 1 to latest in order and schema_version = latest", first)
			}
			if first.Store != tc.store(storeArgs) {
				t.Errorf("store = %q, want %q", first.Store, tc.store(storeArgs))
			}

			r = mustRun(t, nil, append([]string{"migrate", "--json"}, storeArgs...)...)
			second := decodeJSON[migrateOutput](t, r.stdout)
			if second.Applied == nil || len(second.Applied) != 0 {
				t.Errorf("second migrate applied %v (raw %s), want an empty list []", second.Applied, r.stdout)
			}
			if !strings.Contains(r.stdout, `"applied": []`) {
				t.Errorf("second migrate does not print applied as []:\n%s", r.stdout)
			}
			if second.SchemaVersion != first.Latest || second.Latest != first.Latest {
				t.Errorf("second migrate = %+v, want schema version %d", second, first.Latest)
			}

			r = mustRun(t, nil, append([]string{"migrate"}, storeArgs...)...)
			if !strings.Contains(r.stdout, "is up to date at schema version") {
				t.Errorf("text migrate on an up-to-date store: %q", r.stdout)
			}
		})
	}

	// Text output on a fresh store names what it applied.
	dir := t.TempDir()
	r := mustRun(t, nil, "migrate", "--data-dir", dir)
	if !strings.HasPrefix(r.stdout, "Applied migrations [1") || !strings.Contains(r.stdout, filepath.Join(dir, "warden.db")) {
		t.Errorf("text migrate on a fresh store: %q", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "warden.db")); err != nil {
		t.Errorf("migrate did not create the SQLite file: %v", err)
	}
}

func TestMigrateBadStore(t *testing.T) {
	// A PostgreSQL server that is not there fails with a non-zero exit.
	port, err := pgtest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dsn := "postgres://warden:hunter2secret@127.0.0.1:" + strconv.Itoa(port) + "/warden?sslmode=disable&connect_timeout=2"
	r := runCLI(t, nil, "migrate", "--store", dsn, "--data-dir", t.TempDir())
	if r.code == 0 || !strings.HasPrefix(r.stderr, "error: ") {
		t.Errorf("migrate against a closed port: want a non-zero exit and an error, got %s", r)
	}
	if strings.Contains(r.stdout+r.stderr, "hunter2secret") {
		t.Errorf("the connection error prints the password:\n%s", r)
	}
}

func TestVersion(t *testing.T) {
	r := mustRun(t, nil, "version")
	if !strings.HasPrefix(r.stdout, "warden ") || !strings.Contains(r.stdout, runtime.Version()) || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("version printed %q, want one line 'warden VERSION (%s)'", r.stdout, runtime.Version())
	}
	r = mustRun(t, nil, "version", "--json")
	v := decodeJSON[map[string]string](t, r.stdout)
	if v["version"] == "" || v["go"] != runtime.Version() {
		t.Errorf("version --json = %v, want a version and go %s", v, runtime.Version())
	}
	if !strings.Contains(mustRun(t, nil, "version").stdout, v["version"]) {
		t.Errorf("text and JSON versions differ")
	}
}

func TestUnknownCommandAndFlag(t *testing.T) {
	if r := runCLI(t, nil, "frobnicate"); r.code == 0 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: want non-zero and a message, got %s", r)
	}
	if r := runCLI(t, nil, "version", "--nope"); r.code != 2 || !strings.Contains(r.stderr, "--nope") {
		t.Errorf("unknown flag: want exit 2 naming it, got %s", r)
	}
}
