package localapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localapi"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localidentity"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth/jwtauthtest"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/testclock"
)

const (
	region     = "us-east-1"
	account    = "123456789012"
	poolID     = "us-east-1:11111111-2222-3333-4444-555555555555"
	roleARN    = "arn:aws:iam::123456789012:role/portcullis-dev-authenticated"
	clientA    = "client-a"
	appOrigin  = "http://localhost:5173"
	todosRead  = "portcullis/todos.read"
	todosWrite = "portcullis/todos.write"
)

// clock is a settable time source shared by the gateway and the identity
// pool.
// invocation is one call of a handler.
type invocation struct {
	function routes.Function
	event    events.APIGatewayV2HTTPRequest
	ctx      context.Context
}

// fixture is a gateway with every function served by a recording handler,
// a token issuer standing in for the user pool and a local identity pool.
type fixture struct {
	iss     *jwtauthtest.Issuer
	clock   *testclock.Clock
	pool    *localidentity.Pool
	poolURL string
	srv     *httptest.Server

	mu    sync.Mutex
	calls []invocation
	// respond makes the handlers' response; nil means 200 {"ok":true}.
	respond func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
}

func newFixture(t testing.TB, configure ...func(*localapi.Config)) *fixture {
	t.Helper()
	f := &fixture{
		iss:   jwtauthtest.NewIssuer(t, "us-east-1_users"),
		clock: testclock.New(time.Now()),
	}
	// Tokens are issued on the gateway's clock: on the wall clock, a token
	// minted a second boundary after the fixture was made was issued in
	// the gateway's future.
	f.iss.Now = f.clock.Now
	authorizer := func() *jwtauth.Authorizer {
		return &jwtauth.Authorizer{Issuer: f.iss.URL, Audience: []string{clientA}, Now: f.clock.Now}
	}
	var err error
	f.pool, err = localidentity.New(localidentity.Config{
		PoolID: poolID, AccountID: account, RoleARN: roleARN,
		Providers: []*jwtauth.Authorizer{authorizer()},
		Now:       f.clock.Now,
	})
	if err != nil {
		t.Fatalf("localidentity.New: %v", err)
	}
	poolSrv := httptest.NewServer(f.pool)
	t.Cleanup(poolSrv.Close)
	f.poolURL = poolSrv.URL

	handlers := map[routes.Function]localapi.Handler{}
	for _, fn := range routes.Functions() {
		handlers[fn] = func(ctx context.Context, e events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			f.mu.Lock()
			f.calls = append(f.calls, invocation{function: fn, event: e, ctx: ctx})
			respond := f.respond
			f.mu.Unlock()
			if respond != nil {
				return respond(e)
			}
			return events.APIGatewayV2HTTPResponse{
				StatusCode: http.StatusOK,
				Headers:    map[string]string{"Content-Type": "application/json"},
				Body:       `{"ok":true}`,
			}, nil
		}
	}
	cfg := localapi.Config{
		Handlers:    handlers,
		JWT:         authorizer(),
		Credentials: f.pool,
		Region:      region,
		AccountID:   account,
		CORS:        localapi.DefaultCORS(appOrigin),
		Now:         f.clock.Now,
		// Why requests were refused shows with go test -v.
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil)),
	}
	for _, c := range configure {
		c(&cfg)
	}
	gw, err := localapi.New(cfg)
	if err != nil {
		t.Fatalf("localapi.New: %v", err)
	}
	f.srv = httptest.NewServer(gw)
	t.Cleanup(f.srv.Close)
	return f
}

// lastCall returns the only handler call since the previous one, failing
// the test when there was none.
func (f *fixture) lastCall(t testing.TB) invocation {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		t.Fatal("no handler was called")
	}
	c := f.calls[len(f.calls)-1]
	f.calls = nil
	return c
}

// noCall fails the test if a handler was called.
func (f *fixture) noCall(t testing.TB) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) > 0 {
		t.Errorf("handler %s was called", f.calls[0].function)
	}
	f.calls = nil
}

func (f *fixture) setRespond(r func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.respond = r
}

func (f *fixture) request(t testing.TB, method, path string, body []byte) *http.Request {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// withToken adds an access token of clientA with the scopes.
func (f *fixture) withToken(req *http.Request, scopes ...string) *http.Request {
	req.Header.Set("Authorization", "Bearer "+f.iss.Sign(f.accessClaims(scopes...)))
	return req
}

func (f *fixture) accessClaims(scopes ...string) map[string]any {
	claims := f.iss.AccessClaims(clientA, "user-1", scopes...)
	now := f.clock.Now().Unix()
	claims["iat"], claims["auth_time"], claims["exp"] = now, now, now+3600
	claims["cognito:groups"] = []string{"admin", "users"}
	return claims
}

// do sends the request and returns the response with its body read.
func do(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// credentials signs user-1 in to the identity pool over HTTP, as a browser
// does: GetId, then GetCredentialsForIdentity, with the user's ID token.
func (f *fixture) credentials(t testing.TB) (aws.Credentials, string) {
	t.Helper()
	claims := f.iss.IDClaims(clientA, "user-1")
	now := f.clock.Now().Unix()
	claims["iat"], claims["exp"] = now, now+3600
	logins := map[string]string{localidentity.ProviderName(f.iss.URL): f.iss.Sign(claims)}

	var id struct{ IdentityId string }
	f.cognito(t, "AWSCognitoIdentityService.GetId", map[string]any{"IdentityPoolId": poolID, "Logins": logins}, &id)
	var out struct {
		Credentials struct {
			AccessKeyId, SecretKey, SessionToken string
			Expiration                           int64
		}
	}
	f.cognito(t, "AWSCognitoIdentityService.GetCredentialsForIdentity", map[string]any{"IdentityId": id.IdentityId, "Logins": logins}, &out)
	return aws.Credentials{
		AccessKeyID:     out.Credentials.AccessKeyId,
		SecretAccessKey: out.Credentials.SecretKey,
		SessionToken:    out.Credentials.SessionToken,
		CanExpire:       true,
		Expires:         time.Unix(out.Credentials.Expiration, 0),
	}, id.IdentityId
}

func (f *fixture) cognito(t testing.TB, target string, in, out any) {
	t.Helper()
	b, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, f.poolURL, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", target, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("%s: %v", target, err)
	}
}

// sign signs the request with SigV4 the way an AWS SDK client does.
func sign(t testing.TB, req *http.Request, creds aws.Credentials, body []byte, service, region string, at time.Time) *http.Request {
	t.Helper()
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, region, at); err != nil {
		t.Fatalf("sign: %v", err)
	}
	return req
}

// message decodes an API Gateway {"message":"..."} body.
func message(t testing.TB, body []byte) string {
	t.Helper()
	var m struct{ Message string }
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body %q is not {\"message\":...}: %v", body, err)
	}
	return m.Message
}
