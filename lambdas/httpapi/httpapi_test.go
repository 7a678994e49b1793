package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
)

type payload struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
	On    *bool  `json:"on"`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name, body string
		b64        bool
		status     int
		message    string
	}{
		{"object", `{"name":"a","count":2}`, false, 0, ""},
		{"surrounding space", " \n{\"name\":\"a\"}\n ", false, 0, ""},
		{"base64", base64.StdEncoding.EncodeToString([]byte(`{"name":"b"}`)), true, 0, ""},
		{"empty", ``, false, 400, "request body must be a JSON object"},
		{"spaces", "  ", false, 400, "request body must be a JSON object"},
		{"syntax", `{"name":`, false, 400, "request body is not valid JSON"},
		{"garbage", `name=a`, false, 400, "request body is not valid JSON"},
		{"array", `[1]`, false, 400, "request body must be a JSON object"},
		{"string", `"a"`, false, 400, "request body must be a JSON object"},
		{"unknown field", `{"name":"a","admin":true}`, false, 400, `unknown field "admin"`},
		{"wrong type", `{"count":"2"}`, false, 400, `field "count" must be an integer`},
		{"float for int", `{"count":2.5}`, false, 400, `field "count" must be an integer`},
		{"string for bool", `{"on":"yes"}`, false, 400, `field "on" must be a boolean`},
		{"int for string", `{"name":1}`, false, 400, `field "name" must be a string`},
		{"two values", `{"name":"a"} {"name":"b"}`, false, 400, "request body must hold exactly one JSON value"},
		{"trailing garbage", `{"name":"a"}x`, false, 400, "request body must hold exactly one JSON value"},
		{"bad base64", `{"name":"a"}`, true, 400, "request body is not valid base64"},
		{"at the limit", `{"name":"` + strings.Repeat("a", httpapi.MaxBodyBytes-11) + `"}`, false, 0, ""},
		{"over the limit", `{"name":"` + strings.Repeat("a", httpapi.MaxBodyBytes-10) + `"}`, false, 413, "request body is over 16384 bytes"},
		{"over the limit, base64", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte(" "), httpapi.MaxBodyBytes+1)), true, 413, "request body is over 16384 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &httpapi.Request{Event: events.APIGatewayV2HTTPRequest{Body: tt.body, IsBase64Encoded: tt.b64}}
			var p payload
			err := r.Decode(&p)
			if tt.status == 0 {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				return
			}
			var apiErr *httpapi.Error
			if !errors.As(err, &apiErr) || apiErr.Status != tt.status || apiErr.Message != tt.message {
				t.Fatalf("Decode: %v, want %d %q", err, tt.status, tt.message)
			}
		})
	}
}

func TestPage(t *testing.T) {
	cursor := "MDFBUlozTkRFS1RTVjRSUkZGUTY5RzVGQVY" // of 01ARZ3NDEKTSV4RRFFQ69G5FAV
	tests := []struct {
		query     map[string]string
		limit     int
		after     string
		wantError bool
	}{
		{nil, httpapi.DefaultLimit, "", false},
		{map[string]string{"limit": "1"}, 1, "", false},
		{map[string]string{"limit": "100", "cursor": cursor}, 100, "01ARZ3NDEKTSV4RRFFQ69G5FAV", false},
		{map[string]string{"limit": "+5"}, 0, "", true},
		{map[string]string{"limit": "05"}, 5, "", false},
		{map[string]string{"limit": ""}, 0, "", true},
		{map[string]string{"limit": "1e1"}, 0, "", true},
		{map[string]string{"limit": "99999999999999999999"}, 0, "", true},
		{map[string]string{"cursor": ""}, 0, "", true},
		{map[string]string{"cursor": cursor + "="}, 0, "", true},
	}
	for _, tt := range tests {
		r := &httpapi.Request{Event: events.APIGatewayV2HTTPRequest{QueryStringParameters: tt.query}}
		limit, after, err := r.Page()
		if tt.wantError {
			var apiErr *httpapi.Error
			if !errors.As(err, &apiErr) || apiErr.Status != 400 {
				t.Errorf("Page(%v) = %d %q %v, want a 400", tt.query, limit, after, err)
			}
			continue
		}
		if err != nil || limit != tt.limit || after != tt.after {
			t.Errorf("Page(%v) = %d %q %v, want %d %q", tt.query, limit, after, err, tt.limit, tt.after)
		}
	}
}

