package warden

import (
	"context"
	"time"
)

// IdempotencyRecord remembers the outcome of a creating request sent with an
// Idempotency-Key, so that a retry gets the first response instead of
// repeating the action. Status 0 means the first request is still running.
type IdempotencyRecord struct {
	Actor       string
	Key         string
	Method      string
	Path        string
	RequestHash []byte
	Status      int
	ContentType string
	Body        []byte
	CreatedAt   time.Time
}

// IdempotencyStore keeps idempotency records, scoped per actor.
type IdempotencyStore interface {
	// ReserveIdempotencyKey inserts rec with status 0 when (actor, key) is
	// new and returns nil; otherwise it returns the existing record untouched.
	ReserveIdempotencyKey(ctx context.Context, rec *IdempotencyRecord) (*IdempotencyRecord, error)
	// CompleteIdempotencyKey stores the final response of a reserved key.
	CompleteIdempotencyKey(ctx context.Context, actor, key string, status int, contentType string, body []byte) error
	// ReleaseIdempotencyKey drops a reservation whose request failed without a
	// response worth replaying, so that the client may retry.
	ReleaseIdempotencyKey(ctx context.Context, actor, key string) error
	// PruneIdempotencyKeys deletes records created before the given time.
	PruneIdempotencyKeys(ctx context.Context, before time.Time) (int64, error)
}
