// Package awsjson is the wire format of the AWS JSON protocols (awsJson1_0
// for DynamoDB, awsJson1_1 for Cognito): the response body and the error
// shape every emulated JSON service answers with.
package awsjson

import (
	"encoding/json"
	"errors"
	"net/http"
)

// Content types of the two protocol versions.
const (
	ContentType10 = "application/x-amz-json-1.0"
	ContentType11 = "application/x-amz-json-1.1"
)

// Error is a failed operation: the response carries Status, an
// X-Amzn-Errortype header naming Type and the body
// {"__type": Type, "message": Message}.
type Error struct {
	Type    string // NotAuthorizedException, AccessDeniedException, ...
	Message string
	Status  int
	// Err is the underlying cause, for logs; it is never sent to clients.
	Err error
}

func (e *Error) Error() string {
	msg := e.Type + ": " + e.Message
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// WriteJSON writes v as a successful (or status) response body.
func WriteJSON(w http.ResponseWriter, contentType string, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"__type":"InternalErrorException","message":"encoding the response failed"}`)
		w.Header().Set("X-Amzn-Errortype", "InternalErrorException")
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// WriteError writes err in the protocol's error shape. Anything but an
// *Error is an internal failure, answered 500 without its detail.
func WriteError(w http.ResponseWriter, contentType string, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Type: "InternalErrorException", Message: "An internal error occurred.", Status: http.StatusInternalServerError, Err: err}
	}
	w.Header().Set("X-Amzn-Errortype", e.Type)
	WriteJSON(w, contentType, e.Status, struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Type, e.Message})
}