// echo answers with who the caller is.
func echo(_ context.Context, r *httpapi.Request) (httpapi.Response, error) {
	return httpapi.OK(map[string]any{"owner": r.Owner, "scopes": r.Scopes, "route": r.Route.Key()}), nil
}

func todosRouter(t *testing.T, h httpapi.HandlerFunc) *httpapi.Router {
	t.Helper()
	rt, err := httpapi.NewRouter(routes.Todos, map[string]httpapi.HandlerFunc{
		"GET /todos": h, "POST /todos": h, "GET /todos/{id}": h, "PUT /todos/{id}": h, "DELETE /todos/{id}": h,
	})
	if err != nil {
		t.Fatal(err)
	}
	rt.TrustIdentityPool(httpapitest.IdentityPool)
	return rt
}

func TestNewRouterChecksTheContract(t *testing.T) {
	if _, err := httpapi.NewRouter(routes.Todos, map[string]httpapi.HandlerFunc{"GET /todos": echo}); err == nil ||
		!strings.Contains(err.Error(), "no handler for route") {
		t.Fatalf("missing handlers: %v", err)
	}
	if _, err := httpapi.NewRouter(routes.Random, map[string]httpapi.HandlerFunc{"GET /random": echo, "GET /extra": echo}); err == nil ||
		!strings.Contains(err.Error(), "not one of its routes") {
		t.Fatalf("extra handler: %v", err)
	}
}

func TestAuthentication(t *testing.T) {
	rt := todosRouter(t, echo)
	sub := httpapitest.NewOwner()
	withClaims := func(edit func(map[string]string)) httpapitest.Caller {
		c := httpapitest.Claims(sub, "portcullis/todos.read")
		edit(c)
		return httpapitest.Caller{Claims: c}
	}
	tests := []struct {
		name      string
		caller    httpapitest.Caller
		routeKey  string
		scopes    []string // authorizer.jwt.scopes
		status    int
		wantOwner string
	}{
		{"access token", withClaims(func(map[string]string) {}), "GET /todos", nil, 200, sub},
		{"scope only in scopes list", withClaims(func(c map[string]string) { c["scope"] = "openid" }), "GET /todos", []string{"portcullis/todos.read"}, 200, sub},
		{"scope among others", withClaims(func(c map[string]string) { c["scope"] = "openid  portcullis/todos.read email" }), "GET /todos", nil, 200, sub},
		{"scope prefix is not the scope", withClaims(func(c map[string]string) { c["scope"] = "portcullis/todos.readwrite" }), "GET /todos", nil, 403, ""},
		{"unprefixed scope", withClaims(func(c map[string]string) { c["scope"] = "todos.read" }), "GET /todos", nil, 403, ""},
		{"write route", withClaims(func(map[string]string) {}), "POST /todos", nil, 403, ""},
		{"id token", withClaims(func(c map[string]string) { c["token_use"] = "id" }), "GET /todos", nil, 401, ""},
		{"refresh token", withClaims(func(c map[string]string) { c["token_use"] = "refresh" }), "GET /todos", nil, 401, ""},
		{"no token_use", withClaims(func(c map[string]string) { delete(c, "token_use") }), "GET /todos", nil, 401, ""},
		{"no sub", withClaims(func(c map[string]string) { c["sub"] = "" }), "GET /todos", nil, 401, ""},
		{"sub with a slash", withClaims(func(c map[string]string) { c["sub"] = "a/b" }), "GET /todos", nil, 401, ""},
		{"overlong sub", withClaims(func(c map[string]string) { c["sub"] = strings.Repeat("a", 129) }), "GET /todos", nil, 401, ""},
		{"iam identity", httpapitest.User("us-east-1:" + sub), "GET /iam/todos", nil, 200, "us-east-1:" + sub},
		{"iam without identity", httpapitest.Caller{}, "GET /iam/todos", nil, 401, ""},
		{"iam identity with two colons", httpapitest.User("a:b:c"), "GET /iam/todos", nil, 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := httpapitest.Event(tt.caller, tt.routeKey, nil, nil, "")
			if tt.scopes != nil {
				ev.RequestContext.Authorizer.JWT.Scopes = tt.scopes
			}
			resp, err := rt.Handle(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, resp.Body)
			}
			if tt.status != 200 {
				if err := httpapitest.CheckErrorShape(resp); err != nil {
					t.Fatal(err)
				}
				return
			}
			var got struct{ Owner string }
			if err := json.Unmarshal([]byte(resp.Body), &got); err != nil || got.Owner != tt.wantOwner {
				t.Fatalf("owner %q, want %q (%v)", got.Owner, tt.wantOwner, err)
			}
		})
	}
}

