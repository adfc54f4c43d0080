package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/wardenhq/warden/store"
)

func (a *app) migrateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations (serve also does this on start)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.loadConfig(cmd)
			if err != nil {
				return err
			}
			db, err := store.Open(cmd.Context(), c.Store, c.DataDir)
			if err != nil {
				return err
			}
			defer db.Close()
			applied, err := db.Migrate(cmd.Context())
			if err != nil {
				return err
			}
			current, latest, err := db.MigrationStatus(cmd.Context())
			if err != nil {
				return err
			}
			if a.jsonOut {
				if applied == nil {
					applied = []int{}
				}
				return a.printJSON(map[string]any{"store": store.Describe(c.Store, c.DataDir), "applied": applied, "schema_version": current, "latest": latest})
			}
			if len(applied) == 0 {
				fmt.Fprintf(a.stdout, "%s is up to date at schema version %d.\n", store.Describe(c.Store, c.DataDir), current)
			} else {
				fmt.Fprintf(a.stdout, "Applied migrations %v to %s; schema version is now %d.\n", applied, store.Describe(c.Store, c.DataDir), current)
			}
			return nil
		},
	}
}

func (a *app) configCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Inspect the configuration"}
	check := &cobra.Command{
		Use:   "check",
		Short: "Validate the configuration (file, WARDEN_* environment and flags) and print the result",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.loadConfig(cmd)
			if err != nil {
				return err
			}
			c.Store = store.Describe(c.Store, c.DataDir) // never print a password
			out, err := yaml.Marshal(c)
			if err != nil {
				return err
			}
			if a.jsonOut {
				// The same keys as the file, not Go field names.
				var m map[string]any
				if err := yaml.Unmarshal(out, &m); err != nil {
					return err
				}
				return a.printJSON(map[string]any{"valid": true, "config": m})
			}
			fmt.Fprintf(a.stdout, "Configuration is valid.\n\n%s", out)
			return nil
		},
	}
	cmd.AddCommand(check)
	return cmd
}

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := version
			if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			if a.jsonOut {
				return a.printJSON(map[string]string{"version": v, "go": runtime.Version()})
			}
			fmt.Fprintf(a.stdout, "warden %s (%s)\n", v, runtime.Version())
			return nil
		},
	}
}
