package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"strings"

	"github.com/spf13/cobra"

	"golang.org/x/mod/sumdb/note"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/auth"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/store"
	"github.com/wardenhq/warden/store/sqlstore"
)

// app carries what every command shares: I/O, environment and global flags.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	environ        []string

	configPath string
	dataDir    string
	storeDSN   string
	jsonOut    bool
}

// exitError carries a specific exit status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, environ []string) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, environ: environ}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	code := 1
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	} else if isUsageError(err) {
		code = 2
	}
	a.printError(err)
	return code
}

// isUsageError recognises the command-line mistakes cobra reports itself
// (missing required flags, wrong argument counts, unknown commands), which
// exit 2 like every other usage error.
func isUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"required flag(s) ", "accepts ", "requires at least ", "requires at most ", "unknown command ", "invalid argument "} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func (a *app) printError(err error) {
	if a.jsonOut {
		e := warden.Error{Code: warden.ErrorCode(err), Message: err.Error()}
		var we *warden.Error
		var fe *config.FieldError
		switch {
		case errors.As(err, &we):
			e = *we
		case errors.As(err, &fe):
			// The whole message keeps where the value came from (the file's
			// path, or the WARDEN_* variable).
			e = warden.Error{Code: warden.EINVALID, Message: err.Error(), Field: fe.Field}
		}
		_ = json.NewEncoder(a.stderr).Encode(map[string]any{"error": e})
		return
	}
	var we *warden.Error
	if errors.As(err, &we) {
		if we.Field != "" {
			fmt.Fprintf(a.stderr, "error: %s: %s\n", we.Field, we.Message)
		} else {
			fmt.Fprintf(a.stderr, "error: %s\n", we.Message)
		}
		return
	}
	fmt.Fprintf(a.stderr, "error: %v\n", err)
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "warden",
		Short:         "Warden: compliance decisions, tamper-evident evidence and production readiness for fintech platforms",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.configPath, "config", "", "YAML configuration file (env WARDEN_CONFIG)")
	pf.StringVar(&a.dataDir, "data-dir", "", "data directory for the embedded SQLite store (env WARDEN_DATA_DIR, default ./warden-data)")
	pf.StringVar(&a.storeDSN, "store", "", "store DSN: empty for SQLite in the data directory, sqlite:PATH or postgres://... (env WARDEN_STORE)")
	pf.BoolVar(&a.jsonOut, "json", false, "print JSON instead of text")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: 2, err: fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
	})
	root.AddCommand(a.serveCommand(), a.migrateCommand(), a.apikeyCommand(), a.auditCommand(), a.screenCommand(), a.listsCommand(), a.configCommand(), a.versionCommand(), a.ctrCommand(), a.reportCommand(), a.readinessCommand())
	return root
}

// loadConfig applies defaults, the file, the environment and then flags, and
// validates the result.
func (a *app) loadConfig(cmd *cobra.Command) (config.Config, error) {
	path := a.configPath
	if path == "" {
		path = lookupEnv(a.environ, "WARDEN_CONFIG")
	}
	c, err := config.Load(path, a.environ)
	if err != nil {
		return c, &exitError{code: 2, err: err}
	}
	flags := cmd.Flags()
	if flags.Changed("data-dir") {
		c.DataDir = a.dataDir
	}
	if flags.Changed("store") {
		c.Store = a.storeDSN
	}
	if f := flags.Lookup("listen"); f != nil && f.Changed {
		c.Listen = f.Value.String()
	}
	if err := c.Validate(); err != nil {
		return c, &exitError{code: 2, err: err}
	}
	return c, nil
}

func lookupEnv(environ []string, name string) string {
	for _, kv := range environ {
		if len(kv) > len(name) && kv[:len(name)] == name && kv[len(name)] == '=' {
			return kv[len(name)+1:]
		}
	}
	return ""
}

// openStore opens and migrates the configured store.
func (a *app) openStore(ctx context.Context, c config.Config) (*sqlstore.DB, error) {
	db, err := store.Open(ctx, c.Store, c.DataDir)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func keyService(c config.Config, db auth.KeyStore, log *audit.Log) *auth.Service {
	return &auth.Service{Store: db, DefaultTTL: c.Auth.KeyTTL.D(), RotationOverlap: c.Auth.RotationOverlap.D(), Audit: log, CacheTTL: c.Auth.KeyCacheTTL.D()}
}

// openAudit opens the audit log on db with the configured signing key
// (created on first use) and records the key's public half in the store.
// logger receives the failures of its background work (nil: none runs).
func openAudit(ctx context.Context, c config.Config, db audit.Store, logger *slog.Logger) (*audit.Log, string, error) {
	signer, vkey, err := audit.LoadOrCreateSigningKey(c.SigningKeyPath(), "warden-audit")
	if err != nil {
		return nil, "", err
	}
	verifiers, err := auditVerifiers(append([]string{vkey}, c.Audit.TrustedKeys...))
	if err != nil {
		return nil, "", err
	}
	l, err := audit.New(db, audit.Config{Origin: c.Audit.Origin, Signer: signer, Verifiers: verifiers,
		CheckpointEvery: c.Audit.CheckpointEvery, CheckpointInterval: c.Audit.CheckpointInterval.D(), Logger: logger})
	if err != nil {
		return nil, "", err
	}
	if err := l.PublishKey(ctx, vkey); err != nil {
		return nil, "", err
	}
	return l, vkey, nil
}

func auditVerifiers(vkeys []string) ([]note.Verifier, error) {
	var out []note.Verifier
	for _, k := range vkeys {
		v, err := note.NewVerifier(k)
		if err != nil {
			return nil, fmt.Errorf("audit public key %q: %w", k, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// cliActor names the operator running a CLI command, for records of who did what.
func cliActor() warden.Actor {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return warden.Actor{Kind: warden.ActorSystem, ID: "cli:" + name + "@" + host, Role: warden.RoleAdmin}
}

func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
