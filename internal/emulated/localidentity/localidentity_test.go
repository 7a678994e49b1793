package localidentity_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localidentity"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth/jwtauthtest"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/testclock"
)

const (
	poolID  = "us-east-1:11111111-2222-3333-4444-555555555555"
	account = "123456789012"
	role    = "arn:aws:iam::123456789012:role/portcullis-dev-authenticated"
	clientA = "client-a"
)

type fixture struct {
	iss      *jwtauthtest.Issuer
	provider string
	clock    *testclock.Clock
	pool     *localidentity.Pool
	url      string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	iss := jwtauthtest.NewIssuer(t, "us-east-1_users")
	c := testclock.New(time.Now())
	pool := newPool(t, iss, c)
	srv := httptest.NewServer(pool)
	t.Cleanup(srv.Close)
	return &fixture{iss: iss, provider: localidentity.ProviderName(iss.URL), clock: c, pool: pool, url: srv.URL}
}

// newPool is a pool trusting iss on the clock c, which stamps iss's tokens
// too, so that none is issued in the pool's future.
func newPool(t testing.TB, iss *jwtauthtest.Issuer, c *testclock.Clock) *localidentity.Pool {
	t.Helper()
	iss.Now = c.Now
	pool, err := localidentity.New(localidentity.Config{
		PoolID:    poolID,
		AccountID: account,
		RoleARN:   role,
		Providers: []*jwtauth.Authorizer{{Issuer: iss.URL, Audience: []string{clientA}, Now: c.Now}},
		Now:       c.Now,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return pool
}

// call sends one JSON 1.1 request the way the AWS SDKs do.
func call(t *testing.T, url, target string, in any) (int, http.Header, map[string]any) {
	t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s: decode response: %v", target, err)
	}
	return resp.StatusCode, resp.Header, out
}

func (f *fixture) getID(t *testing.T, idToken string) string {
	t.Helper()
	status, _, out := call(t, f.url, "AWSCognitoIdentityService.GetId", map[string]any{
		"IdentityPoolId": poolID,
		"Logins":         map[string]string{f.provider: idToken},
	})
	if status != http.StatusOK {
		t.Fatalf("GetId: %d %v", status, out)
	}
	id, _ := out["IdentityId"].(string)
	return id
}

var identityIDPattern = regexp.MustCompile(`^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestEnhancedFlow(t *testing.T) {
	f := newFixture(t)
	idToken := f.iss.IDToken(clientA, "user-1")

	id := f.getID(t, idToken)
	if !identityIDPattern.MatchString(id) {
		t.Fatalf("identity id %q is not <region>:<uuid>", id)
	}
	if again := f.getID(t, f.iss.IDToken(clientA, "user-1")); again != id {
		t.Errorf("second GetId = %q, want the same %q", again, id)
	}
	if other := f.getID(t, f.iss.IDToken(clientA, "user-2")); other == id {
		t.Errorf("another user got the same identity %q", id)
	}
	restarted := newPool(t, f.iss, f.clock)
	if out, err := restarted.GetID(t.Context(), localidentity.GetIDInput{IdentityPoolID: poolID, Logins: map[string]string{f.provider: idToken}}); err != nil || out.IdentityID != id {
		t.Errorf("after a restart GetId = %q, %v; want %q", out.IdentityID, err, id)
	}

	status, header, out := call(t, f.url, "AWSCognitoIdentityService.GetCredentialsForIdentity", map[string]any{
		"IdentityId": id,
		"Logins":     map[string]string{f.provider: idToken},
	})
	if status != http.StatusOK {
		t.Fatalf("GetCredentialsForIdentity: %d %v", status, out)
	}
	if ct := header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		t.Errorf("Content-Type = %q", ct)
	}
	if out["IdentityId"] != id {
		t.Errorf("IdentityId = %v, want %q", out["IdentityId"], id)
	}
	creds, _ := out["Credentials"].(map[string]any)
	akid, _ := creds["AccessKeyId"].(string)
	secret, _ := creds["SecretKey"].(string)
	token, _ := creds["SessionToken"].(string)
	exp, _ := creds["Expiration"].(float64)
	if !regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`).MatchString(akid) {
		t.Errorf("AccessKeyId = %q, want ASIA and 16 base32 characters", akid)
	}
	if len(secret) != 40 || token == "" {
		t.Errorf("SecretKey %q (%d chars), SessionToken %q", secret, len(secret), token)
	}
	if want := f.clock.Now().Add(time.Hour).Unix(); int64(exp) < want-1 || int64(exp) > want {
		t.Errorf("Expiration = %v, want about %d", exp, want)
	}

	caller, ok := f.pool.Lookup(akid)
	if !ok {
		t.Fatalf("Lookup(%q) found nothing", akid)
	}
	if caller.SecretAccessKey != secret || caller.SessionToken != token || caller.Expiration.Unix() != int64(exp) {
		t.Errorf("Lookup returned other credentials: %+v", caller)
	}
	iam := caller.Principal
	if iam.CognitoIdentityID != id || iam.CognitoIdentityPoolID != poolID || iam.RoleARN != role {
		t.Errorf("principal = %+v", iam)
	}
	// The amr names the pool as deployed Cognito does, whichever key the
	// client used.
	const provider = "cognito-idp.us-east-1.amazonaws.com/us-east-1_users"
	wantAMR := []string{"authenticated", provider, provider + ":CognitoSignIn:user-1"}
	if strings.Join(iam.AMR, "|") != strings.Join(wantAMR, "|") {
		t.Errorf("amr = %q, want %q", iam.AMR, wantAMR)
	}
	if iam.ARN != "arn:aws:sts::123456789012:assumed-role/portcullis-dev-authenticated/CognitoIdentityCredentials" {
		t.Errorf("ARN = %q", iam.ARN)
	}
	if !regexp.MustCompile(`^AROA[A-Z2-7]{17}:CognitoIdentityCredentials$`).MatchString(iam.UserID) || iam.AccountID != account {
		t.Errorf("UserID = %q, AccountID = %q", iam.UserID, iam.AccountID)
	}
	if _, ok := f.pool.Lookup("ASIAUNKNOWN000000000"); ok {
		t.Error("Lookup found an access key the pool never issued")
	}
}

