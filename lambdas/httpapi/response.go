package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// Response is a handler's successful answer: a status and a value encoded
// as the JSON body (none when Body is nil).
type Response struct {
	Status int
	Body   any
	// Headers are added to the response's own (Content-Type, Cache-Control).
	Headers map[string]string
}

// OK is a 200 with a JSON body.
func OK(body any) Response { return Response{Status: http.StatusOK, Body: body} }

// Created is a 201 with a JSON body.
func Created(body any) Response { return Response{Status: http.StatusCreated, Body: body} }

// NoContent is a 204.
func NoContent() Response { return Response{Status: http.StatusNoContent} }

func (r Response) event() events.APIGatewayV2HTTPResponse {
	out := events.APIGatewayV2HTTPResponse{
		StatusCode: r.Status,
		Headers: map[string]string{
			// Responses are per user: no shared cache may keep them.
			"Cache-Control":          "no-store",
			"X-Content-Type-Options": "nosniff",
		},
	}
	for k, v := range r.Headers {
		out.Headers[k] = v
	}
	if r.Body == nil {
		return out
	}
	b, err := EncodeBody(r.Body)
	if err != nil {
		// Handlers marshal plain structs; failing here is a programming
		// error, reported like any other internal failure.
		panic("httpapi: encoding response: " + err.Error())
	}
	out.Headers["Content-Type"] = "application/json"
	out.Body = string(b)
	return out
}

// EncodeBody is the JSON of a response body exactly as the API sends it.
func EncodeBody(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Presigned URLs read better without "&" as "\u0026"; the body is
	// served as JSON with nosniff, never as HTML.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func errorResponse(e *Error) events.APIGatewayV2HTTPResponse {
	r := Response{Status: e.Status, Body: ErrorBody{Error: e.Code, Message: e.Message}}
	if e.RetryAfter > 0 {
		r.Headers = map[string]string{"Retry-After": strconv.Itoa(e.RetryAfter)}
	}
	return r.event()
}
