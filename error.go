// Package warden holds the domain types shared by every part of Warden:
// application errors, roles and the actor behind a request. Sub-packages own
// their parts of the domain; storage and transport live at the edges.
package warden

import (
	"errors"
	"fmt"
)

// Application error codes. Domain code returns them with a human message; the
// HTTP edge maps each code to a status in one place (httpapi), and anything
// that is not a *Error is logged in detail and shown only as "internal error".
const (
	ECONFLICT      = "conflict"      // the request conflicts with current state
	EINTERNAL      = "internal"      // a bug or an unavailable dependency
	EINVALID       = "invalid"       // the input failed validation
	ENOTFOUND      = "not_found"     // the named thing does not exist
	EUNAUTHORIZED  = "unauthorized"  // no valid credentials
	EFORBIDDEN     = "forbidden"     // credentials valid, permission missing
	ERATELIMITED   = "rate_limited"  // too many requests
	ETOOLARGE      = "too_large"     // request body over the configured limit
	EUNSUPPORTED   = "unsupported"   // unsupported media type
	EUNPROCESSABLE = "unprocessable" // well-formed but cannot be processed (e.g. idempotency key reused)
	EUNAVAILABLE   = "unavailable"   // not ready to serve (store down, migrations pending)
)

// Error is an application error: a code, a message fit for the caller, and the
// input field it concerns, if any.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("warden: %s: %s (field %s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("warden: %s: %s", e.Code, e.Message)
}

// Errorf returns an application error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an application error that names the offending field.
func FieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an application error in err's chain, or
// EINTERNAL for any other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of an application error, or
// "internal error" for anything else so that details never leak to callers.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
