package jwtauth_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth/jwtauthtest"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtsign"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/testclock"
)

const (
	clientA   = "client-a"
	clientB   = "client-b"
	readScope = "portcullis/todos.read"
)

// newAuthorizer verifies iss's tokens on the clock c, which stamps them
// too: on the real clock, a token signed past a second boundary after c
// was read would be issued in c's future.
func newAuthorizer(iss *jwtauthtest.Issuer, c *testclock.Clock) *jwtauth.Authorizer {
	iss.Now = c.Now
	return &jwtauth.Authorizer{
		Issuer:   iss.URL,
		Audience: []string{clientA, clientB},
		Now:      c.Now,
	}
}

// with returns a copy of claims with the changes applied; a nil value
// deletes the claim.
func with(claims map[string]any, changes map[string]any) map[string]any {
	out := make(map[string]any, len(claims))
	for k, v := range claims {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestAuthorize(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t, "us-east-1_test")
	other := jwtauthtest.NewKey(t)
	now := time.Now()
	c := testclock.New(now)
	a := newAuthorizer(iss, c)

	access := iss.AccessClaims(clientA, "user-1", readScope, "portcullis/todos.write")
	id := iss.IDClaims(clientA, "user-1")
	valid := iss.Sign(access)
	parts := strings.Split(valid, ".")
	kidHeader := map[string]any{"alg": "RS256", "kid": iss.KID()}

	pubDER, err := x509.MarshalPKIXPublicKey(&iss.Key().PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	hs256 := func(secret []byte) string {
		input := jwtauthtest.Encode(map[string]any{"alg": "HS256", "kid": iss.KID()}) + "." + jwtauthtest.Encode(access)
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(input))
		return input + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	unsigned := func(alg string) string {
		return jwtauthtest.Encode(map[string]any{"alg": alg, "kid": iss.KID()}) + "." + jwtauthtest.Encode(access) + "."
	}

	tests := []struct {
		name   string
		header string // the Authorization header
		scopes []string
		status int // 0: accepted
		check  func(t *testing.T, res jwtauth.Result)
	}{
		{
			name:   "valid access token",
			header: "Bearer " + valid,
			scopes: []string{readScope},
			check: func(t *testing.T, res jwtauth.Result) {
				if res.Claims["sub"] != "user-1" || res.Claims["client_id"] != clientA || res.Claims["token_use"] != "access" {
					t.Errorf("claims = %v", res.Claims)
				}
				if got, want := strings.Join(res.Scopes, " "), readScope+" portcullis/todos.write"; got != want {
					t.Errorf("scopes = %q, want %q", got, want)
				}
			},
		},
		{name: "bare token", header: valid, scopes: []string{readScope}},
		{name: "lower-case scheme", header: "bearer " + valid, scopes: []string{readScope}},
		{name: "one of several route scopes", header: valid, scopes: []string{"portcullis/photos.read", readScope}},
		{
			name:   "no route scopes: any valid token, scopes null",
			header: valid,
			check: func(t *testing.T, res jwtauth.Result) {
				if res.Scopes != nil {
					t.Errorf("scopes = %q, want nil for a route without scopes", res.Scopes)
				}
			},
		},
		{name: "audience from client_id of the second client", header: iss.Sign(with(access, map[string]any{"client_id": clientB})), scopes: []string{readScope}},
		{name: "aud list with an allowed client", header: iss.Sign(with(access, map[string]any{"aud": []string{"elsewhere", clientB}})), scopes: []string{readScope}},
		{name: "scp list instead of scope", header: iss.Sign(with(access, map[string]any{"scope": nil, "scp": []string{readScope}})), scopes: []string{readScope}},
		{name: "nbf and iat now", header: iss.Sign(with(access, map[string]any{"nbf": now.Unix(), "iat": now.Unix()})), scopes: []string{readScope}},
		{name: "ID token on an unscoped route", header: iss.Sign(id)},

		{name: "ID token on a scoped route", header: iss.Sign(id), scopes: []string{readScope}, status: http.StatusForbidden},
		{name: "wrong scope", header: valid, scopes: []string{"portcullis/photos.read"}, status: http.StatusForbidden},
		{name: "scope prefix is not the scope", header: iss.Sign(with(access, map[string]any{"scope": "portcullis/todos"})), scopes: []string{readScope}, status: http.StatusForbidden},

		{name: "missing Authorization", header: "", status: http.StatusUnauthorized},
		{name: "Bearer and nothing", header: "Bearer ", status: http.StatusUnauthorized},
		{name: "SigV4 Authorization", header: "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20250101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc", status: http.StatusUnauthorized},
		{name: "forged signature, other key same kid", header: jwtauthtest.SignRS256(other, kidHeader, access), status: http.StatusUnauthorized},
		{name: "tampered payload", header: parts[0] + "." + jwtauthtest.Encode(with(access, map[string]any{"sub": "user-2"})) + "." + parts[2], status: http.StatusUnauthorized},
		{name: "tampered header", header: jwtauthtest.Encode(map[string]any{"alg": "RS256", "kid": iss.KID(), "typ": "at+jwt"}) + "." + parts[1] + "." + parts[2], status: http.StatusUnauthorized},
		{name: "signature of another token", header: parts[0] + "." + parts[1] + "." + strings.Split(iss.Sign(id), ".")[2], status: http.StatusUnauthorized},
		{name: "expired", header: iss.Sign(with(access, map[string]any{"exp": now.Unix() - 1})), status: http.StatusUnauthorized},
		{name: "expires this second", header: iss.Sign(with(access, map[string]any{"exp": now.Unix()})), status: http.StatusUnauthorized},
		{name: "no exp", header: iss.Sign(with(access, map[string]any{"exp": nil})), status: http.StatusUnauthorized},
		{name: "exp is a string", header: iss.Sign(with(access, map[string]any{"exp": "9999999999"})), status: http.StatusUnauthorized},
		{name: "not yet valid", header: iss.Sign(with(access, map[string]any{"nbf": now.Unix() + 60})), status: http.StatusUnauthorized},
		{name: "issued in the future", header: iss.Sign(with(access, map[string]any{"iat": now.Unix() + 60})), status: http.StatusUnauthorized},
		{name: "wrong issuer", header: iss.Sign(with(access, map[string]any{"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"})), status: http.StatusUnauthorized},
		{name: "issuer with trailing slash", header: iss.Sign(with(access, map[string]any{"iss": iss.URL + "/"})), status: http.StatusUnauthorized},
		{name: "no issuer", header: iss.Sign(with(access, map[string]any{"iss": nil})), status: http.StatusUnauthorized},
		{name: "token of another client", header: iss.Sign(with(access, map[string]any{"client_id": "client-z"})), scopes: []string{readScope}, status: http.StatusUnauthorized},
		{name: "aud wins over a matching client_id", header: iss.Sign(with(access, map[string]any{"aud": "api://elsewhere"})), scopes: []string{readScope}, status: http.StatusUnauthorized},
		{name: "ID token of another client", header: iss.Sign(with(id, map[string]any{"aud": "client-z"})), status: http.StatusUnauthorized},
		{name: "no audience at all", header: iss.Sign(with(access, map[string]any{"client_id": nil})), status: http.StatusUnauthorized},
		{name: "alg none, empty signature", header: unsigned("none"), status: http.StatusUnauthorized},
		{name: "alg none with a signature", header: jwtauthtest.SignRS256(iss.Key(), map[string]any{"alg": "none", "kid": iss.KID()}, access), status: http.StatusUnauthorized},
		{name: "HS256 keyed with the public key PEM", header: hs256(pubPEM), status: http.StatusUnauthorized},
		{name: "HS256 keyed with the public key DER", header: hs256(pubDER), status: http.StatusUnauthorized},
		{name: "RS512 header over an RS256 signature", header: jwtauthtest.SignRS256(iss.Key(), map[string]any{"alg": "RS512", "kid": iss.KID()}, access), status: http.StatusUnauthorized},
		{name: "unknown kid", header: jwtauthtest.SignRS256(iss.Key(), map[string]any{"alg": "RS256", "kid": "nope"}, access), status: http.StatusUnauthorized},
		{name: "no kid", header: jwtauthtest.SignRS256(iss.Key(), map[string]any{"alg": "RS256"}, access), status: http.StatusUnauthorized},
		{name: "critical header extension", header: jwtauthtest.SignRS256(iss.Key(), map[string]any{"alg": "RS256", "kid": iss.KID(), "crit": []string{"exp"}}, access), status: http.StatusUnauthorized},
		{name: "one segment", header: "abc", status: http.StatusUnauthorized},
		{name: "two segments", header: parts[0] + "." + parts[1], status: http.StatusUnauthorized},
		{name: "four segments", header: valid + ".x", status: http.StatusUnauthorized},
		{name: "empty payload segment", header: parts[0] + ".." + parts[2], status: http.StatusUnauthorized},
		{name: "padded base64", header: parts[0] + "." + parts[1] + "=." + parts[2], status: http.StatusUnauthorized},
		{name: "standard base64 alphabet", header: strings.NewReplacer("-", "+", "_", "/").Replace(valid), status: http.StatusUnauthorized},
		{name: "newline in the signature", header: parts[0] + "." + parts[1] + "." + parts[2][:10] + "\n" + parts[2][10:], status: http.StatusUnauthorized},
		{name: "not base64", header: "$$$.%%%.&&&", status: http.StatusUnauthorized},
		{name: "header not JSON", header: b64("alg=RS256") + "." + parts[1] + "." + parts[2], status: http.StatusUnauthorized},
		{name: "payload is a JSON array", header: parts[0] + "." + b64(`["sub"]`) + "." + parts[2], status: http.StatusUnauthorized},
		{name: "payload with trailing data", header: parts[0] + "." + b64(`{"sub":"x"}{}`) + "." + parts[2], status: http.StatusUnauthorized},
		{name: "signature of the wrong length", header: parts[0] + "." + parts[1] + "." + b64("short"), status: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := a.Authorize(context.Background(), tt.header, tt.scopes)
			if tt.status == 0 {
				if err != nil {
					t.Fatalf("Authorize: %v", err)
				}
				if tt.check != nil {
					tt.check(t, res)
				}
				return
			}
			var aerr *jwtauth.Error
			if !errors.As(err, &aerr) {
				t.Fatalf("Authorize error = %v, want *jwtauth.Error %d", err, tt.status)
			}
			if aerr.Status != tt.status {
				t.Fatalf("status = %d (%v), want %d", aerr.Status, aerr, tt.status)
			}
			t.Logf("refused: %v", aerr)
			wantMsg := map[int]string{401: "Unauthorized", 403: "Forbidden"}[tt.status]
			if aerr.Message() != wantMsg {
				t.Errorf("message = %q, want %q", aerr.Message(), wantMsg)
			}
		})
	}
}

func TestClaimsAsAPIGatewayRendersThem(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t, "us-east-1_claims")
	c := testclock.New(time.Now())
	a := newAuthorizer(iss, c)
	claims := with(iss.AccessClaims(clientA, "user-1", readScope), map[string]any{
		"exp":            json.Number("1893456000"),
		"cognito:groups": []string{"admin", "users"},
		"amr":            []any{"pwd", []string{"mfa", "otp"}},
		"email_verified": true,
		"ratio":          json.Number("0.5"),
		"address":        map[string]any{"city": "Seattle"},
		"nothing":        json.RawMessage("null"),
	})
	res, err := a.Authorize(context.Background(), iss.Sign(claims), nil)
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	want := map[string]string{
		"exp":            "1893456000",
		"cognito:groups": "[admin users]",
		"amr":            "[pwd [mfa otp]]",
		"email_verified": "true",
		"ratio":          "0.5",
		"address":        `{"city":"Seattle"}`,
		"nothing":        "null",
		"sub":            "user-1",
		"scope":          readScope,
	}
	for k, v := range want {
		if res.Claims[k] != v {
			t.Errorf("claims[%q] = %q, want %q", k, res.Claims[k], v)
		}
	}
	if len(res.Claims) != len(claims) {
		t.Errorf("got %d claims, want all %d", len(res.Claims), len(claims))
	}
}

