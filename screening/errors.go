package screening

import (
	"fmt"

	"github.com/wardenhq/warden"
)

// ParseError rejects a list file: it names the file, the line (1-based; 0 when
// the problem is not tied to one line, such as a missing file) and the reason.
// A list that fails to parse is never half-loaded: the loader returns no
// snapshot, so the version in service stays in service.
type ParseError struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Reason string `json:"reason"`
	Err    error  `json:"-"` // underlying error, if any
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Reason)
}

// Unwrap exposes the underlying error and an application error with code
// invalid, so that warden.ErrorCode reports a rejected list upload as the
// caller's problem and warden.ErrorMessage shows the file, line and reason.
func (e *ParseError) Unwrap() []error {
	errs := []error{&warden.Error{Code: warden.EINVALID, Message: e.Error()}}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// parseErrorf builds a *ParseError with a formatted reason.
func parseErrorf(file string, line int, format string, args ...any) *ParseError {
	return &ParseError{File: file, Line: line, Reason: fmt.Sprintf(format, args...)}
}

// wrapParseError builds a *ParseError that keeps err for errors.Is/As.
func wrapParseError(file string, line int, err error, format string, args ...any) *ParseError {
	return &ParseError{File: file, Line: line, Reason: fmt.Sprintf(format, args...) + ": " + err.Error(), Err: err}
}
