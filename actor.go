package warden

import (
	"context"
	"fmt"
)

// Role is what an authenticated caller may do.
type Role string

const (
	// RoleAdmin manages keys, configuration and everything else.
	RoleAdmin Role = "admin"
	// RoleAnalyst works alerts and cases.
	RoleAnalyst Role = "analyst"
	// RoleAuditor reads everything, including the audit log, and changes nothing.
	RoleAuditor Role = "auditor"
	// RoleService is the core system: submits customers and transactions and
	// screens names, nothing else.
	RoleService Role = "service"
)

// Roles lists every role, in a stable order.
func Roles() []Role { return []Role{RoleAdmin, RoleAnalyst, RoleAuditor, RoleService} }

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles() {
		if string(r) == s {
			return r, nil
		}
	}
	return "", FieldErrorf(EINVALID, "role", "unknown role %q: want one of admin, analyst, auditor, service", s)
}

// Actor kinds.
const (
	ActorAPIKey = "api_key"
	ActorOIDC   = "oidc"
	ActorSystem = "system"
)

// Actor is who performs an action: an API key, an OIDC subject or a system job.
type Actor struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Role Role   `json:"role,omitempty"`
}

func (a Actor) String() string { return fmt.Sprintf("%s:%s", a.Kind, a.ID) }

type actorKey struct{}

// NewContextWithActor returns ctx carrying the actor.
func NewContextWithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor in ctx, if any.
func ActorFromContext(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

type requestIDKey struct{}

// NewContextWithRequestID returns ctx carrying the request id, so that
// the audit log and logs can name the request that caused a change.
func NewContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFromContext returns the request id in ctx, or "".
func RequestIDFromContext(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}
