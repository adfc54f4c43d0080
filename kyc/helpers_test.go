package kyc_test

import (
	"context"

	"github.com/wardenhq/warden/audit"
)

type auditFuncRecorder struct{ r *recorder }

func (a auditFuncRecorder) Append(_ context.Context, rec audit.Record) (*audit.Entry, error) {
	a.r.actions = append(a.r.actions, rec.Action+":"+rec.Subject.ID)
	return &audit.Entry{Action: rec.Action}, nil
}

// auditFunc records appended actions; the audit log itself is tested in
// package audit.
func auditFunc(r *recorder) auditFuncRecorder { return auditFuncRecorder{r} }
