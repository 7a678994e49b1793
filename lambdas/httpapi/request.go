package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/lambdas/ids"
)

// MaxBodyBytes bounds every request body. The API's bodies are small JSON
// documents; anything bigger is a mistake or an attack.
const MaxBodyBytes = 16 << 10

// Request is an authenticated API request.
type Request struct {
	Event events.APIGatewayV2HTTPRequest
	Route routes.Route
	// Owner is the caller: the token's sub on JWT routes, the Cognito
	// identity id on IAM routes. Every item a handler reads or writes is
	// keyed by it; it never comes from the body, path or query.
	Owner string
	// Claims of the access token; nil on IAM routes.
	Claims map[string]string
	// Scopes of the access token, without duplicates; nil on IAM routes.
	Scopes []string
}

// Body returns the raw request body, decoding base64 when API Gateway
// encoded it, and refuses bodies over MaxBodyBytes.
func (r *Request) Body() ([]byte, error) {
	raw := r.Event.Body
	if !r.Event.IsBase64Encoded {
		if len(raw) > MaxBodyBytes {
			return nil, TooLarge("request body is over %d bytes", MaxBodyBytes)
		}
		return []byte(raw), nil
	}
	if base64.StdEncoding.DecodedLen(len(raw)) > MaxBodyBytes+2 {
		return nil, TooLarge("request body is over %d bytes", MaxBodyBytes)
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil, BadRequest("request body is not valid base64")
	}
	if len(b) > MaxBodyBytes {
		return nil, TooLarge("request body is over %d bytes", MaxBodyBytes)
	}
	return b, nil
}

// Decode reads the body as exactly one JSON value into v, refusing unknown
// fields: a misspelt field is an error the client should see, not a silently
// ignored one.
func (r *Request) Decode(v any) error {
	b, err := r.Body()
	if err != nil {
		return err
	}
	return Decode(b, v)
}

// Decode is Request.Decode for a body already in hand.
func Decode(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return BadRequest("request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return BadRequest("request body must hold exactly one JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return BadRequest("request body is not valid JSON")
	case errors.As(err, &typ) && typ.Field != "":
		return BadRequest("field %q must be %s", typ.Field, jsonType(typ.Type.Kind().String()))
	case errors.As(err, &typ):
		return BadRequest("request body must be a JSON object")
	}
	// encoding/json reports unknown fields only as text.
	const unknown = "json: unknown field "
	if msg := err.Error(); len(msg) > len(unknown) && msg[:len(unknown)] == unknown {
		return BadRequest("unknown field %s", msg[len(unknown):])
	}
	return BadRequest("request body is not valid JSON")
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	}
	return "of another type"
}

// ID returns the path parameter "id", which must be a valid id.
func (r *Request) ID() (string, error) {
	id := r.Event.PathParameters["id"]
	if !ids.Valid(id) {
		return "", BadRequest("id %q is not a valid id", truncate(id, 40))
	}
	return id, nil
}

// Page limits.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Page returns the query parameters of a list request: limit (1..MaxLimit,
// DefaultLimit when absent) and the id the cursor points after ("" for the
// first page).
func (r *Request) Page() (limit int, after string, err error) {
	q := r.Event.QueryStringParameters
	limit = DefaultLimit
	if s, ok := q["limit"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit || s[0] == '+' {
			return 0, "", BadRequest("limit must be an integer from 1 to %d", MaxLimit)
		}
		limit = n
	}
	if c, ok := q["cursor"]; ok {
		if after, err = ids.ParseCursor(c); err != nil {
			return 0, "", BadRequest("cursor is not valid")
		}
	}
	return limit, after, nil
}

// truncate shortens caller input echoed in messages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s...", s[:n])
}
