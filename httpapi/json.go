package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/wardenhq/warden"
)

// statusOf maps application error codes to HTTP statuses, in one place.
func statusOf(code string) int {
	switch code {
	case warden.EINVALID:
		return http.StatusBadRequest
	case warden.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case warden.EFORBIDDEN:
		return http.StatusForbidden
	case warden.ENOTFOUND:
		return http.StatusNotFound
	case warden.ECONFLICT:
		return http.StatusConflict
	case warden.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case warden.EUNSUPPORTED:
		return http.StatusUnsupportedMediaType
	case warden.EUNPROCESSABLE:
		return http.StatusUnprocessableEntity
	case warden.ERATELIMITED:
		return http.StatusTooManyRequests
	case warden.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case "method_not_allowed":
		return http.StatusMethodNotAllowed
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error warden.Error `json:"error"`
}

// writeError answers with {"error":{"code","message","field"}}. Anything that
// is not an application error is logged in full and shown as "internal error".
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *warden.Error
	if !errors.As(err, &e) {
		s.log.ErrorContext(r.Context(), "internal error", "err", err.Error(), "request_id", warden.RequestIDFromContext(r.Context()))
		e = &warden.Error{Code: warden.EINTERNAL, Message: "internal error"}
	}
	writeJSON(w, statusOf(e.Code), errorBody{Error: *e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only our own types are encoded here; failing is a bug.
		slog.Error("encode response", "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"internal error"}}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// validator is implemented by request types that check their fields.
type validator interface{ Validate() error }

// readBody reads the whole (size-limited) body.
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, warden.Errorf(warden.ETOOLARGE, "request body is larger than %d bytes", tooBig.Limit)
		}
		return nil, warden.Errorf(warden.EINVALID, "cannot read request body")
	}
	return body, nil
}

// decodeJSON reads a JSON object into dst, strictly: the content type must be
// JSON, the body valid UTF-8, one object with no unknown fields and nothing
// after it. It then runs dst's Validate, if any.
func decodeJSON(r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
			return warden.FieldErrorf(warden.EUNSUPPORTED, "Content-Type", "request body must be application/json (UTF-8), got %q", ct)
		}
	} else {
		return warden.FieldErrorf(warden.EUNSUPPORTED, "Content-Type", "request body must be sent with Content-Type: application/json")
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeBytes(body, dst)
}

// decodeBytes is the part of decodeJSON that works on bytes; it is what the
// fuzz test drives.
func decodeBytes(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return warden.Errorf(warden.EINVALID, "request body is empty: send a JSON object")
	}
	if !utf8.Valid(body) {
		return warden.Errorf(warden.EINVALID, "request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return warden.Errorf(warden.EINVALID, "unexpected data after the JSON object")
	}
	if v, ok := dst.(validator); ok {
		return v.Validate()
	}
	return nil
}

func jsonError(err error) error {
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntaxErr):
		return warden.Errorf(warden.EINVALID, "malformed JSON at byte %d: %s", syntaxErr.Offset, strings.TrimPrefix(syntaxErr.Error(), "json: "))
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return warden.Errorf(warden.EINVALID, "request body must be a JSON object, not %s", typeErr.Value)
		}
		return warden.FieldErrorf(warden.EINVALID, typeErr.Field, "%s must be %s, not %s", typeErr.Field, describeType(typeErr.Type), typeErr.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return warden.Errorf(warden.EINVALID, "malformed JSON: unexpected end of input")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return warden.FieldErrorf(warden.EINVALID, field, "unknown field %q", field)
	}
	return warden.Errorf(warden.EINVALID, "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

func describeType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct, reflect.Pointer:
		return "an object"
	}
	return "of type " + t.String()
}