func TestErrors(t *testing.T) {
	f := newFixture(t)
	idToken := f.iss.IDToken(clientA, "user-1")
	id := f.getID(t, idToken)
	expired := f.iss.IDClaims(clientA, "user-1")
	expired["exp"] = f.clock.Now().Add(-time.Minute).Unix()
	other := jwtauthtest.NewIssuer(t, "us-east-1_other")

	tests := []struct {
		name, target string
		body         any
		status       int
		errType      string
		message      string // a prefix of the message
	}{
		{
			name: "no logins", target: "AWSCognitoIdentityService.GetId",
			body:   map[string]any{"IdentityPoolId": poolID},
			status: 400, errType: "NotAuthorizedException", message: "Unauthenticated access is not supported for this identity pool.",
		},
		{
			name: "access token instead of ID token", target: "AWSCognitoIdentityService.GetId",
			body:   map[string]any{"IdentityPoolId": poolID, "Logins": map[string]string{f.provider: f.iss.AccessToken(clientA, "user-1", "portcullis/todos.read")}},
			status: 400, errType: "NotAuthorizedException", message: "Invalid login token. Missing a required claim: aud",
		},
		{
			name: "expired ID token", target: "AWSCognitoIdentityService.GetId",
			body:   map[string]any{"IdentityPoolId": poolID, "Logins": map[string]string{f.provider: f.iss.Sign(expired)}},
			status: 400, errType: "NotAuthorizedException", message: "Invalid login token. The token has expired.",
		},
		{
			name: "ID token of another app client", target: "AWSCognitoIdentityService.GetId",
			body:   map[string]any{"IdentityPoolId": poolID, "Logins": map[string]string{f.provider: f.iss.IDToken("client-z", "user-1")}},
			status: 400, errType: "NotAuthorizedException", message: "Invalid login token. The token does not have a valid audience.",
		},
		{
			name: "ID token signed by another pool under this pool's name", target: "AWSCognitoIdentityService.GetId",
			body:   map[string]any{"IdentityPoolId": poolID, "Logins": map[string]string{f.provider: other.Sign(f.iss.IDClaims(clientA, "user-1"))}},
			status: 400, errType: "NotAuthorizedException", message: "Invalid login token.",
		},
		{
			name: "unsupported provider", target: "AWSCognitoIdentityService.GetId",
			body:   map[string]any{"IdentityPoolId": poolID, "Logins": map[string]string{localidentity.ProviderName(other.URL): other.IDToken(clientA, "user-1")}},
			status: 400, errType: "NotAuthorizedException", message: "Token is not from a supported provider of this identity pool.",
		},
		{
			name: "unknown identity pool", target: "AWSCognitoIdentityService.GetId",
			body:   map[string]any{"IdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000000", "Logins": map[string]string{f.provider: idToken}},
			status: 400, errType: "ResourceNotFoundException", message: "IdentityPool 'us-east-1:00000000-0000-0000-0000-000000000000' not found.",
		},
		{
			name: "another user's identity", target: "AWSCognitoIdentityService.GetCredentialsForIdentity",
			body:   map[string]any{"IdentityId": id, "Logins": map[string]string{f.provider: f.iss.IDToken(clientA, "user-2")}},
			status: 400, errType: "NotAuthorizedException", message: "Logins don't match.",
		},
		{
			name: "credentials without logins", target: "AWSCognitoIdentityService.GetCredentialsForIdentity",
			body:   map[string]any{"IdentityId": id},
			status: 400, errType: "NotAuthorizedException", message: "Unauthenticated access is not supported",
		},
		{
			name: "identity of another region", target: "AWSCognitoIdentityService.GetCredentialsForIdentity",
			body:   map[string]any{"IdentityId": "eu-west-1:" + strings.SplitN(id, ":", 2)[1], "Logins": map[string]string{f.provider: idToken}},
			status: 400, errType: "ResourceNotFoundException", message: "Identity 'eu-west-1:",
		},
		{
			name: "no identity id", target: "AWSCognitoIdentityService.GetCredentialsForIdentity",
			body:   map[string]any{"Logins": map[string]string{f.provider: idToken}},
			status: 400, errType: "InvalidParameterException", message: "1 validation error detected",
		},
		{
			name: "custom role", target: "AWSCognitoIdentityService.GetCredentialsForIdentity",
			body:   map[string]any{"IdentityId": id, "Logins": map[string]string{f.provider: idToken}, "CustomRoleArn": "arn:aws:iam::123456789012:role/admin"},
			status: 400, errType: "InvalidParameterException", message: "CustomRoleArn",
		},
		{
			name: "unknown operation", target: "AWSCognitoIdentityService.GetOpenIdToken",
			body:   map[string]any{"IdentityId": id},
			status: 400, errType: "UnknownOperationException", message: "Operation",
		},
		{
			name: "not a JSON object", target: "AWSCognitoIdentityService.GetId",
			body:   []string{"x"},
			status: 400, errType: "SerializationException", message: "Request body is not a valid JSON object.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, header, out := call(t, f.url, tt.target, tt.body)
			if status != tt.status {
				t.Errorf("status = %d, want %d (%v)", status, tt.status, out)
			}
			if got := header.Get("X-Amzn-Errortype"); got != tt.errType {
				t.Errorf("x-amzn-ErrorType = %q, want %q", got, tt.errType)
			}
			if out["__type"] != tt.errType {
				t.Errorf("__type = %v, want %q", out["__type"], tt.errType)
			}
			if msg, _ := out["message"].(string); !strings.HasPrefix(msg, tt.message) {
				t.Errorf("message = %q, want it to start with %q", msg, tt.message)
			}
		})
	}
}

