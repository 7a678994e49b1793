package httpapi

import (
	"fmt"
	"net/http"
)

// Error codes of the JSON error body. They are part of the API: clients
// branch on them, so they never change meaning.
const (
	CodeBadRequest = "bad_request"
	CodeAuth       = "unauthorized"
	CodeForbidden  = "forbidden"
	CodeNotFound   = "not_found"
	CodeConflict   = "conflict"
	CodeTooLarge   = "too_large"
	CodeInternal   = "internal"
)

// Error is a failure the caller caused and can read about: it becomes a
// response with Status and the body {"error": Code, "message": Message}.
// Any other error a handler returns is an internal failure: it is logged and
// the caller gets a 500 with a generic message.
type Error struct {
	Status  int
	Code    string
	Message string
	// RetryAfter, in seconds, becomes the Retry-After header when positive.
	RetryAfter int
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

func newError(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// BadRequest is a 400: malformed or invalid input.
func BadRequest(format string, args ...any) *Error {
	return newError(http.StatusBadRequest, CodeBadRequest, format, args...)
}

// Unauthorized is a 401: no usable caller identity.
func Unauthorized(format string, args ...any) *Error {
	return newError(http.StatusUnauthorized, CodeAuth, format, args...)
}

// Forbidden is a 403: the caller is known but may not do this.
func Forbidden(format string, args ...any) *Error {
	return newError(http.StatusForbidden, CodeForbidden, format, args...)
}

// NotFound is a 404. Another user's item is not found either: telling
// "exists but not yours" apart would leak which ids exist.
func NotFound(format string, args ...any) *Error {
	return newError(http.StatusNotFound, CodeNotFound, format, args...)
}

// Conflict is a 409 with a specific code, for a write that lost a race or
// does not fit the item's current state.
func Conflict(code, format string, args ...any) *Error {
	return newError(http.StatusConflict, code, format, args...)
}

// TooLarge is a 413: a body, or a size the caller declares, over the limit.
func TooLarge(format string, args ...any) *Error {
	return newError(http.StatusRequestEntityTooLarge, CodeTooLarge, format, args...)
}
