package localapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localapi"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
)

func TestRouting(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		method, path string
		scope        string
		routeKey     string
		params       map[string]string
	}{
		{"GET", "/todos", todosRead, "GET /todos", nil},
		{"GET", "/todos/t-1", todosRead, "GET /todos/{id}", map[string]string{"id": "t-1"}},
		{"PUT", "/todos/t-1", todosWrite, "PUT /todos/{id}", map[string]string{"id": "t-1"}},
		{"DELETE", "/todos/t-1", todosWrite, "DELETE /todos/{id}", map[string]string{"id": "t-1"}},
		{"POST", "/photos/p-9/complete", "portcullis/photos.write", "POST /photos/{id}/complete", map[string]string{"id": "p-9"}},
		{"GET", "/me", "portcullis/profile.read", "GET /me", nil},
		{"GET", "/random", "portcullis/profile.read", "GET /random", nil},
		// HTTP APIs decode the path before routing and in the event.
		{"GET", "/todos/a%20b", todosRead, "GET /todos/{id}", map[string]string{"id": "a b"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp, body := do(t, f.withToken(f.request(t, tt.method, tt.path, nil), tt.scope))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			call := f.lastCall(t)
			r, _ := routes.ByKey(tt.routeKey)
			if call.function != r.Function {
				t.Errorf("function %s, want %s", call.function, r.Function)
			}
			e := call.event
			if e.RouteKey != tt.routeKey || e.RequestContext.RouteKey != tt.routeKey {
				t.Errorf("routeKey %q / %q, want %q", e.RouteKey, e.RequestContext.RouteKey, tt.routeKey)
			}
			if len(e.PathParameters) != len(tt.params) {
				t.Errorf("pathParameters %v, want %v", e.PathParameters, tt.params)
			}
			for k, v := range tt.params {
				if e.PathParameters[k] != v {
					t.Errorf("pathParameters[%q] = %q, want %q", k, e.PathParameters[k], v)
				}
			}
		})
	}

	for _, tt := range []struct{ method, path string }{
		{"GET", "/nope"},
		{"PATCH", "/todos"},
		{"GET", "/todos/a/b"},
		{"DELETE", "/me"},
		{"GET", "/todos/a%2Fb"},
		{"GET", "/"},
		{"GET", "/iam"},
	} {
		t.Run("unknown "+tt.method+" "+tt.path, func(t *testing.T) {
			resp, body := do(t, f.withToken(f.request(t, tt.method, tt.path, nil), todosRead))
			if resp.StatusCode != http.StatusNotFound || message(t, body) != "Not Found" {
				t.Errorf("got %d %s, want 404 {\"message\":\"Not Found\"}", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			f.noCall(t)
		})
	}
}

func TestCORS(t *testing.T) {
	f := newFixture(t)
	preflight := func(path, origin string) *http.Request {
		req := f.request(t, http.MethodOptions, path, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
		return req
	}

	for _, path := range []string{"/todos", "/iam/todos/t-1", "/not/a/route"} {
		t.Run("preflight "+path, func(t *testing.T) {
			resp, body := do(t, preflight(path, appOrigin))
			if resp.StatusCode != http.StatusNoContent || len(body) != 0 {
				t.Fatalf("got %d %q, want 204 without content", resp.StatusCode, body)
			}
			want := map[string]string{
				"Access-Control-Allow-Origin":  appOrigin,
				"Access-Control-Allow-Methods": "DELETE,GET,POST,PUT",
				"Access-Control-Allow-Headers": "authorization,content-type,x-amz-content-sha256,x-amz-date,x-amz-security-token",
				"Access-Control-Max-Age":       "600",
			}
			for k, v := range want {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			f.noCall(t)
		})
	}

	t.Run("preflight from another origin", func(t *testing.T) {
		resp, _ := do(t, preflight("/todos", "https://evil.example"))
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("got %d with Access-Control-Allow-Origin %q, want 204 without it",
				resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
		f.noCall(t)
	})

	t.Run("OPTIONS that is not a preflight is routed", func(t *testing.T) {
		req := f.request(t, http.MethodOptions, "/todos", nil)
		req.Header.Set("Origin", appOrigin)
		resp, _ := do(t, req)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("got %d, want 404", resp.StatusCode)
		}
	})

	t.Run("actual request from the app", func(t *testing.T) {
		f.setRespond(func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{
				"Access-Control-Allow-Origin":  "*",
				"Access-Control-Allow-Methods": "PATCH",
				"X-Kept":                       "yes",
			}}, nil
		})
		defer f.setRespond(nil)
		req := f.withToken(f.request(t, http.MethodGet, "/todos", nil), todosRead)
		req.Header.Set("Origin", appOrigin)
		resp, _ := do(t, req)
		f.lastCall(t)
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != appOrigin {
			t.Errorf("Access-Control-Allow-Origin = %q, want the configured %q, not the handler's", got, appOrigin)
		}
		if got := resp.Header.Get("Access-Control-Allow-Methods"); got != "" {
			t.Errorf("handler's Access-Control-Allow-Methods %q passed through", got)
		}
		if resp.Header.Get("X-Kept") != "yes" {
			t.Error("handler's other headers were dropped")
		}
		if got := resp.Header.Get("Access-Control-Expose-Headers"); got != "apigw-requestid" {
			t.Errorf("Access-Control-Expose-Headers = %q", got)
		}
	})

	t.Run("refusal readable by the app", func(t *testing.T) {
		req := f.request(t, http.MethodGet, "/todos", nil)
		req.Header.Set("Origin", appOrigin)
		resp, _ := do(t, req)
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Access-Control-Allow-Origin") != appOrigin {
			t.Errorf("got %d with Access-Control-Allow-Origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
	})

	t.Run("actual request from another origin", func(t *testing.T) {
		req := f.withToken(f.request(t, http.MethodGet, "/todos", nil), todosRead)
		req.Header.Set("Origin", "https://evil.example")
		resp, _ := do(t, req)
		f.lastCall(t)
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("Access-Control-Allow-Origin = %q for a foreign origin", got)
		}
	})

	t.Run("no CORS configuration: preflight is routed", func(t *testing.T) {
		bare := newFixture(t, func(c *localapi.Config) { c.CORS = nil })
		req := preflight("/todos", appOrigin)
		req.URL.Host = strings.TrimPrefix(bare.srv.URL, "http://")
		resp, _ := do(t, req)
		if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("got %d with Access-Control-Allow-Origin %q, want a plain 404", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
	})
}

func TestCORSWildcards(t *testing.T) {
	cors := &localapi.CORS{AllowOrigins: []string{"https://*.example.com"}, AllowMethods: []string{"GET"}}
	f := newFixture(t, func(c *localapi.Config) { c.CORS = cors })
	for origin, allowed := range map[string]bool{
		"https://app.example.com": true,
		"https://example.com":     false,
		"https://app.example.org": false,
		"http://app.example.com":  false,
	} {
		req := f.request(t, http.MethodOptions, "/todos", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "GET")
		resp, _ := do(t, req)
		if got := resp.Header.Get("Access-Control-Allow-Origin"); (got == origin) != allowed {
			t.Errorf("origin %s: Access-Control-Allow-Origin %q, want allowed %v", origin, got, allowed)
		}
	}
}

func TestJWTRoutes(t *testing.T) {
	f := newFixture(t)
	creds, _ := f.credentials(t)
	expired := f.accessClaims(todosRead)
	expired["exp"] = f.clock.Now().Add(-time.Second).Unix()
	otherClient := f.accessClaims(todosRead)
	otherClient["client_id"] = "client-z"
	idClaims := f.iss.IDClaims(clientA, "user-1")

	tests := []struct {
		name       string
		auth       func(*http.Request)
		status     int
		message    string
		challenge  string
		wantClaims bool
	}{
		{
			name:       "access token with the scope",
			auth:       func(r *http.Request) { f.withToken(r, todosRead) },
			status:     200,
			wantClaims: true,
		},
		{
			name:      "no token",
			auth:      func(*http.Request) {},
			status:    401,
			message:   "Unauthorized",
			challenge: "Bearer",
		},
		{
			name:      "garbage",
			auth:      func(r *http.Request) { r.Header.Set("Authorization", "Bearer not-a-jwt") },
			status:    401,
			message:   "Unauthorized",
			challenge: `Bearer scope="" error="invalid_token" error_description="the token is not a valid JWT"`,
		},
		{
			name:      "expired token",
			auth:      func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+f.iss.Sign(expired)) },
			status:    401,
			message:   "Unauthorized",
			challenge: `Bearer scope="" error="invalid_token" error_description="the token has expired"`,
		},
		{
			name:      "token of another app client",
			auth:      func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+f.iss.Sign(otherClient)) },
			status:    401,
			message:   "Unauthorized",
			challenge: `Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"`,
		},
		{
			name:      "token without the route's scope",
			auth:      func(r *http.Request) { f.withToken(r, "portcullis/photos.read") },
			status:    403,
			message:   "Forbidden",
			challenge: `Bearer scope="portcullis/todos.read" error="insufficient_scope" error_description="the token does not have a required scope"`,
		},
		{
			name:    "ID token (aud, no scope)",
			auth:    func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+f.iss.Sign(idClaims)) },
			status:  403,
			message: "Forbidden",
		},
		{
			name: "SigV4 signature only",
			auth: func(r *http.Request) {
				sign(t, r, creds, nil, "execute-api", region, f.clock.Now())
			},
			status:  401,
			message: "Unauthorized",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := f.request(t, http.MethodGet, "/todos/t-1", nil)
			tt.auth(req)
			resp, body := do(t, req)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tt.status)
			}
			if tt.status != 200 {
				f.noCall(t)
				// API Gateway's own refusal, exactly: not the handlers'
				// {"error","message"} shape.
				if want := `{"message":"` + tt.message + `"}`; string(body) != want {
					t.Errorf("body %s, want %s", body, want)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/json" || resp.Header.Get("Apigw-Requestid") == "" {
					t.Errorf("content-type %q, apigw-requestid %q; want application/json and a request id", ct, resp.Header.Get("Apigw-Requestid"))
				}
				if got := resp.Header.Get("Www-Authenticate"); tt.challenge != "" && got != tt.challenge {
					t.Errorf("www-authenticate %s, want %s", got, tt.challenge)
				}
				return
			}
			e := f.lastCall(t).event
			a := e.RequestContext.Authorizer
			if a == nil || a.JWT == nil || a.IAM != nil {
				t.Fatalf("authorizer = %+v, want jwt only", a)
			}
			claims := a.JWT.Claims
			if claims["sub"] != "user-1" || claims["client_id"] != clientA || claims["cognito:groups"] != "[admin users]" {
				t.Errorf("claims = %v", claims)
			}
			if want := strconv.FormatInt(f.clock.Now().Unix()+3600, 10); claims["exp"] != want {
				t.Errorf("exp claim %q, want the decimal digits %q", claims["exp"], want)
			}
			if len(a.JWT.Scopes) != 1 || a.JWT.Scopes[0] != todosRead {
				t.Errorf("scopes = %q, want [%s]", a.JWT.Scopes, todosRead)
			}
		})
	}
}

