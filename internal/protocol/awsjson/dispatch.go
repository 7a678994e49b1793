package awsjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/portcullis-cdk/portcullis/internal/protocol/uuid"
)

// MaxRequestBytes bounds a request body; real requests are a few kilobytes
// and the services refuse anything near this size.
const MaxRequestBytes = 1 << 20

// Handler serves one operation: r is the request (its headers, for a
// signature check) and body its bytes, already read.
type Handler func(r *http.Request, body []byte) (any, error)

// Op adapts an operation on a decoded request to a Handler: the body is
// the JSON of In, and an empty body is an empty request.
func Op[In, Out any](f func(context.Context, In) (Out, error)) Handler {
	return func(r *http.Request, body []byte) (any, error) {
		var in In
		if len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, &in); err != nil {
				return nil, &Error{Type: "SerializationException", Message: fmt.Sprintf("Request body is not a valid JSON object. Reading it as %T: %v", in, err), Status: http.StatusBadRequest}
			}
		}
		return f(r.Context(), in)
	}
}

// Dispatcher serves an AWS JSON service: POST / with an X-Amz-Target of
// Prefix followed by an operation name, a JSON body, and the protocol's
// content type. Its zero value serves nothing; every field but Log is
// required.
type Dispatcher struct {
	// Name names the service in error messages ("this local user pool").
	Name string
	// Prefix starts every X-Amz-Target ("AWSCognitoIdentityService.").
	Prefix string
	// ContentType is the protocol version the responses are written in.
	ContentType string
	// Operations are the handlers by operation name, without Prefix.
	Operations map[string]Handler
	// Log receives failed operations (5xx, or an error with a cause);
	// nil logs nothing.
	Log *slog.Logger
}

// OperationNames lists the operations served, sorted.
func (d *Dispatcher) OperationNames() []string {
	return slices.Sorted(maps.Keys(d.Operations))
}

// ServeHTTP answers one request; every answer carries an X-Amzn-Requestid.
func (d *Dispatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amzn-Requestid", uuid.New())
	name, handler, err := d.route(r)
	if err != nil {
		WriteError(w, d.ContentType, err)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes+1))
	if err != nil {
		WriteError(w, d.ContentType, &Error{Type: "SerializationException", Message: "Request body could not be read.", Status: http.StatusBadRequest, Err: err})
		return
	}
	if len(body) > MaxRequestBytes {
		WriteError(w, d.ContentType, &Error{Type: "SerializationException", Message: fmt.Sprintf("Request body is larger than %d bytes.", MaxRequestBytes), Status: http.StatusRequestEntityTooLarge})
		return
	}
	out, err := handler(r, body)
	if err != nil {
		var e *Error
		if d.Log != nil && (!errors.As(err, &e) || e.Status >= 500 || e.Err != nil) {
			d.Log.Error("operation failed", "service", d.Name, "operation", name, "error", err)
		}
		WriteError(w, d.ContentType, err)
		return
	}
	WriteJSON(w, d.ContentType, http.StatusOK, out)
}

// route finds the operation of a request, or the error that answers it.
func (d *Dispatcher) route(r *http.Request) (string, Handler, error) {
	if r.Method != http.MethodPost {
		w := fmt.Sprintf("%s %s is not an operation of %s; operations are POST / with X-Amz-Target: %s<Operation>.", r.Method, r.URL.Path, d.Name, d.Prefix)
		return "", nil, &Error{Type: "UnknownOperationException", Message: w, Status: http.StatusMethodNotAllowed}
	}
	if r.URL.Path != "/" {
		w := fmt.Sprintf("%s %s is not an operation of %s; operations are POST / with X-Amz-Target: %s<Operation>.", r.Method, r.URL.Path, d.Name, d.Prefix)
		return "", nil, &Error{Type: "UnknownOperationException", Message: w, Status: http.StatusNotFound}
	}
	if err := d.checkContentType(r.Header.Get("Content-Type")); err != nil {
		return "", nil, err
	}
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, d.Prefix)
	handler, known := d.Operations[name]
	if !ok || !known {
		msg := fmt.Sprintf("Operation %q is not supported by %s; it serves %s.", target, d.Name, strings.Join(d.OperationNames(), ", "))
		return "", nil, &Error{Type: "UnknownOperationException", Message: msg, Status: http.StatusBadRequest}
	}
	return name, handler, nil
}

// checkContentType accepts either AWS JSON version (the SDKs send their
// service's; the body is the same JSON) and a request without one, as
// curl sends. Any other media type is a request of another protocol.
func (d *Dispatcher) checkContentType(value string) error {
	if value == "" {
		return nil
	}
	media, _, err := mime.ParseMediaType(value)
	if err == nil && (media == ContentType10 || media == ContentType11) {
		return nil
	}
	return &Error{
		Type:    "UnknownOperationException",
		Message: fmt.Sprintf("Content-Type %q is not an AWS JSON protocol; send %s.", value, d.ContentType),
		Status:  http.StatusBadRequest,
	}
}
