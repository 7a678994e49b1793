package localcognito

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtsign"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/testclock"
)

// sharedKey is the signing key of the test pools: over a hundred start
// here, and a 2048-bit RSA key costs about 60 ms of CPU to generate. A test
// of what tells pools' keys apart gives its pool a key of its own.
var sharedKey = sync.OnceValue(func() *jwtsign.Key {
	k, err := jwtsign.GenerateKey("test-pool-key")
	if err != nil {
		panic(err)
	}
	return &k
})

// The operator's key the test pools verify admin operations with.
const (
	testAccessKeyID = "AKIDLOCAL"
	testSecretKey   = "local-secret"
)

func testCredentials() *sigv4.Store {
	var s sigv4.Store
	s.Put(sigv4.Credential{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecretKey, Principal: sigv4.Principal{Admin: true}})
	return &s
}

const (
	testPoolID   = "us-east-1_Local1"
	testRegion   = "us-east-1"
	publicID     = "spaclient1"
	secretID     = "serverclient1"
	clientSecret = "s3cr3t-of-the-server-client"
	goodPassword = "Correct-Horse-9"
)

// fixture is a pool behind an httptest server with an SDK client for it.
type fixture struct {
	t      *testing.T
	srv    *Server
	url    string
	idp    *cip.Client
	clock  *testclock.Clock
	sink   *sink
	cancel context.CancelFunc
	ctx    context.Context
}

// newFixture starts a pool with a public client allowing password and
// refresh flows and a confidential client with a secret. edit adjusts the
// configuration before the pool starts.
func newFixture(t *testing.T, edit func(*Config)) *fixture {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	clk := testclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	sk := &sink{}
	cfg := Config{
		PoolID:                 testPoolID,
		BaseURL:                "http://" + ts.Listener.Addr().String(),
		AutoVerifiedAttributes: []string{"email"},
		CustomAttributes:       []string{"custom:company", "custom:role_name"},
		Clients: []Client{
			{ID: publicID, Name: "spa", ExplicitAuthFlows: []string{AllowUserPasswordAuth, AllowRefreshTokenAuth}},
			{ID: secretID, Name: "server", Secret: clientSecret, ExplicitAuthFlows: []string{AllowUserPasswordAuth, AllowRefreshTokenAuth}},
		},
		CodeSink:    sk.record,
		Now:         clk.Now,
		Credentials: testCredentials(),
		Logger:      slog.New(slog.DiscardHandler),
		SigningKey:  sharedKey(),
	}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(ts.Close)
	// The deadline bounds a hung call. It runs from the fixture's start for
	// every call of the test, and the CLI tests' parallel flows make dozens
	// of aws CLI calls before their last SDK call: on a loaded machine
	// (make test runs its gates side by side) that is more than a minute.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return &fixture{
		t: t, srv: srv, url: ts.URL, clock: clk, sink: sk, ctx: ctx, cancel: cancel,
		idp: cip.New(cip.Options{
			Region:       testRegion,
			BaseEndpoint: aws.String(ts.URL),
			Credentials:  credentials.NewStaticCredentialsProvider(testAccessKeyID, testSecretKey, ""),
			HTTPClient:   ts.Client(),
		}),
	}
}

// sink records the messages the pool sends.
type sink struct {
	mu   sync.Mutex
	msgs []sentMessage
}

type sentMessage struct{ Username, Destination, Medium, Message string }

func (s *sink) record(username, destination, medium, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, sentMessage{username, destination, medium, message})
}

func (s *sink) all() []sentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sentMessage(nil), s.msgs...)
}

func (s *sink) last(t *testing.T) sentMessage {
	t.Helper()
	all := s.all()
	if len(all) == 0 {
		t.Fatal("no message was sent")
	}
	return all[len(all)-1]
}

func attrs(kv ...string) []types.AttributeType {
	var out []types.AttributeType
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.AttributeType{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func attrValue(list []types.AttributeType, name string) (string, bool) {
	for _, a := range list {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value), true
		}
	}
	return "", false
}

// signUp signs a user up with the public client and fails the test on error.
func (f *fixture) signUp(username, password string, kv ...string) *cip.SignUpOutput {
	f.t.Helper()
	out, err := f.idp.SignUp(f.ctx, &cip.SignUpInput{
		ClientId: aws.String(publicID), Username: aws.String(username), Password: aws.String(password),
		UserAttributes: attrs(kv...),
	})
	if err != nil {
		f.t.Fatalf("SignUp %s: %v", username, err)
	}
	return out
}

// confirmedUser signs a user up and confirms them with the emailed code.
func (f *fixture) confirmedUser(username, email string, kv ...string) {
	f.t.Helper()
	f.signUp(username, goodPassword, append([]string{"email", email}, kv...)...)
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

// signIn signs in with the public client and returns the tokens.
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

func (f *fixture) refresh(clientID, token string, extra ...string) (*cip.InitiateAuthOutput, error) {
	params := map[string]string{"REFRESH_TOKEN": token}
	for i := 0; i+1 < len(extra); i += 2 {
		params[extra[i]] = extra[i+1]
	}
	return f.idp.InitiateAuth(f.ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(clientID), AuthParameters: params,
	})
}

// authorizer verifies tokens against the pool's served JWKS, as API
// Gateway's JWT authorizer does.
func (f *fixture) authorizer(audience ...string) *jwtauth.Authorizer {
	return &jwtauth.Authorizer{Issuer: f.srv.Issuer(), Audience: audience, Now: f.clock.Now}
}

// claims decodes a JWT's payload without verifying it; tests verify tokens
// separately with the authorizer.
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

// wantAPIError fails the test unless err is the Cognito error code with a
// message containing msg.
func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if apiErr.ErrorCode() != code || !strings.Contains(apiErr.ErrorMessage(), msg) {
		t.Fatalf("error = %s: %q, want %s containing %q", apiErr.ErrorCode(), apiErr.ErrorMessage(), code, msg)
	}
}
