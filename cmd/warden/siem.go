package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// auditSIEMCommand is being written (audit/siem); until then it refuses.
func (a *app) auditSIEMCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "siem",
		Short:  "Stream audit entries to a SIEM",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("not available yet") },
	}
}
