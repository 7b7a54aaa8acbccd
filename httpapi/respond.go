package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/keboola/agnes/rbac"
)

// Error codes: the "error" field of every error response. Clients switch on
// these; the "message" is for people.
const (
	CodeInvalidJSON      = "invalid_json"
	CodeInvalid          = "invalid"
	CodeUnauthorized     = "unauthorized"
	CodeForbidden        = "forbidden"
	CodeNotFound         = "not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeConflict         = "conflict"
	CodeSystemGroup      = "system_group"
	CodeLastAdmin        = "last_admin"
	CodeTooLarge         = "too_large"
	CodeUnavailable      = "unavailable"
	CodeInternal         = "internal"
)

// MaxBodyBytes is the largest request body DecodeJSON accepts.
const MaxBodyBytes = 1 << 20

// ErrorBody is the shape of every error response.
type ErrorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// WriteJSON writes v as the JSON response body with the given status.
// API responses are never cached: some carry secrets (a new token) and all
// reflect live permissions.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(ErrorBody{Error: CodeInternal, Message: "internal server error"})
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// WriteError writes {"error": code, "message": message}.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	WriteJSON(w, status, ErrorBody{Error: code, Message: message})
}

// StatusOf maps a service error to its HTTP status and error code. Errors
// that are not one of the rbac sentinel errors are internal (500).
func StatusOf(err error) (status int, code string) {
	switch {
	case errors.Is(err, rbac.ErrNotFound):
		return http.StatusNotFound, CodeNotFound
	case errors.Is(err, rbac.ErrSystemGroup):
		return http.StatusConflict, CodeSystemGroup
	case errors.Is(err, rbac.ErrLastAdmin):
		return http.StatusConflict, CodeLastAdmin
	case errors.Is(err, rbac.ErrConflict):
		return http.StatusConflict, CodeConflict
	case errors.Is(err, rbac.ErrInvalid):
		return http.StatusBadRequest, CodeInvalid
	case errors.Is(err, rbac.ErrUnauthorized):
		return http.StatusUnauthorized, CodeUnauthorized
	}
	return http.StatusInternalServerError, CodeInternal
}

// WriteServiceError answers with the status StatusOf gives err. Known
// errors carry their message (they are written for the caller); anything
// else is logged and answered with a generic 500 so internals (paths, SQL)
// never reach the client.
func (s *Server) WriteServiceError(w http.ResponseWriter, r *http.Request, err error) {
	status, code := StatusOf(err)
	if status == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "http handler failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("err", err.Error()))
		WriteError(w, status, code, "internal server error")
		return
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", wwwAuthenticate)
	}
	WriteError(w, status, code, serviceMessage(err))
}

// serviceMessage turns a service error into a sentence for the caller. The
// rbac and catalog packages wrap their sentinels as "not found: group x";
// for a bare "<kind> <name>" that reads better as "group x not found".
func serviceMessage(err error) string {
	msg := err.Error()
	for _, s := range []struct {
		sentinel error
		suffix   string // appended to a bare "<kind> <name>"
	}{
		{rbac.ErrNotFound, " not found"},
		{rbac.ErrConflict, " already exists"},
		{rbac.ErrInvalid, ""},
		{rbac.ErrSystemGroup, ""},
		{rbac.ErrLastAdmin, ""},
	} {
		prefix := s.sentinel.Error() + ": "
		if !errors.Is(err, s.sentinel) || !strings.HasPrefix(msg, prefix) {
			continue
		}
		rest := strings.TrimPrefix(msg, prefix)
		if s.suffix != "" && isNamedThing(rest) {
			return rest + s.suffix
		}
		return rest
	}
	return msg
}

// isNamedThing reports whether s is "<kind> <name>" (as opposed to a
// sentence such as "x is already a member of y").
func isNamedThing(s string) bool {
	for _, kind := range []string{"user ", "group ", "token ", "grant ", "table "} {
		if strings.HasPrefix(s, kind) {
			return true
		}
	}
	return false
}

// DecodeJSON reads the request body (at most MaxBodyBytes) into dst,
// refusing unknown fields and trailing data. On failure it has already
// written the error response (400 or 413) and returns false.
func DecodeJSON(w http.ResponseWriter, r *http.Request, dst any) bool {
	body := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("unexpected data after the JSON value")
		}
	}
	if err == nil {
		return true
	}
	var tooLarge *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		WriteError(w, http.StatusRequestEntityTooLarge, CodeTooLarge,
			fmt.Sprintf("request body is larger than %d bytes", MaxBodyBytes))
	case errors.Is(err, io.EOF):
		WriteError(w, http.StatusBadRequest, CodeInvalidJSON, "request body is empty; expected a JSON object")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		WriteError(w, http.StatusBadRequest, CodeInvalidJSON, "request body is not valid JSON: "+err.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			WriteError(w, http.StatusBadRequest, CodeInvalidJSON, "request body must be a JSON object")
		} else {
			WriteError(w, http.StatusBadRequest, CodeInvalidJSON,
				fmt.Sprintf("field %q must be a JSON %s", field, jsonKind(typ.Type.Kind().String())))
		}
	default:
		// Unknown fields and trailing data: the decoder's message names the
		// field ("json: unknown field \"x\"").
		WriteError(w, http.StatusBadRequest, CodeInvalidJSON, strings.TrimPrefix(err.Error(), "json: "))
	}
	return false
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	case "ptr":
		return "value"
	}
	return "number"
}