func TestIAMRoutes(t *testing.T) {
	f := newFixture(t)
	creds, identityID := f.credentials(t)
	body := []byte(`{"title":"buy milk"}`)

	signedPost := func(at time.Time) *http.Request {
		req := f.request(t, http.MethodPost, "/iam/todos?b=2&a=1", body)
		req.Header.Set("Content-Type", "application/json")
		return sign(t, req, creds, body, "execute-api", region, at)
	}

	t.Run("signed with identity-pool credentials", func(t *testing.T) {
		resp, out := do(t, signedPost(f.clock.Now()))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, out)
		}
		e := f.lastCall(t).event
		a := e.RequestContext.Authorizer
		if a == nil || a.IAM == nil || a.JWT != nil {
			t.Fatalf("authorizer = %+v, want iam only", a)
		}
		if got := a.IAM.CognitoIdentity.IdentityID; got != identityID {
			t.Errorf("cognitoIdentity.identityId = %q, want %q", got, identityID)
		}
		if a.IAM.CognitoIdentity.IdentityPoolID != poolID || a.IAM.AccessKey != creds.AccessKeyID || a.IAM.AccountID != account {
			t.Errorf("iam = %+v", a.IAM)
		}
		if !strings.HasSuffix(a.IAM.UserARN, ":assumed-role/portcullis-dev-authenticated/CognitoIdentityCredentials") {
			t.Errorf("userArn = %q", a.IAM.UserARN)
		}
		if e.RouteKey != "POST /iam/todos" || e.Body != string(body) {
			t.Errorf("routeKey %q, body %q", e.RouteKey, e.Body)
		}
	})

	// Requests whose path and query need escaping must verify too: the
	// canonical forms have to agree with the SDK's.
	for _, target := range []string{
		"/iam/todos/a%20b",
		"/iam/todos/t-1?q=milk%20%26%20eggs&x=%2F&x=%2A&empty=&flag",
		"/iam/todos/%C3%A9t%C3%A9?z=%E2%82%AC",
	} {
		t.Run("escaping "+target, func(t *testing.T) {
			req := f.request(t, http.MethodGet, target, nil)
			sign(t, req, creds, nil, "execute-api", region, f.clock.Now())
			resp, out := do(t, req)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, out)
			}
			f.lastCall(t)
		})
	}

	t.Run("unsigned header added after signing", func(t *testing.T) {
		req := signedPost(f.clock.Now())
		req.Header.Set("X-Trace", "anything")
		resp, _ := do(t, req)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		f.lastCall(t)
	})

	t.Run("within the clock skew", func(t *testing.T) {
		resp, _ := do(t, signedPost(f.clock.Now().Add(-4*time.Minute)))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		f.lastCall(t)
	})

	wrongSecret := creds
	wrongSecret.SecretAccessKey = strings.Repeat("x", 40)
	unknownKey := creds
	unknownKey.AccessKeyID = "ASIAAAAAAAAAAAAAAAAA"
	tests := []struct {
		name string
		req  func() *http.Request
	}{
		{"no Authorization", func() *http.Request { return f.request(t, http.MethodGet, "/iam/todos", nil) }},
		{"bearer token", func() *http.Request {
			return f.withToken(f.request(t, http.MethodGet, "/iam/todos", nil), todosRead)
		}},
		{"tampered body", func() *http.Request {
			req := signedPost(f.clock.Now())
			req.Body, req.GetBody = nil, nil
			tampered := []byte(`{"title":"buy beer"}`)
			return withBody(req, tampered)
		}},
		{"tampered path", func() *http.Request {
			req := signedPost(f.clock.Now())
			req.URL.Path = "/iam/todos/t-2"
			req.Method = http.MethodPut
			return req
		}},
		{"tampered method", func() *http.Request {
			req := f.request(t, http.MethodGet, "/iam/todos/t-1", nil)
			sign(t, req, creds, nil, "execute-api", region, f.clock.Now())
			req.Method = http.MethodDelete
			return req
		}},
		{"tampered query", func() *http.Request {
			req := signedPost(f.clock.Now())
			req.URL.RawQuery = "b=2&a=9"
			return req
		}},
		{"tampered signed header", func() *http.Request {
			req := signedPost(f.clock.Now())
			req.Header.Set("Content-Type", "text/plain")
			return req
		}},
		{"tampered X-Amz-Date", func() *http.Request {
			req := signedPost(f.clock.Now())
			at, _ := time.Parse("20060102T150405Z", req.Header.Get("X-Amz-Date"))
			req.Header.Set("X-Amz-Date", at.Add(time.Second).Format("20060102T150405Z"))
			return req
		}},
		{"expired signature", func() *http.Request { return signedPost(f.clock.Now().Add(-6 * time.Minute)) }},
		{"signature from the future", func() *http.Request { return signedPost(f.clock.Now().Add(6 * time.Minute)) }},
		{"other region", func() *http.Request {
			req := f.request(t, http.MethodGet, "/iam/todos", nil)
			return sign(t, req, creds, nil, "execute-api", "eu-west-1", f.clock.Now())
		}},
		{"other service", func() *http.Request {
			req := f.request(t, http.MethodGet, "/iam/todos", nil)
			return sign(t, req, creds, nil, "lambda", region, f.clock.Now())
		}},
		{"wrong secret", func() *http.Request {
			req := f.request(t, http.MethodGet, "/iam/todos", nil)
			return sign(t, req, wrongSecret, nil, "execute-api", region, f.clock.Now())
		}},
		{"unknown access key", func() *http.Request {
			req := f.request(t, http.MethodGet, "/iam/todos", nil)
			return sign(t, req, unknownKey, nil, "execute-api", region, f.clock.Now())
		}},
		{"session token left out", func() *http.Request {
			req := signedPost(f.clock.Now())
			req.Header.Del("X-Amz-Security-Token")
			return req
		}},
		{"signature truncated", func() *http.Request {
			req := signedPost(f.clock.Now())
			req.Header.Set("Authorization", req.Header.Get("Authorization")[:len(req.Header.Get("Authorization"))-2])
			return req
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := do(t, tt.req())
			if resp.StatusCode != http.StatusForbidden || message(t, out) != "Forbidden" {
				t.Errorf("got %d %s, want 403 {\"message\":\"Forbidden\"}", resp.StatusCode, out)
			}
			f.noCall(t)
		})
	}

	t.Run("expired credentials", func(t *testing.T) {
		f.clock.Advance(time.Hour)
		resp, out := do(t, signedPost(f.clock.Now()))
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("got %d %s, want 403", resp.StatusCode, out)
		}
		f.noCall(t)
	})
}

