package hostedui

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localcognito"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/testclock"
)

// The pool the tests serve the domain of: a public client and a
// confidential one, the operator's key for admin operations.
const (
	testPoolID   = "us-east-1_Local1"
	testRegion   = "us-east-1"
	publicID     = "spaclient1"
	secretID     = "serverclient1"
	clientSecret = "s3cr3t-of-the-server-client"
	goodPassword = "Correct-Horse-9"
	// sourceTokenHostedAuth is the trigger source of a code exchange's
	// tokens.
	sourceTokenHostedAuth = "TokenGeneration_HostedAuth"
	testAccessKeyID       = "AKIDLOCAL"
	testSecretKey         = "local-secret"
)

func testCredentials() *sigv4.Store {
	var s sigv4.Store
	s.Put(sigv4.Credential{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecretKey, Principal: sigv4.Principal{Admin: true}})
	return &s
}

// fixture is a pool with its domain in front, behind an httptest server,
// with an SDK client for the pool's API.
type fixture struct {
	t     *testing.T
	srv   *localcognito.Server
	dom   *Handler
	url   string
	idp   *cip.Client
	clock *testclock.Clock
	ctx   context.Context
}

// testConfig is the pool of newFixture; edit adjusts it.
func testConfig(baseURL string, edit func(*localcognito.Config)) localcognito.Config {
	cfg := localcognito.Config{
		PoolID:                 testPoolID,
		BaseURL:                baseURL,
		AutoVerifiedAttributes: []string{"email"},
		CustomAttributes:       []string{"custom:company", "custom:role_name"},
		Clients: []localcognito.Client{
			{ID: publicID, Name: "spa", ExplicitAuthFlows: []string{localcognito.AllowUserPasswordAuth, localcognito.AllowRefreshTokenAuth}},
			{ID: secretID, Name: "server", Secret: clientSecret, ExplicitAuthFlows: []string{localcognito.AllowUserPasswordAuth, localcognito.AllowRefreshTokenAuth}},
		},
		CodeSink:    func(string, string, string, string) {},
		Credentials: testCredentials(),
		Logger:      slog.New(slog.DiscardHandler),
	}
	if edit != nil {
		edit(&cfg)
	}
	return cfg
}

func newFixture(t *testing.T, edit func(*localcognito.Config)) *fixture {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	clk := testclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	cfg := testConfig("http://"+ts.Listener.Addr().String(), edit)
	cfg.Now = clk.Now
	srv, err := localcognito.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	dom := New(srv)
	ts.Config.Handler = dom
	ts.Start()
	t.Cleanup(ts.Close)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return &fixture{
		t: t, srv: srv, dom: dom, url: ts.URL, clock: clk, ctx: ctx,
		idp: cip.New(cip.Options{
			Region:       testRegion,
			BaseEndpoint: aws.String(ts.URL),
			Credentials:  credentials.NewStaticCredentialsProvider(testAccessKeyID, testSecretKey, ""),
			HTTPClient:   ts.Client(),
		}),
	}
}

func attrs(kv ...string) []types.AttributeType {
	var out []types.AttributeType
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.AttributeType{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// confirmedUser signs a user up with the public client and confirms them
// with the emailed code.
func (f *fixture) confirmedUser(username, email string, kv ...string) {
	f.t.Helper()
	if _, err := f.idp.SignUp(f.ctx, &cip.SignUpInput{
		ClientId: aws.String(publicID), Username: aws.String(username), Password: aws.String(goodPassword),
		UserAttributes: attrs(append([]string{"email", email}, kv...)...),
	}); err != nil {
		f.t.Fatalf("SignUp %s: %v", username, err)
	}
	code, ok := f.srv.Code(username)
	if !ok {
		f.t.Fatalf("no code for %s", username)
	}
	if _, err := f.idp.ConfirmSignUp(f.ctx, &cip.ConfirmSignUpInput{
		ClientId: aws.String(publicID), Username: aws.String(username), ConfirmationCode: aws.String(code),
	}); err != nil {
		f.t.Fatalf("ConfirmSignUp %s: %v", username, err)
	}
}

func (f *fixture) passwordAuth(clientID, username, password string, extra ...string) (*cip.InitiateAuthOutput, error) {
	params := map[string]string{"USERNAME": username, "PASSWORD": password}
	for i := 0; i+1 < len(extra); i += 2 {
		params[extra[i]] = extra[i+1]
	}
	return f.idp.InitiateAuth(f.ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(clientID), AuthParameters: params,
	})
}

// signIn signs in with the public client through the API and returns the
// tokens.
func (f *fixture) signIn(username, password string) *types.AuthenticationResultType {
	f.t.Helper()
	out, err := f.passwordAuth(publicID, username, password)
	if err != nil {
		f.t.Fatalf("InitiateAuth %s: %v", username, err)
	}
	if out.AuthenticationResult == nil {
		f.t.Fatalf("InitiateAuth %s: no tokens, challenge %q", username, out.ChallengeName)
	}
	return out.AuthenticationResult
}

// authorizer verifies tokens against the pool's served JWKS, as API
// Gateway's JWT authorizer does.
func (f *fixture) authorizer(audience ...string) *jwtauth.Authorizer {
	return &jwtauth.Authorizer{Issuer: f.srv.Issuer(), Audience: audience, Now: f.clock.Now}
}

// claims decodes a JWT's payload without verifying it.
func claims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("decode payload: %v", err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("parse payload: %v", err)
	}
	return c
}

// discovery is the pool's OpenID configuration, as its clients fetch it.
func (f *fixture) discovery() map[string]any {
	f.t.Helper()
	resp, err := http.Get(f.srv.Issuer() + "/.well-known/openid-configuration")
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		f.t.Fatal(err)
	}
	return doc
}
