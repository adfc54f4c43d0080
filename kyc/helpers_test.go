package kyc_test

import (
	"context"
	"errors"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
)

type auditFuncRecorder struct{ r *recorder }

func (a auditFuncRecorder) Append(_ context.Context, rec audit.Record) (*audit.Entry, error) {
	a.r.actions = append(a.r.actions, rec.Action+":"+rec.Subject.ID)
	a.r.records = append(a.r.records, rec)
	return &audit.Entry{Action: rec.Action}, nil
}

// Stage records the records when the change is done (Wait), as the log
// would append them only then.
func (a auditFuncRecorder) Stage(ctx context.Context, recs ...audit.Record) (context.Context, audit.Pending, error) {
	return ctx, waitFunc(func() {
		for _, rec := range recs {
			_, _ = a.Append(ctx, rec)
		}
	}), nil
}

type waitFunc func()

func (f waitFunc) Wait(context.Context) error { f(); return nil }

// auditFunc records appended actions; the audit log itself is tested in
// package audit.
func auditFunc(r *recorder) auditFuncRecorder { return auditFuncRecorder{r} }

func asError(err error, target **warden.Error) bool { return errors.As(err, target) }