func withBody(req *http.Request, body []byte) *http.Request {
	req.Body = nopCloser{bytes.NewReader(body)}
	req.ContentLength = int64(len(body))
	return req
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func TestEvent(t *testing.T) {
	f := newFixture(t)
	req := f.withToken(f.request(t, http.MethodGet, "/todos?b=2&a=1&a=3&e=x%20y&plus=1%2B1", nil), todosRead)
	req.Header.Add("X-Custom", "v1")
	req.Header.Add("X-Custom", "v2")
	req.Header.Set("Cookie", "c1=v1; c2=v2")
	req.Header.Set("User-Agent", "test-agent/1.0")
	before := time.Now()
	resp, _ := do(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	call := f.lastCall(t)
	e := call.event

	check := func(name, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	check("version", e.Version, "2.0")
	check("routeKey", e.RouteKey, "GET /todos")
	check("rawPath", e.RawPath, "/todos")
	check("rawQueryString", e.RawQueryString, "b=2&a=1&a=3&e=x%20y&plus=1%2B1")
	check("queryStringParameters.a", e.QueryStringParameters["a"], "1,3")
	check("queryStringParameters.b", e.QueryStringParameters["b"], "2")
	check("queryStringParameters.e", e.QueryStringParameters["e"], "x y")
	check("queryStringParameters.plus", e.QueryStringParameters["plus"], "1+1")
	check("cookies", strings.Join(e.Cookies, "|"), "c1=v1|c2=v2")
	for name := range e.Headers {
		if name != strings.ToLower(name) {
			t.Errorf("header %q is not lower-case", name)
		}
	}
	if _, ok := e.Headers["cookie"]; ok {
		t.Error("cookie header kept in headers; payload format 2.0 moves it to cookies")
	}
	u, _ := url.Parse(f.srv.URL)
	check("headers.x-custom", e.Headers["x-custom"], "v1,v2")
	check("headers.host", e.Headers["host"], u.Host)
	check("headers.user-agent", e.Headers["user-agent"], "test-agent/1.0")
	check("headers.x-forwarded-proto", e.Headers["x-forwarded-proto"], "http")
	check("headers.x-forwarded-port", e.Headers["x-forwarded-port"], u.Port())
	check("headers.x-forwarded-for", e.Headers["x-forwarded-for"], "127.0.0.1")
	if !strings.HasPrefix(e.Headers["x-amzn-trace-id"], "Root=1-") {
		t.Errorf("x-amzn-trace-id = %q", e.Headers["x-amzn-trace-id"])
	}
	if e.Body != "" || e.IsBase64Encoded {
		t.Errorf("body %q, isBase64Encoded %v for a GET", e.Body, e.IsBase64Encoded)
	}

	rc := e.RequestContext
	check("requestContext.accountId", rc.AccountID, account)
	check("requestContext.apiId", rc.APIID, "local")
	check("requestContext.stage", rc.Stage, "$default")
	check("requestContext.requestId", rc.RequestID, resp.Header.Get("Apigw-Requestid"))
	check("requestContext.domainName", rc.DomainName, u.Host)
	check("requestContext.domainPrefix", rc.DomainPrefix, "127")
	check("requestContext.http.method", rc.HTTP.Method, "GET")
	check("requestContext.http.path", rc.HTTP.Path, "/todos")
	check("requestContext.http.protocol", rc.HTTP.Protocol, "HTTP/1.1")
	check("requestContext.http.sourceIp", rc.HTTP.SourceIP, "127.0.0.1")
	check("requestContext.http.userAgent", rc.HTTP.UserAgent, "test-agent/1.0")
	if len(rc.RequestID) != 16 {
		t.Errorf("requestId %q is not 16 characters like API Gateway's", rc.RequestID)
	}
	at, err := time.Parse("02/Jan/2006:15:04:05 -0700", rc.Time)
	if err != nil {
		t.Errorf("requestContext.time %q: %v", rc.Time, err)
	}
	if epoch := time.UnixMilli(rc.TimeEpoch); epoch.Before(before.Add(-time.Second)) || epoch.Sub(at) > time.Second || at.Sub(epoch) > time.Second {
		t.Errorf("timeEpoch %d and time %q disagree or are stale", rc.TimeEpoch, rc.Time)
	}

	lc, ok := lambdacontext.FromContext(call.ctx)
	if !ok || lc.AwsRequestID == "" || !strings.HasSuffix(lc.InvokedFunctionArn, ":"+account+":function:todos") {
		t.Errorf("lambda context = %+v, %v", lc, ok)
	}
}

func TestEventBody(t *testing.T) {
	f := newFixture(t)
	binary := []byte{0xff, 0x00, 0x10, 'a'}
	tests := []struct {
		contentType string
		body        []byte
		wantBody    string
		wantBase64  bool
	}{
		{"application/json", []byte(`{"a":1}`), `{"a":1}`, false},
		{"application/json; charset=utf-8", []byte(`{"a":1}`), `{"a":1}`, false},
		{"text/plain", []byte("hello"), "hello", false},
		{"application/xml", []byte("<a/>"), "<a/>", false},
		{"application/javascript", []byte("x()"), "x()", false},
		{"application/octet-stream", binary, base64.StdEncoding.EncodeToString(binary), true},
		{"image/png", binary, base64.StdEncoding.EncodeToString(binary), true},
		{"application/x-www-form-urlencoded", []byte("a=1"), base64.StdEncoding.EncodeToString([]byte("a=1")), true},
		{"", []byte("no type"), base64.StdEncoding.EncodeToString([]byte("no type")), true},
		{"application/json", []byte("{\"a\":\"\xff\"}"), "{\"a\":\"\uFFFD\"}", false},
	}
	for _, tt := range tests {
		t.Run(tt.contentType, func(t *testing.T) {
			req := f.withToken(f.request(t, http.MethodPost, "/todos", tt.body), todosWrite)
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			resp, out := do(t, req)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, out)
			}
			e := f.lastCall(t).event
			if e.Body != tt.wantBody || e.IsBase64Encoded != tt.wantBase64 {
				t.Errorf("body %q (base64 %v), want %q (base64 %v)", e.Body, e.IsBase64Encoded, tt.wantBody, tt.wantBase64)
			}
		})
	}
}

func TestResponse(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name       string
		resp       events.APIGatewayV2HTTPResponse
		err        error
		panicValue any
		status     int
		body       string
		check      func(t *testing.T, h http.Header)
	}{
		{
			name: "status, headers, cookies, body",
			resp: events.APIGatewayV2HTTPResponse{
				StatusCode: 201,
				Headers:    map[string]string{"content-type": "application/json", "location": "/todos/t-1"},
				Cookies:    []string{"a=1; Path=/; HttpOnly", "b=2"},
				Body:       `{"id":"t-1"}`,
			},
			status: 201,
			body:   `{"id":"t-1"}`,
			check: func(t *testing.T, h http.Header) {
				if h.Get("Location") != "/todos/t-1" || h.Get("Content-Type") != "application/json" {
					t.Errorf("headers %v", h)
				}
				if got := strings.Join(h.Values("Set-Cookie"), "|"); got != "a=1; Path=/; HttpOnly|b=2" {
					t.Errorf("Set-Cookie %q", got)
				}
			},
		},
		{
			name:   "base64 body",
			resp:   events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "image/png"}, Body: base64.StdEncoding.EncodeToString([]byte{0x89, 'P', 'N', 'G'}), IsBase64Encoded: true},
			status: 200,
			body:   "\x89PNG",
		},
		{
			name:   "multiValueHeaders are not part of format 2.0",
			resp:   events.APIGatewayV2HTTPResponse{StatusCode: 200, MultiValueHeaders: map[string][]string{"X-Multi": {"a", "b"}}},
			status: 200,
			check: func(t *testing.T, h http.Header) {
				if len(h.Values("X-Multi")) != 0 {
					t.Errorf("X-Multi = %q", h.Values("X-Multi"))
				}
			},
		},
		{
			name:   "no content type is not sniffed",
			resp:   events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "<html></html>"},
			status: 200,
			body:   "<html></html>",
			check: func(t *testing.T, h http.Header) {
				if ct := h.Get("Content-Type"); ct != "" {
					t.Errorf("Content-Type %q", ct)
				}
			},
		},
		{name: "204 drops a body", resp: events.APIGatewayV2HTTPResponse{StatusCode: 204, Body: "ignored"}, status: 204},
		{name: "handler error", err: errors.New("boom"), status: 500, body: `{"message":"Internal Server Error"}`},
		{name: "handler panic", panicValue: "boom", status: 500, body: `{"message":"Internal Server Error"}`},
		{name: "no status code", resp: events.APIGatewayV2HTTPResponse{Body: "{}"}, status: 500, body: `{"message":"Internal Server Error"}`},
		{name: "bad base64", resp: events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "!!", IsBase64Encoded: true}, status: 500, body: `{"message":"Internal Server Error"}`},
		{
			name:   "response over Lambda's 6 MB",
			resp:   events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: strings.Repeat("a", localapi.MaxInvokeBytes)},
			status: 500,
			body:   `{"message":"Internal Server Error"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.setRespond(func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
				if tt.panicValue != nil {
					panic(tt.panicValue)
				}
				return tt.resp, tt.err
			})
			defer f.setRespond(nil)
			resp, body := do(t, f.withToken(f.request(t, http.MethodGet, "/todos", nil), todosRead))
			f.lastCall(t)
			if resp.StatusCode != tt.status || string(body) != tt.body {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tt.status, tt.body)
			}
			if resp.Header.Get("Apigw-Requestid") == "" {
				t.Error("no apigw-requestid header")
			}
			if tt.check != nil {
				tt.check(t, resp.Header)
			}
		})
	}
}

func TestPayloadLimits(t *testing.T) {
	f := newFixture(t)
	post := func(size int) (*http.Response, []byte) {
		req := f.withToken(f.request(t, http.MethodPost, "/todos", bytes.Repeat([]byte("a"), size)), todosWrite)
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("Origin", appOrigin)
		return do(t, req)
	}

	// Over API Gateway's quota: its front end answers in plain text before
	// the API sees the request, so no request id and no CORS headers.
	resp, body := post(localapi.MaxPayloadBytes + 1)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || string(body) != "HTTP content length exceeded 10485760 bytes." {
		t.Errorf("over 10 MB: got %d %q", resp.StatusCode, body)
	}
	if ct, id, acao := resp.Header.Get("Content-Type"), resp.Header.Get("Apigw-Requestid"), resp.Header.Get("Access-Control-Allow-Origin"); ct != "text; charset=utf-8" || id != "" || acao != "" {
		t.Errorf("over 10 MB: content-type %q, apigw-requestid %q, access-control-allow-origin %q; want text; charset=utf-8 and neither header", ct, id, acao)
	}
	f.noCall(t)

	// Under the quota but over Lambda's 6 MB invocation payload: the API's
	// own JSON 413.
	resp, body = post(7 << 20)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || string(body) != `{"message":"Request Too Long"}` {
		t.Errorf("over Lambda's 6 MB: got %d %q", resp.StatusCode, body)
	}
	if ct, id, acao := resp.Header.Get("Content-Type"), resp.Header.Get("Apigw-Requestid"), resp.Header.Get("Access-Control-Allow-Origin"); ct != "application/json" || id == "" || acao != appOrigin {
		t.Errorf("over 6 MB: content-type %q, apigw-requestid %q, access-control-allow-origin %q", ct, id, acao)
	}
	f.noCall(t)

	resp, body = post(1 << 20)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("1 MB: got %d %q", resp.StatusCode, body)
	}
	f.lastCall(t)
}

func TestNewValidates(t *testing.T) {
	ok := func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 200}, nil
	}
	all := map[routes.Function]localapi.Handler{}
	for _, fn := range routes.Functions() {
		all[fn] = ok
	}
	good := localapi.Config{
		Handlers:    all,
		JWT:         &jwtauth.Authorizer{Issuer: "http://localhost:9229/local_pool", Audience: []string{clientA}},
		Credentials: &sigv4.Store{},
		Region:      region,
	}
	if _, err := localapi.New(good); err != nil {
		t.Fatalf("New(good config): %v", err)
	}
	tests := []struct {
		name   string
		change func(*localapi.Config)
	}{
		{"a function without handler", func(c *localapi.Config) {
			c.Handlers = map[routes.Function]localapi.Handler{routes.Todos: ok}
		}},
		{"no JWT authorizer", func(c *localapi.Config) { c.JWT = nil }},
		{"JWT authorizer without audience", func(c *localapi.Config) { c.JWT = &jwtauth.Authorizer{Issuer: "http://x"} }},
		{"no credentials", func(c *localapi.Config) { c.Credentials = nil }},
		{"no region", func(c *localapi.Config) { c.Region = "" }},
		{"credentials with any origin", func(c *localapi.Config) {
			c.CORS = &localapi.CORS{AllowOrigins: []string{"*"}, AllowCredentials: true}
		}},
		{"CORS without origins", func(c *localapi.Config) { c.CORS = &localapi.CORS{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			if _, err := localapi.New(cfg); err == nil {
				t.Error("New accepted the configuration")
			}
		})
	}
}