func TestChallenge(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t, "us-east-1_challenge")
	a := newAuthorizer(iss, testclock.New(time.Now()))
	tests := []struct {
		name, header string
		scopes       []string
		want         string
	}{
		{
			name:   "wrong audience, as the troubleshooting guide shows it",
			header: iss.AccessToken("client-z", "u", readScope),
			want:   `Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"`,
		},
		{name: "no token", header: "", want: "Bearer"},
		{
			name:   "missing scope",
			header: iss.AccessToken(clientA, "u", "portcullis/photos.read"),
			scopes: []string{readScope},
			want:   `Bearer scope="portcullis/todos.read" error="insufficient_scope" error_description="the token does not have a required scope"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.Authorize(context.Background(), tt.header, tt.scopes)
			var aerr *jwtauth.Error
			if !errors.As(err, &aerr) {
				t.Fatalf("Authorize error = %v, want *jwtauth.Error", err)
			}
			if got := aerr.Challenge(); got != tt.want {
				t.Errorf("Challenge() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestKeySetFetching(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t, "us-east-1_rotate")
	c := testclock.New(time.Now())
	a := newAuthorizer(iss, c)
	ctx := context.Background()
	authorize := func(token string) error {
		_, err := a.Authorize(ctx, token, nil)
		return err
	}
	fresh := func() map[string]any {
		now := c.Now().Unix()
		return with(iss.IDClaims(clientA, "u"), map[string]any{"iat": now, "exp": now + 3600})
	}

	if err := authorize(iss.Sign(fresh())); err != nil {
		t.Fatalf("first token: %v", err)
	}
	if err := authorize(iss.Sign(fresh())); err != nil {
		t.Fatalf("second token: %v", err)
	}
	if got := iss.Fetches(); got != 1 {
		t.Fatalf("fetches after two tokens = %d, want 1 (cached)", got)
	}

	// The issuer rotates: a token with the new kid makes the authorizer
	// fetch the key set again, once the refetch interval has passed.
	iss.AddKey(t, "key-2")
	rotated := iss.SignKID("key-2", fresh())
	if err := authorize(rotated); err == nil {
		t.Fatal("token with a new kid accepted within the refetch interval")
	}
	if got := iss.Fetches(); got != 1 {
		t.Fatalf("fetches within the refetch interval = %d, want 1", got)
	}
	c.Advance(jwtauth.DefaultRefetchInterval)
	if err := authorize(iss.SignKID("key-2", fresh())); err != nil {
		t.Fatalf("token with the rotated key: %v", err)
	}
	if got := iss.Fetches(); got != 2 {
		t.Fatalf("fetches after rotation = %d, want 2", got)
	}

	// Made-up kids cannot turn into a request each.
	for i := 0; i < 5; i++ {
		forged := jwtauthtest.SignRS256(iss.Key(), map[string]any{"alg": "RS256", "kid": "made-up"}, fresh())
		if err := authorize(forged); err == nil {
			t.Fatal("unknown kid accepted")
		}
	}
	if got := iss.Fetches(); got != 2 {
		t.Fatalf("fetches after five unknown kids = %d, want still 2", got)
	}

	// After the cache TTL the keys are fetched again even for a known kid.
	c.Advance(jwtauth.DefaultCacheTTL)
	if err := authorize(iss.Sign(fresh())); err != nil {
		t.Fatalf("token after the cache TTL: %v", err)
	}
	if got := iss.Fetches(); got != 3 {
		t.Fatalf("fetches after the cache TTL = %d, want 3", got)
	}
}

func TestKeySetUnavailable(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t, "us-east-1_down")
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	t.Cleanup(down.Close)
	a := &jwtauth.Authorizer{Issuer: iss.URL, Audience: []string{clientA}, JWKSURL: down.URL}
	_, err := a.Authorize(context.Background(), iss.IDToken(clientA, "u"), nil)
	var aerr *jwtauth.Error
	if !errors.As(err, &aerr) || aerr.Status != http.StatusUnauthorized {
		t.Fatalf("Authorize error = %v, want a 401", err)
	}
	if aerr.Err == nil || !strings.Contains(aerr.Err.Error(), "503") {
		t.Errorf("cause = %v, want the failed fetch", aerr.Err)
	}
}

func TestKeySetEntries(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t, "us-east-1_entries")
	small := jwtsign.PublicJWK("small", &jwtauthtest.NewKey(t).PublicKey)
	small.N = small.N[:100] // a 600-bit modulus
	rs512 := jwtsign.PublicJWK("rs512", &iss.Key().PublicKey)
	rs512.Alg = "RS512"
	enc := jwtsign.PublicJWK("enc", &iss.Key().PublicKey)
	enc.Use = "enc"
	good := jwtsign.PublicJWK("good", &iss.Key().PublicKey)
	set, err := json.Marshal(map[string]any{"keys": []any{
		map[string]string{"kty": "EC", "kid": "ec", "crv": "P-256"},
		small, rs512, enc, good, "not an object",
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(set) }))
	t.Cleanup(srv.Close)
	a := &jwtauth.Authorizer{Issuer: iss.URL, Audience: []string{clientA}, JWKSURL: srv.URL}

	for kid, wantOK := range map[string]bool{"good": true, "rs512": false, "enc": false, "ec": false, "small": false} {
		token := jwtauthtest.SignRS256(iss.Key(), map[string]any{"alg": "RS256", "kid": kid}, iss.IDClaims(clientA, "u"))
		_, err := a.Authorize(context.Background(), token, nil)
		if (err == nil) != wantOK {
			t.Errorf("kid %q: err = %v, want accepted %v", kid, err, wantOK)
		}
	}
}

func TestKeySetURL(t *testing.T) {
	a := &jwtauth.Authorizer{Issuer: "http://localhost:9229/local_pool"}
	if got, want := a.KeySetURL(), "http://localhost:9229/local_pool/.well-known/jwks.json"; got != want {
		t.Errorf("KeySetURL() = %q, want %q", got, want)
	}
	a.JWKSURL = "http://jwks.test/keys"
	if got := a.KeySetURL(); got != a.JWKSURL {
		t.Errorf("KeySetURL() = %q, want the configured %q", got, a.JWKSURL)
	}
}

func TestLeeway(t *testing.T) {
	iss := jwtauthtest.NewIssuer(t, "us-east-1_leeway")
	c := testclock.New(time.Now())
	a := newAuthorizer(iss, c)
	token := iss.Sign(with(iss.IDClaims(clientA, "u"), map[string]any{"exp": c.Now().Unix() - 30}))
	if _, err := a.Authorize(context.Background(), token, nil); err == nil {
		t.Fatal("expired token accepted without leeway")
	}
	a.Leeway = time.Minute
	if _, err := a.Authorize(context.Background(), token, nil); err != nil {
		t.Fatalf("token 30s past exp refused with a minute of leeway: %v", err)
	}
}

func TestMisconfigured(t *testing.T) {
	var a jwtauth.Authorizer
	_, err := a.Authorize(context.Background(), "x.y.z", nil)
	var aerr *jwtauth.Error
	if err == nil || errors.As(err, &aerr) {
		t.Fatalf("Authorize without issuer: err = %v, want a configuration error", err)
	}
}