// TestIAMRoutesTrustOneIdentityPool: an IAM caller of another identity
// pool, or of none, is refused; a router never told its pool refuses all.
func TestIAMRoutesTrustOneIdentityPool(t *testing.T) {
	trusting := todosRouter(t, echo)
	untrusting, err := httpapi.NewRouter(routes.Todos, map[string]httpapi.HandlerFunc{
		"GET /todos": echo, "POST /todos": echo, "GET /todos/{id}": echo, "PUT /todos/{id}": echo, "DELETE /todos/{id}": echo,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, pool string
		rt         *httpapi.Router
		want       int
	}{
		{"the trusted pool", httpapitest.IdentityPool, trusting, 200},
		{"another pool", "us-east-1:11111111-1111-1111-1111-111111111111", trusting, 403},
		{"no pool", "", trusting, 403},
		{"a router without a trusted pool", httpapitest.IdentityPool, untrusting, 403},
	} {
		ev := httpapitest.Event(httpapitest.User("us-east-1:"+httpapitest.NewOwner()), "GET /iam/todos", nil, nil, "")
		ev.RequestContext.Authorizer.IAM.CognitoIdentity.IdentityPoolID = c.pool
		resp, _ := c.rt.Handle(context.Background(), ev)
		if resp.StatusCode != c.want {
			t.Errorf("%s: status %d, want %d: %s", c.name, resp.StatusCode, c.want, resp.Body)
		}
	}
}

func TestMissingAuthorizer(t *testing.T) {
	rt := todosRouter(t, echo)
	for _, rk := range []string{"GET /todos", "GET /iam/todos"} {
		ev := httpapitest.Event(httpapitest.User("u"), rk, nil, nil, "")
		ev.RequestContext.Authorizer = nil
		resp, _ := rt.Handle(context.Background(), ev)
		if err := httpapitest.CheckError(resp, http.StatusUnauthorized); err != nil {
			t.Errorf("%s: %v", rk, err)
		}
	}
}

func TestInternalErrorsAreGeneric(t *testing.T) {
	var logs bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	failures := map[string]httpapi.HandlerFunc{
		"error": func(context.Context, *httpapi.Request) (httpapi.Response, error) {
			return httpapi.Response{}, errors.New("dynamodb: secret table arn:aws:dynamodb:xyz")
		},
		"panic": func(context.Context, *httpapi.Request) (httpapi.Response, error) {
			panic("secret table arn:aws:dynamodb:xyz")
		},
		"unencodable": func(context.Context, *httpapi.Request) (httpapi.Response, error) {
			return httpapi.OK(func() {}), nil
		},
	}
	for name, h := range failures {
		t.Run(name, func(t *testing.T) {
			logs.Reset()
			resp, err := todosRouter(t, h).Handle(context.Background(), httpapitest.Event(httpapitest.User("u"), "GET /todos", nil, nil, ""))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 500 || strings.Contains(resp.Body, "secret") || !strings.Contains(resp.Body, `"error":"internal"`) {
				t.Fatalf("response %d %s", resp.StatusCode, resp.Body)
			}
			if !strings.Contains(resp.Body, "test-request") {
				t.Fatalf("500 does not name the request id: %s", resp.Body)
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			var entry, request map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil || entry["level"] != "ERROR" || entry["requestId"] != "test-request" {
				t.Fatalf("log %q (%v)", logs.String(), err)
			}
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &request); err != nil || request["msg"] != "request" || request["status"] != 500.0 {
				t.Fatalf("request line %q (%v), want status 500", lines[len(lines)-1], err)
			}
		})
	}
}

func TestSuccessResponses(t *testing.T) {
	tests := []struct {
		resp httpapi.Response
		want string
	}{
		{httpapi.OK(map[string]string{"url": "https://x/?a=1&b=<2>"}), `{"url":"https://x/?a=1&b=<2>"}`},
		{httpapi.Created([]int{}), `[]`},
		{httpapi.NoContent(), ``},
	}
	for _, tt := range tests {
		rt := todosRouter(t, func(context.Context, *httpapi.Request) (httpapi.Response, error) { return tt.resp, nil })
		resp, _ := rt.Handle(context.Background(), httpapitest.Event(httpapitest.User("u"), "GET /todos", nil, nil, ""))
		if resp.StatusCode != tt.resp.Status || resp.Body != tt.want || resp.Headers["Cache-Control"] != "no-store" {
			t.Errorf("got %d %q %v, want %d %q", resp.StatusCode, resp.Body, resp.Headers, tt.resp.Status, tt.want)
		}
	}
}

// FuzzDecode: any body either decodes or is refused with a 400 or 413;
// nothing else and no panic.
func FuzzDecode(f *testing.F) {
	f.Add(`{"name":"a","count":1,"on":true}`, false)
	f.Add(`{"name":"a"}{}`, false)
	f.Add(`eyJuYW1lIjoiYSJ9`, true)
	f.Add(`{"count":1e400}`, false)
	f.Add(`{"name":"\ud800"}`, false)
	f.Fuzz(func(t *testing.T, body string, b64 bool) {
		r := &httpapi.Request{Event: events.APIGatewayV2HTTPRequest{Body: body, IsBase64Encoded: b64}}
		var p payload
		err := r.Decode(&p)
		if err == nil {
			return
		}
		var apiErr *httpapi.Error
		if !errors.As(err, &apiErr) || apiErr.Status != 400 && apiErr.Status != 413 || apiErr.Message == "" {
			t.Fatalf("Decode(%q) = %v", body, err)
		}
	})
}

// FuzzHandle: any route key, claims, scopes and path reach either the
// handler or a 4xx with the error shape.
func FuzzHandle(f *testing.F) {
	f.Add("GET /todos", "sub-1", "access", "portcullis/todos.read", "", false)
	f.Add("GET /iam/todos/{id}", "us-east-1:abc", "", "", "01ARZ3NDEKTSV4RRFFQ69G5FAV", true)
	f.Add("DELETE /todos/{id}", "sub", "id", "portcullis/todos.write", "x", false)
	f.Add("", "", "", "", "", false)
	f.Fuzz(func(t *testing.T, routeKey, sub, tokenUse, scope, id string, iam bool) {
		rt := todosRouter(t, func(_ context.Context, r *httpapi.Request) (httpapi.Response, error) {
			if r.Owner == "" {
				t.Fatal("handler reached without an owner")
			}
			if r.Route.Auth == routes.JWT && r.Claims["token_use"] != "access" {
				t.Fatal("handler reached with a non-access token")
			}
			if _, err := r.ID(); err != nil {
				return httpapi.Response{}, err
			}
			return httpapi.NoContent(), nil
		})
		ev := httpapitest.Event(httpapitest.Caller{Claims: map[string]string{"sub": sub, "token_use": tokenUse, "scope": scope}}, routeKey, map[string]string{"id": id}, nil, "")
		if iam {
			ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				IAM: &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{},
			}
			ev.RequestContext.Authorizer.IAM.CognitoIdentity.IdentityID = sub
			ev.RequestContext.Authorizer.IAM.CognitoIdentity.IdentityPoolID = httpapitest.IdentityPool
		}
		resp, err := rt.Handle(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if err := httpapitest.CheckResponse(resp); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRequestLogLine: one JSON line per request with the request id, route,
// status, latency and the owner's hash, and nothing of the token or body.
func TestRequestLogLine(t *testing.T) {
	var logs bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	owner := httpapitest.NewOwner()
	ev := httpapitest.Event(httpapitest.User(owner), "GET /todos", nil, nil, `{"title":"private words"}`)
	ev.Headers = map[string]string{"authorization": "Bearer eyJsecret.token.value"}
	if resp, _ := todosRouter(t, echo).Handle(context.Background(), ev); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	want := map[string]any{"msg": "request", "requestId": "test-request", "route": "GET /todos", "status": 200.0, "owner": httpapi.OwnerHash(owner)}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v, want %v", k, line[k], v)
		}
	}
	if _, ok := line["latencyMs"].(float64); !ok {
		t.Errorf("latencyMs %v, want a number", line["latencyMs"])
	}
	for _, secret := range []string{owner, "eyJsecret", "private words"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log line carries %q: %s", secret, logs.String())
		}
	}
	if httpapi.OwnerHash(owner) == httpapi.OwnerHash(httpapitest.NewOwner()) || httpapi.OwnerHash("") != "" {
		t.Error("OwnerHash does not tell owners apart, or hashes no owner")
	}
}
