// Package httpapitest builds API Gateway HTTP API events the way API Gateway
// delivers them after its authorizer ran, and checks responses against the
// API's error contract. Handler tests of every function share it.
package httpapitest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
)

// Caller is who sends a request.
type Caller struct {
	// Sub of a user pool access token (JWT routes) or Cognito identity id
	// (IAM routes).
	ID string
	// Claims replace the default access-token claims when non-nil.
	Claims map[string]string
	// Scopes, without the resource server prefix; nil means every scope.
	Scopes []string
}

// IdentityPool is the identity pool of every IAM caller's event: a handler
// under test trusts it (httpapi.Router.TrustIdentityPool).
const IdentityPool = "us-east-1:00000000-0000-0000-0000-000000000000"

// User is a caller with an access token holding every scope.
func User(sub string) Caller { return Caller{ID: sub} }

// Claims are the claims of a Cognito access token for sub with the given
// scopes (full names), as API Gateway passes them to the function.
func Claims(sub string, scopes ...string) map[string]string {
	return map[string]string{
		"sub":       sub,
		"token_use": "access",
		"scope":     strings.Join(scopes, " "),
		"client_id": "testclient",
		"username":  "user-" + sub,
		"auth_time": "1767225600",
		"iss":       "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test",
	}
}

// AllScopes are the full names of every scope of the resource server.
func AllScopes() []string {
	var out []string
	for _, s := range routes.ScopeDescriptions {
		out = append(out, routes.FullScope(s.Name))
	}
	return out
}

// Event builds the event API Gateway sends for routeKey ("GET /todos/{id}")
// with path parameters, query parameters and a body. The caller fills in the
// authorizer context the route's auth kind produces.
func Event(c Caller, routeKey string, path, query map[string]string, body string) events.APIGatewayV2HTTPRequest {
	method, pattern, _ := strings.Cut(routeKey, " ")
	raw := pattern
	for k, v := range path {
		raw = strings.ReplaceAll(raw, "{"+k+"}", v)
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              routeKey,
		RawPath:               raw,
		Headers:               map[string]string{"content-type": "application/json"},
		QueryStringParameters: query,
		PathParameters:        path,
		Body:                  body,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:  routeKey,
			RequestID: "test-request",
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: raw},
		},
	}
	if IsIAM(routeKey) {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			IAM: &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{
				CognitoIdentity: events.APIGatewayV2HTTPRequestContextAuthorizerCognitoIdentity{
					IdentityID:     c.ID,
					IdentityPoolID: IdentityPool,
				},
			},
		}
		return ev
	}
	claims := c.Claims
	if claims == nil {
		scopes := AllScopes()
		if c.Scopes != nil {
			scopes = nil
			for _, s := range c.Scopes {
				scopes = append(scopes, routes.FullScope(s))
			}
		}
		claims = Claims(c.ID, scopes...)
	}
	ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
	}
	return ev
}

// CheckError reports whether resp is an error response with the given
// status in the API's error shape; want 0 accepts any 4xx.
func CheckError(resp events.APIGatewayV2HTTPResponse, want int) error {
	if want == 0 && (resp.StatusCode < 400 || resp.StatusCode > 499) || want != 0 && resp.StatusCode != want {
		return fmt.Errorf("status %d, want %s; body %s", resp.StatusCode, wantText(want), resp.Body)
	}
	return CheckErrorShape(resp)
}

// CheckErrorShape reports whether resp's body is exactly the error shape:
// a JSON object with non-empty "error" and "message" strings and nothing else.
func CheckErrorShape(resp events.APIGatewayV2HTTPResponse) error {
	if ct := resp.Headers["Content-Type"]; ct != "application/json" {
		return fmt.Errorf("error response Content-Type %q", ct)
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &fields); err != nil {
		return fmt.Errorf("error body %q is not a JSON object: %v", resp.Body, err)
	}
	var body httpapi.ErrorBody
	_ = json.Unmarshal([]byte(resp.Body), &body)
	if len(fields) != 2 || body.Error == "" || body.Message == "" {
		return fmt.Errorf("error body %s does not have the error shape", resp.Body)
	}
	return nil
}

func wantText(want int) string {
	if want == 0 {
		return "4xx"
	}
	return fmt.Sprint(want)
}

// NewOwner returns a fresh user pool sub (a random UUID), so tests sharing
// one table never see each other's items.
func NewOwner() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// NewIdentity returns a fresh Cognito identity id.
func NewIdentity() string { return "us-east-1:" + NewOwner() }

// Handler is a function's Lambda handler.
type Handler func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Do sends ev to h, failing the test if h returns an error (handlers answer
// every request with a response) or a 5xx.
func Do(t testing.TB, h Handler, ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	resp, err := h(context.Background(), ev)
	if err != nil {
		t.Fatalf("%s: handler returned error %v", ev.RouteKey, err)
	}
	if resp.StatusCode >= 500 {
		t.Fatalf("%s: status %d: %s", ev.RouteKey, resp.StatusCode, resp.Body)
	}
	return resp
}

// Call sends caller's request for routeKey to h: id, when set, is the {id}
// path parameter.
func Call(t testing.TB, h Handler, c Caller, routeKey, id, body string, query map[string]string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	var path map[string]string
	if id != "" {
		path = map[string]string{"id": id}
	}
	return Do(t, h, Event(c, routeKey, path, query, body))
}

// Want checks the status of resp and decodes its JSON body into v (if v is
// non-nil). For 4xx statuses it also checks the error shape.
func Want(t testing.TB, resp events.APIGatewayV2HTTPResponse, status int, v any) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d; body %s", resp.StatusCode, status, resp.Body)
	}
	if status >= 400 {
		if err := CheckErrorShape(resp); err != nil {
			t.Fatal(err)
		}
	}
	if v != nil {
		if err := json.Unmarshal([]byte(resp.Body), v); err != nil {
			t.Fatalf("body %q: %v", resp.Body, err)
		}
	}
}

// CheckResponse reports a response that breaks the API's contract for any
// input: a 5xx, a 4xx without the error shape, a 204 with a body, or another
// success that is not JSON. Fuzz targets assert it.
func CheckResponse(resp events.APIGatewayV2HTTPResponse) error {
	switch s := resp.StatusCode; {
	case s >= 500 || s < 200:
		return fmt.Errorf("status %d: %s", s, resp.Body)
	case s >= 400:
		return CheckErrorShape(resp)
	case s == 204:
		if resp.Body != "" {
			return fmt.Errorf("204 with body %q", resp.Body)
		}
	default:
		if resp.Headers["Content-Type"] != "application/json" || !json.Valid([]byte(resp.Body)) {
			return fmt.Errorf("status %d with %q body %q", s, resp.Headers["Content-Type"], resp.Body)
		}
	}
	return nil
}

// IsIAM reports whether a route key names an IAM-authorized route.
func IsIAM(routeKey string) bool {
	_, path, _ := strings.Cut(routeKey, " ")
	return strings.HasPrefix(path, routes.IAMPrefix+"/")
}