func TestExpiredCredentialsArePruned(t *testing.T) {
	f := newFixture(t)
	idToken := f.iss.IDToken(clientA, "user-1")
	id := f.getID(t, idToken)
	in := localidentity.GetCredentialsInput{IdentityID: id, Logins: map[string]string{f.provider: idToken}}
	first, err := f.pool.GetCredentialsForIdentity(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(localidentity.DefaultCredentialsTTL)
	if c, ok := f.pool.Lookup(first.Credentials.AccessKeyID); !ok || f.clock.Now().Before(c.Expiration) {
		t.Fatalf("expired credentials: found %v, expiration %v; want found and expired", ok, c.Expiration)
	}
	// The ID token outlives nothing here: sign a fresh one for the new clock.
	claims := f.iss.IDClaims(clientA, "user-1")
	claims["iat"], claims["exp"] = f.clock.Now().Unix(), f.clock.Now().Add(time.Hour).Unix()
	in.Logins[f.provider] = f.iss.Sign(claims)
	if _, err := f.pool.GetCredentialsForIdentity(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.pool.Lookup(first.Credentials.AccessKeyID); ok {
		t.Error("expired credentials still held after new ones were issued")
	}
}

func TestNotPost(t *testing.T) {
	f := newFixture(t)
	resp, err := http.Get(f.url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("X-Amzn-Errortype") != "UnknownOperationException" {
		t.Errorf("GET: %d %q", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
	}
}

func TestNewValidates(t *testing.T) {
	provider := &jwtauth.Authorizer{Issuer: "http://localhost:9229/local_pool", Audience: []string{clientA}}
	good := localidentity.Config{PoolID: poolID, AccountID: account, RoleARN: role, Providers: []*jwtauth.Authorizer{provider}}
	tests := []struct {
		name   string
		change func(*localidentity.Config)
	}{
		{"pool id without region", func(c *localidentity.Config) { c.PoolID = "11111111-2222-3333-4444-555555555555" }},
		{"short account", func(c *localidentity.Config) { c.AccountID = "1234" }},
		{"role of another account", func(c *localidentity.Config) { c.RoleARN = "arn:aws:iam::999999999999:role/x" }},
		{"no providers", func(c *localidentity.Config) { c.Providers = nil }},
		{"provider without audience", func(c *localidentity.Config) {
			c.Providers = []*jwtauth.Authorizer{{Issuer: provider.Issuer}}
		}},
		{"provider twice", func(c *localidentity.Config) { c.Providers = []*jwtauth.Authorizer{provider, provider} }},
	}
	if _, err := localidentity.New(good); err != nil {
		t.Fatalf("New(good config): %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			if _, err := localidentity.New(cfg); err == nil {
				t.Error("New accepted the configuration")
			}
		})
	}
}

func TestProviderName(t *testing.T) {
	for issuer, want := range map[string]string{
		"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc": "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc",
		"http://localhost:9229/local_pool":                          "localhost:9229/local_pool",
	} {
		if got := localidentity.ProviderName(issuer); got != want {
			t.Errorf("ProviderName(%q) = %q, want %q", issuer, got, want)
		}
	}
}

// TestDeployedLoginKey signs in with the login key AWS SDKs and Amplify send
// for a user pool, cognito-idp.<region>.amazonaws.com/<poolId>: the local
// pool takes it for its local issuer and gives the same identity as the
// local key.
func TestDeployedLoginKey(t *testing.T) {
	f := newFixture(t)
	idToken := f.iss.IDToken(clientA, "user-1")
	const deployed = "cognito-idp.us-east-1.amazonaws.com/us-east-1_users"
	local := f.getID(t, idToken)

	status, _, out := call(t, f.url, "AWSCognitoIdentityService.GetId", map[string]any{
		"IdentityPoolId": poolID,
		"Logins":         map[string]string{deployed: idToken},
	})
	if status != http.StatusOK || out["IdentityId"] != local {
		t.Fatalf("GetId with %s: %d %v, want identity %s", deployed, status, out, local)
	}
	status, _, out = call(t, f.url, "AWSCognitoIdentityService.GetCredentialsForIdentity", map[string]any{
		"IdentityId": local,
		"Logins":     map[string]string{deployed: idToken},
	})
	if status != http.StatusOK {
		t.Fatalf("GetCredentialsForIdentity with %s: %d %v", deployed, status, out)
	}
	status, _, out = call(t, f.url, "AWSCognitoIdentityService.GetId", map[string]any{
		"IdentityPoolId": poolID,
		"Logins":         map[string]string{"cognito-idp.eu-west-1.amazonaws.com/us-east-1_users": idToken},
	})
	if status != http.StatusBadRequest || out["__type"] != "NotAuthorizedException" {
		t.Errorf("GetId with another region's key: %d %v, want 400 NotAuthorizedException", status, out)
	}
}
