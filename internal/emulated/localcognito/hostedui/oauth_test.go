package hostedui

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localcognito"
	"github.com/portcullis-cdk/portcullis/internal/protocol/totp"
)

const (
	callbackURL = "http://localhost:5173/callback"
	logoutURL   = "http://localhost:5173/"
	testDomain  = "portcullis-test"
)

var spaScopes = []string{
	"openid", "email", "profile", "aws.cognito.signin.user.admin",
	"portcullis/todos.read", "portcullis/todos.write",
}

// withDomain gives the fixture's pool a domain, a resource server, and
// OAuth settings on both clients: the public one must use PKCE.
func withDomain(edit func(*localcognito.Config)) func(*localcognito.Config) {
	return func(c *localcognito.Config) {
		c.Domain = testDomain
		c.ResourceServers = []localcognito.ResourceServer{{Identifier: "portcullis", Scopes: []string{"todos.read", "todos.write", "photos.read"}}}
		for i := range c.Clients {
			c.Clients[i].OAuth = localcognito.OAuthClient{
				Flows: []string{localcognito.OAuthFlowCode}, Scopes: spaScopes,
				CallbackURLs: []string{callbackURL}, LogoutURLs: []string{logoutURL},
				RequirePKCE: c.Clients[i].Secret == "",
			}
		}
		if edit != nil {
			edit(c)
		}
	}
}

// browser is a cookie-keeping HTTP client that stops at the app's URLs
// (callback and logout), where a browser would leave the domain.
type browser struct {
	t      testing.TB
	client *http.Client
}

func newBrowser(t testing.TB) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, client: &http.Client{
		Jar: jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), logoutURL) {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// get fetches a page and returns the final response and its body.
func (b *browser) get(u string) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.client.Get(u)
	if err != nil {
		b.t.Fatalf("GET %s: %v", u, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

// submit posts a form of the page at pageURL with its _csrf and fields.
func (b *browser) submit(pageURL, pageBody string, fields url.Values) (*http.Response, string) {
	b.t.Helper()
	m := csrfField.FindStringSubmatch(pageBody)
	if m == nil {
		b.t.Fatalf("no _csrf field on %s:\n%s", pageURL, pageBody)
	}
	fields.Set("_csrf", m[1])
	resp, err := b.client.PostForm(pageURL, fields)
	if err != nil {
		b.t.Fatalf("POST %s: %v", pageURL, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

// callback is the query the browser landed on at the callback URL, or nil.
func callback(resp *http.Response) url.Values {
	if resp.StatusCode != http.StatusFound {
		return nil
	}
	loc, err := resp.Location()
	if err != nil || !strings.HasPrefix(loc.String(), callbackURL) {
		return nil
	}
	return loc.Query()
}

// signInAt walks the hosted UI from an authorize URL with a username and
// password and returns the callback's query.
func (b *browser) signInAt(authURL, username, password string) url.Values {
	b.t.Helper()
	resp, body := b.get(authURL)
	if cb := callback(resp); cb != nil {
		return cb // already signed in
	}
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != pathLogin {
		b.t.Fatalf("authorize landed on %s (%d), want the sign-in page:\n%s", resp.Request.URL, resp.StatusCode, body)
	}
	resp, body = b.submit(resp.Request.URL.String(), body, url.Values{"username": {username}, "password": {password}})
	cb := callback(resp)
	if cb == nil {
		b.t.Fatalf("sign-in did not reach the callback: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	return cb
}

// oidcSetup discovers the pool as an OIDC provider and configures the
// public client with x/oauth2.
func (f *fixture) oidcSetup(clientID, secret string, scopes ...string) (context.Context, *oidc.Provider, *oauth2.Config) {
	f.t.Helper()
	ctx := oidc.ClientContext(f.ctx, &http.Client{})
	provider, err := oidc.NewProvider(ctx, f.srv.Issuer())
	if err != nil {
		f.t.Fatalf("discovery: %v", err)
	}
	return ctx, provider, &oauth2.Config{
		ClientID: clientID, ClientSecret: secret, Endpoint: provider.Endpoint(),
		RedirectURL: callbackURL, Scopes: scopes,
	}
}

// TestHostedUICodeFlowWithPKCE drives the code flow with PKCE as an app
// does, with golang.org/x/oauth2 and go-oidc: discovery, the sign-in form,
// the code exchange, ID token verification with the nonce, userInfo, and
// the session cookie signing the user in again without the form.
func TestHostedUICodeFlowWithPKCE(t *testing.T) {
	var mu sync.Mutex
	var sources []string
	var requested [][]string
	f := newFixture(t, withDomain(func(c *localcognito.Config) {
		c.Triggers.PreTokenGeneration = func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
			mu.Lock()
			defer mu.Unlock()
			sources = append(sources, ev.TriggerSource)
			requested = append(requested, ev.Request.Scopes)
			ev.Response.ClaimsAndScopeOverrideDetails.IDTokenGeneration.ClaimsToAddOrOverride = map[string]any{"plan": "free"}
			return ev, nil
		}
	}))
	f.confirmedUser("alice", "alice@example.com", "name", "Alice", "custom:company", "Acme", "phone_number", "+15550100")
	signedInAt := f.clock.Now()

	ctx, provider, cfg := f.oidcSetup(publicID, "", "openid", "email", "portcullis/todos.read")
	verifier := oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier), oidc.Nonce("nonce-456"))
	b := newBrowser(t)
	cb := b.signInAt(authURL, "alice", goodPassword)
	if cb.Get("state") != "state-123" || cb.Get("code") == "" {
		t.Fatalf("callback query %v, want the state and a code", cb)
	}

	f.clock.Advance(30 * time.Second) // the exchange comes after the sign-in
	tok, err := cfg.Exchange(ctx, cb.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if tok.RefreshToken == "" || tok.TokenType != "Bearer" {
		t.Errorf("token %+v: want a refresh token and type Bearer", tok)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idToken, err := provider.Verifier(&oidc.Config{ClientID: publicID, Now: f.clock.Now}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	if err := idToken.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	if idToken.Nonce != "nonce-456" {
		t.Errorf("nonce %q, want nonce-456", idToken.Nonce)
	}
	var idc map[string]any
	if err := idToken.Claims(&idc); err != nil {
		t.Fatal(err)
	}
	// openid with email: the email claims, not the others the client reads.
	if idc["email"] != "alice@example.com" || idc["name"] != nil || idc["custom:company"] != nil || idc["plan"] != "free" {
		t.Errorf("ID token claims %v: want email, the trigger's plan, and no name or company", idc)
	}
	if at := int64(idc["auth_time"].(float64)); at != signedInAt.Unix() {
		t.Errorf("auth_time %d, want the sign-in time %d", at, signedInAt.Unix())
	}

	// The API's authorizer takes the access token for a route that
	// requires a requested scope.
	ac, err := f.authorizer(publicID).Authorize(f.ctx, "Bearer "+tok.AccessToken, []string{"portcullis/todos.read"})
	if err != nil {
		t.Fatalf("access token: %v", err)
	}
	if got := strings.Fields(ac.Claims["scope"]); !slices.Equal(got, []string{"openid", "email", "portcullis/todos.read"}) {
		t.Errorf("access token scope %q, want the requested scopes", got)
	}
	mu.Lock()
	if !slices.Equal(sources, []string{sourceTokenHostedAuth}) || !slices.Equal(requested[0], []string{"openid", "email", "portcullis/todos.read"}) {
		t.Errorf("pre token generation ran with %v %v, want once with %s and the requested scopes", sources, requested, sourceTokenHostedAuth)
	}
	mu.Unlock()

	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userInfo: %v", err)
	}
	var ui map[string]any
	_ = info.Claims(&ui)
	if info.Email != "alice@example.com" || ui["username"] != "alice" || ui["name"] != nil {
		t.Errorf("userInfo %v: want email and username only", ui)
	}

	// The hosted UI session signs the user in to a second request without
	// the form, with the original auth_time.
	verifier2 := oauth2.GenerateVerifier()
	cb2 := b.signInAt(cfg.AuthCodeURL("s2", oauth2.S256ChallengeOption(verifier2)), "", "")
	tok2, err := cfg.Exchange(ctx, cb2.Get("code"), oauth2.VerifierOption(verifier2))
	if err != nil {
		t.Fatalf("second exchange: %v", err)
	}
	if c := claims(t, tok2.Extra("id_token").(string)); int64(c["auth_time"].(float64)) != signedInAt.Unix() || c["nonce"] != nil {
		t.Errorf("second ID token auth_time %v nonce %v: want the first sign-in's time and no nonce", c["auth_time"], c["nonce"])
	}

	// The refresh token keeps the session's scopes.
	tok.Expiry = time.Now().Add(-time.Minute)
	refreshed, err := cfg.TokenSource(ctx, tok).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if c := claims(t, refreshed.AccessToken); c["scope"] != "openid email portcullis/todos.read" {
		t.Errorf("refreshed scope %v", c["scope"])
	}
}

// tokenCall posts a form to the token endpoint and returns the status and
// the error code of the answer, if any.
func (f *fixture) tokenCall(form url.Values, basicID, basicSecret string) (int, string, map[string]any) {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.url+localcognito.PathToken, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" {
		req.SetBasicAuth(basicID, basicSecret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	code, _ := body["error"].(string)
	return resp.StatusCode, code, body
}

// codeFor signs alice in on a fresh browser and returns a code issued for
// the given challenge (none if empty).
func (f *fixture) codeFor(clientID, challengeVerifier string) string {
	f.t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {callbackURL}, "scope": {"openid"}}
	if challengeVerifier != "" {
		q.Set("code_challenge", oauth2.S256ChallengeFromVerifier(challengeVerifier))
		q.Set("code_challenge_method", "S256")
	}
	b := newBrowser(f.t)
	return b.signInAt(f.url+localcognito.PathAuthorize+"?"+q.Encode(), "alice", goodPassword).Get("code")
}

// TestTokenEndpointRefusals: every way a code exchange can be wrong is an
// RFC 6749 error in Cognito's JSON shape, never tokens and never a 5xx.
func TestTokenEndpointRefusals(t *testing.T) {
	f := newFixture(t, withDomain(func(c *localcognito.Config) { c.Clients = append(c.Clients, localcognito.Client{ID: "plain"}) }))
	f.confirmedUser("alice", "alice@example.com")
	exchange := func(code, verifier string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "client_id": {publicID}, "code": {code},
			"redirect_uri": {callbackURL}, "code_verifier": {verifier}}
	}

	v := oauth2.GenerateVerifier()
	good := f.codeFor(publicID, v)
	if st, code, _ := f.tokenCall(exchange(good, v), "", ""); st != 200 {
		t.Fatalf("good exchange: %d %s", st, code)
	}

	tests := []struct {
		name     string
		form     func() url.Values
		status   int
		wantCode string
	}{
		{"reused code", func() url.Values { return exchange(good, v) }, 400, oauthInvalidGrant},
		{"wrong verifier", func() url.Values { return exchange(f.codeFor(publicID, v), oauth2.GenerateVerifier()) }, 400, oauthInvalidGrant},
		{"missing verifier", func() url.Values {
			form := exchange(f.codeFor(publicID, v), "")
			form.Del("code_verifier")
			return form
		}, 400, oauthInvalidRequest},
		{"tampered code", func() url.Values {
			c := []byte(f.codeFor(publicID, v))
			c[0] ^= 1
			return exchange(string(c), v)
		}, 400, oauthInvalidGrant},
		{"expired code", func() url.Values {
			c := f.codeFor(publicID, v)
			f.clock.Advance(authCodeValidity)
			return exchange(c, v)
		}, 400, oauthInvalidGrant},
		{"other redirect_uri", func() url.Values {
			form := exchange(f.codeFor(publicID, v), v)
			form.Set("redirect_uri", "http://localhost:5173/other")
			return form
		}, 400, oauthInvalidGrant},
		{"code of another client", func() url.Values {
			form := exchange(f.codeFor(secretID, ""), v)
			return form
		}, 400, oauthInvalidGrant},
		{"unknown client", func() url.Values {
			form := exchange("x", v)
			form.Set("client_id", "nobody")
			return form
		}, 400, oauthInvalidClient},
		{"no grant_type", func() url.Values { return url.Values{"client_id": {publicID}} }, 400, oauthInvalidRequest},
		{"unsupported grant", func() url.Values { return url.Values{"client_id": {publicID}, "grant_type": {"password"}} }, 400, oauthUnsupportedGrantType},
		{"client credentials", func() url.Values {
			return url.Values{"client_id": {publicID}, "grant_type": {"client_credentials"}}
		}, 400, oauthUnauthorizedClient},
		{"public client with a secret", func() url.Values {
			form := exchange(f.codeFor(publicID, v), v)
			form.Set("client_secret", "guess")
			return form
		}, 400, oauthInvalidClient},
		{"disabled user", func() url.Values {
			form := exchange(f.codeFor(publicID, v), v)
			if _, err := f.idp.AdminDisableUser(f.ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(testPoolID), Username: aws.String("alice")}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				_, _ = f.idp.AdminEnableUser(f.ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(testPoolID), Username: aws.String("alice")})
			})
			return form
		}, 400, oauthInvalidGrant},
		{"client without OAuth flows", func() url.Values {
			return url.Values{"client_id": {"plain"}, "grant_type": {"refresh_token"}, "refresh_token": {"x"}}
		}, 400, oauthUnauthorizedClient},
		{"unknown refresh token", func() url.Values {
			return url.Values{"client_id": {publicID}, "grant_type": {"refresh_token"}, "refresh_token": {"nope"}}
		}, 400, oauthInvalidGrant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, code, body := f.tokenCall(tt.form(), "", "")
			if st != tt.status || code != tt.wantCode || body["access_token"] != nil {
				t.Errorf("got %d %v, want %d %s", st, body, tt.status, tt.wantCode)
			}
		})
	}
}

// TestAuthorizeRefusals: a callback that is not registered goes to
// Cognito's redirect_mismatch page; every other error goes back to the
// callback with the error and the state.
func TestAuthorizeRefusals(t *testing.T) {
	f := newFixture(t, withDomain(nil))
	base := url.Values{
		"response_type": {"code"}, "client_id": {publicID}, "redirect_uri": {callbackURL}, "state": {"st"},
		"scope": {"openid"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())},
		"code_challenge_method": {"S256"},
	}
	tests := []struct {
		name     string
		edit     func(url.Values)
		wantCode string // at the callback; empty for an error page
		wantPage string
	}{
		{"unregistered redirect_uri", func(q url.Values) { q.Set("redirect_uri", "http://localhost:5173/evil") }, "", "redirect_mismatch"},
		{"no redirect_uri", func(q url.Values) { q.Del("redirect_uri") }, "", "redirect_mismatch"},
		{"unknown client", func(q url.Values) { q.Set("client_id", "nobody") }, "", "does not exist"},
		{"scope not allowed", func(q url.Values) { q.Set("scope", "openid portcullis/photos.read") }, oauthInvalidScope, ""},
		{"unknown scope", func(q url.Values) { q.Set("scope", "openid admin") }, oauthInvalidScope, ""},
		{"email without openid", func(q url.Values) { q.Set("scope", "email") }, oauthInvalidScope, ""},
		{"implicit grant", func(q url.Values) { q.Set("response_type", "token") }, oauthUnauthorizedClient, ""},
		{"unknown response type", func(q url.Values) { q.Set("response_type", "id_token") }, oauthUnsupportedResponseType, ""},
		{"no response type", func(q url.Values) { q.Del("response_type") }, oauthInvalidRequest, ""},
		{"no PKCE for the public client", func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, oauthInvalidRequest, ""},
		{"plain PKCE", func(q url.Values) { q.Set("code_challenge_method", "plain") }, oauthInvalidRequest, ""},
		{"short challenge", func(q url.Values) { q.Set("code_challenge", "abc") }, oauthInvalidRequest, ""},
		{"repeated parameter", func(q url.Values) { q.Add("scope", "email") }, oauthInvalidRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{}
			for k, v := range base {
				q[k] = slices.Clone(v)
			}
			tt.edit(q)
			b := newBrowser(t)
			resp, body := b.get(f.url + localcognito.PathAuthorize + "?" + q.Encode())
			if tt.wantCode != "" {
				cb := callback(resp)
				if cb == nil || cb.Get("error") != tt.wantCode || cb.Get("state") != "st" || cb.Get("code") != "" {
					t.Fatalf("got %d %s, want the callback with error %s", resp.StatusCode, resp.Header.Get("Location"), tt.wantCode)
				}
				return
			}
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tt.wantPage) {
				t.Fatalf("got %d at %s, want an error page saying %q:\n%s", resp.StatusCode, resp.Request.URL, tt.wantPage, body)
			}
		})
	}
}

// TestConfidentialClientBasicAuth: the server-side client exchanges its
// code with its id and secret in HTTP Basic; a wrong secret is
// invalid_client.
func TestConfidentialClientBasicAuth(t *testing.T) {
	f := newFixture(t, withDomain(nil))
	f.confirmedUser("alice", "alice@example.com")
	ctx, _, cfg := f.oidcSetup(secretID, clientSecret, "openid", "profile")
	cfg.Endpoint.AuthStyle = oauth2.AuthStyleInHeader

	code := f.codeFor(secretID, "")
	tok, err := cfg.Exchange(ctx, code)
	if err != nil {
		t.Fatalf("Exchange with Basic auth: %v", err)
	}
	if c := claims(t, tok.AccessToken); c["client_id"] != secretID {
		t.Errorf("client_id %v", c["client_id"])
	}

	wrong := *cfg
	wrong.ClientSecret = "not-the-secret"
	_, err = wrong.Exchange(ctx, f.codeFor(secretID, ""))
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != oauthInvalidClient || re.Response.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %v, want invalid_client with 401", err)
	}
	// The secret in the body works too; none at all does not.
	if st, _, _ := f.tokenCall(url.Values{"grant_type": {"authorization_code"}, "code": {f.codeFor(secretID, "")},
		"redirect_uri": {callbackURL}, "client_id": {secretID}, "client_secret": {clientSecret}}, "", ""); st != 200 {
		t.Errorf("client_secret in the body: %d", st)
	}
	if st, code, _ := f.tokenCall(url.Values{"grant_type": {"authorization_code"}, "code": {f.codeFor(secretID, "")},
		"redirect_uri": {callbackURL}, "client_id": {secretID}}, "", ""); st != 400 || code != oauthInvalidClient {
		t.Errorf("no secret: %d %s, want 400 invalid_client", st, code)
	}
}

// TestSignInPage: the classic hosted UI's form contract, its errors and
// CSRF protection.
func TestSignInPage(t *testing.T) {
	f := newFixture(t, withDomain(nil))
	f.confirmedUser("alice", "alice@example.com")
	q := url.Values{"response_type": {"code"}, "client_id": {secretID}, "redirect_uri": {callbackURL}}
	loginURL := f.url + pathLogin + "?" + q.Encode()

	b := newBrowser(t)
	resp, body := b.get(loginURL)
	for _, want := range []string{`name="username"`, `name="password"`, `href="/signup?`, `href="/forgotPassword?`} {
		if !strings.Contains(body, want) {
			t.Errorf("sign-in page lacks %s", want)
		}
	}
	resp, body = b.submit(resp.Request.URL.String(), body, url.Values{"username": {"alice"}, "password": {"wrong-Password-1"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "Incorrect username or password.") {
		t.Errorf("wrong password: %d\n%s", resp.StatusCode, body)
	}
	resp, body = b.submit(loginURL, strings.Replace(body, "_csrf\" value=\"", "_csrf\" value=\"x", 1), url.Values{"username": {"alice"}, "password": {goodPassword}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("mismatched _csrf: %d, want 403", resp.StatusCode)
	}
	if resp, err := http.PostForm(loginURL, url.Values{"username": {"alice"}, "password": {goodPassword}}); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("no _csrf: %v %v, want 403", resp.StatusCode, err)
	}
}

// TestSignUpOnHostedUI signs a user up and confirms them on the pages,
// then signs them in.
func TestSignUpOnHostedUI(t *testing.T) {
	f := newFixture(t, withDomain(func(c *localcognito.Config) { c.RequiredAttributes = []string{"email"} }))
	q := url.Values{"response_type": {"code"}, "client_id": {secretID}, "redirect_uri": {callbackURL}}
	b := newBrowser(t)
	resp, body := b.get(f.url + pathSignUp + "?" + q.Encode())
	if !strings.Contains(body, `name="email"`) {
		t.Fatalf("sign-up page has no email field:\n%s", body)
	}
	resp, body = b.submit(resp.Request.URL.String(), body, url.Values{"username": {"bob"}, "password": {goodPassword}, "email": {"bob@example.com"}})
	if resp.Request.URL.Path != pathConfirmUser {
		t.Fatalf("after sign-up: %s\n%s", resp.Request.URL, body)
	}
	code, _ := f.srv.Code("bob")
	resp, body = b.submit(resp.Request.URL.String(), body, url.Values{"username": {"bob"}, "code": {code}})
	if resp.Request.URL.Path != pathLogin || !strings.Contains(body, "confirmed") {
		t.Fatalf("after confirming: %s\n%s", resp.Request.URL, body)
	}
	resp, body = b.submit(resp.Request.URL.String(), body, url.Values{"username": {"bob"}, "password": {goodPassword}})
	if cb := callback(resp); cb == nil || cb.Get("code") == "" {
		t.Fatalf("sign-in after sign-up: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestNewPasswordOnHostedUI: an invited user chooses a password on the
// sign-in page, through the NEW_PASSWORD_REQUIRED challenge.
func TestNewPasswordOnHostedUI(t *testing.T) {
	f := newFixture(t, withDomain(nil))
	if _, err := f.idp.AdminCreateUser(f.ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(testPoolID), Username: aws.String("carol"), UserAttributes: attrs("email", "carol@example.com"),
	}); err != nil {
		t.Fatal(err)
	}
	temp, _ := f.srv.Code("carol")
	q := url.Values{"response_type": {"code"}, "client_id": {secretID}, "redirect_uri": {callbackURL}}
	b := newBrowser(t)
	resp, body := b.get(f.url + pathLogin + "?" + q.Encode())
	resp, body = b.submit(resp.Request.URL.String(), body, url.Values{"username": {"carol"}, "password": {temp}})
	if !strings.Contains(body, `name="new_password"`) {
		t.Fatalf("no new password form: %d\n%s", resp.StatusCode, body)
	}
	fields := url.Values{"new_password": {goodPassword}}
	for _, name := range []string{"_challenge", "_session", "username"} {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no %s field", name)
		}
		fields.Set(name, m[1])
	}
	resp, _ = b.submit(f.url+pathLogin+"?"+q.Encode(), body, fields)
	if cb := callback(resp); cb == nil || cb.Get("code") == "" {
		t.Fatalf("after the new password: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := f.passwordAuth(publicID, "carol", goodPassword); err != nil {
		t.Errorf("the new password does not sign in: %v", err)
	}
}

// TestLogoutAndRevoke: /logout ends the hosted UI session and goes to a
// registered logout URL only; /oauth2/revoke ends the refresh token.
func TestLogoutAndRevoke(t *testing.T) {
	f := newFixture(t, withDomain(nil))
	f.confirmedUser("alice", "alice@example.com")
	ctx, _, cfg := f.oidcSetup(secretID, clientSecret, "openid")
	b := newBrowser(t)
	cb := b.signInAt(cfg.AuthCodeURL("s"), "alice", goodPassword)
	tok, err := cfg.Exchange(ctx, cb.Get("code"))
	if err != nil {
		t.Fatal(err)
	}

	resp, body := b.get(f.url + localcognito.PathLogout + "?" + url.Values{"client_id": {secretID}, "logout_uri": {"http://localhost:5173/elsewhere"}}.Encode())
	if resp.StatusCode != 400 || !strings.Contains(resp.Request.URL.RawQuery, "redirect_mismatch") {
		t.Errorf("unregistered logout_uri: %d %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	if resp, _ := b.get(cfg.AuthCodeURL("s")); callback(resp) == nil {
		t.Fatal("a refused logout ended the session")
	}
	resp, _ = b.get(f.url + localcognito.PathLogout + "?" + url.Values{"client_id": {secretID}, "logout_uri": {logoutURL}}.Encode())
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != logoutURL {
		t.Errorf("logout: %d %s, want a redirect to %s", resp.StatusCode, loc, logoutURL)
	}
	if resp, _ := b.get(cfg.AuthCodeURL("s")); resp.Request.URL.Path != pathLogin {
		t.Errorf("after logout, authorize went to %s, want the sign-in page", resp.Request.URL)
	}

	revoke := func(token, secret string) int {
		req, _ := http.NewRequest(http.MethodPost, f.url+localcognito.PathRevoke, strings.NewReader(url.Values{"token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(secretID, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := revoke(tok.RefreshToken, "wrong"); st != http.StatusUnauthorized {
		t.Errorf("revoke with a wrong secret: %d, want 401", st)
	}
	if st := revoke(tok.RefreshToken, clientSecret); st != 200 {
		t.Fatalf("revoke: %d", st)
	}
	if st, code, _ := f.tokenCall(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}, secretID, clientSecret); st != 400 || code != oauthInvalidGrant {
		t.Errorf("refresh after revoke: %d %s, want invalid_grant", st, code)
	}
	req, _ := http.NewRequest(http.MethodGet, f.url+localcognito.PathUserInfo, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("userInfo after revoke: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

// TestUserInfoErrors: errors in WWW-Authenticate, as Cognito documents.
func TestUserInfoErrors(t *testing.T) {
	f := newFixture(t, withDomain(nil))
	f.confirmedUser("alice", "alice@example.com")
	apiToken := *f.signIn("alice", goodPassword).AccessToken
	for _, tt := range []struct {
		name, auth string
		status     int
		want       string
	}{
		{"no token", "", 400, "invalid_request"},
		{"garbage", "Bearer x.y.z", 401, "invalid_token"},
		{"API token without openid", "Bearer " + apiToken, 403, "insufficient_scope"},
	} {
		req, _ := http.NewRequest(http.MethodGet, f.url+localcognito.PathUserInfo, nil)
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(resp.Header.Get("WWW-Authenticate"), tt.want) {
			t.Errorf("%s: %d %q, want %d %s", tt.name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), tt.status, tt.want)
		}
	}
}

// TestNoDomain: a pool without a domain serves and advertises no OAuth
// endpoint, as in Cognito.
func TestNoDomain(t *testing.T) {
	f := newFixture(t, nil)
	resp, err := http.Get(f.url + localcognito.PathAuthorize)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("authorize without a domain: %d", resp.StatusCode)
	}
	if doc := f.discovery(); doc["authorization_endpoint"] != nil {
		t.Errorf("discovery without a domain lists %v", doc["authorization_endpoint"])
	}
}

// TestOAuthStateIsBounded: codes a signed-in browser does not exchange are
// capped per session, and expired codes and sessions are swept.
func TestOAuthStateIsBounded(t *testing.T) {
	f := newFixture(t, withDomain(nil))
	f.confirmedUser("alice", "alice@example.com")
	ctx, _, cfg := f.oidcSetup(secretID, clientSecret, "openid")
	b := newBrowser(t)
	first := b.signInAt(cfg.AuthCodeURL("s"), "alice", goodPassword).Get("code")
	for range 3 * maxCodesPerSession {
		b.signInAt(cfg.AuthCodeURL("s"), "", "")
	}
	f.dom.state.mu.Lock()
	n := len(f.dom.state.codes)
	f.dom.state.mu.Unlock()
	if n != maxCodesPerSession {
		t.Errorf("%d codes held, want at most %d", n, maxCodesPerSession)
	}
	if _, err := cfg.Exchange(ctx, first); err == nil {
		t.Error("the oldest code still works after the cap dropped it")
	}

	// Expired sessions go at a sweep.
	f.dom.state.mu.Lock()
	for i := range oauthSweepThreshold {
		f.dom.state.sessions[strings.Repeat("x", 8)+string(rune('a'+i%26))+time.Duration(i).String()] = &hostedSession{expires: f.clock.Now()}
	}
	f.dom.state.mu.Unlock()
	f.clock.Advance(time.Second)
	b2 := newBrowser(t)
	b2.signInAt(cfg.AuthCodeURL("s"), "alice", goodPassword)
	f.dom.state.mu.Lock()
	left := len(f.dom.state.sessions)
	f.dom.state.mu.Unlock()
	if left > 2 {
		t.Errorf("%d sessions after a sweep, want the live ones only", left)
	}
}

// TestForgotPasswordOnHostedUI resets a password on the pages through
// ForgotPassword and ConfirmForgotPassword, and sends a user whose password
// an administrator reset there from the sign-in form.
func TestForgotPasswordOnHostedUI(t *testing.T) {
	f := newFixture(t, withDomain(nil))
	f.confirmedUser("alice", "alice@example.com")
	q := url.Values{"response_type": {"code"}, "client_id": {secretID}, "redirect_uri": {callbackURL}}
	b := newBrowser(t)
	_, body := b.get(f.url + pathLogin + "?" + q.Encode())
	m := regexp.MustCompile(`href="(/forgotPassword\?[^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no forgot-password link:\n%s", body)
	}
	resp, body := b.get(f.url + strings.ReplaceAll(m[1], "&amp;", "&"))
	resp, body = b.submit(resp.Request.URL.String(), body, url.Values{"username": {"alice"}})
	if resp.Request.URL.Path != pathConfirmForgotPassword || !strings.Contains(body, "We sent a code") {
		t.Fatalf("after asking for a code: %s\n%s", resp.Request.URL, body)
	}
	code, _ := f.srv.Code("alice")
	const renewed = "Renewed-Horse-10"
	resp, body = b.submit(resp.Request.URL.String(), body, url.Values{"username": {"alice"}, "code": {"000000"}, "password": {renewed}})
	if resp.StatusCode != 200 || !strings.Contains(body, `class="error"`) {
		t.Fatalf("a wrong code: %d\n%s", resp.StatusCode, body)
	}
	resp, body = b.submit(resp.Request.URL.String(), body, url.Values{"username": {"alice"}, "code": {code}, "password": {renewed}})
	if resp.Request.URL.Path != pathLogin || !strings.Contains(body, "Your password is changed") {
		t.Fatalf("after the reset: %s\n%s", resp.Request.URL, body)
	}
	resp, _ = b.submit(resp.Request.URL.String(), body, url.Values{"username": {"alice"}, "password": {renewed}})
	if cb := callback(resp); cb == nil || cb.Get("code") == "" {
		t.Fatalf("sign-in with the new password: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	// An administrator's reset sends the user to the reset pages.
	if _, err := f.idp.AdminResetUserPassword(f.ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(testPoolID), Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	b2 := newBrowser(t)
	resp, body = b2.get(f.url + pathLogin + "?" + q.Encode())
	resp, body = b2.submit(resp.Request.URL.String(), body, url.Values{"username": {"alice"}, "password": {renewed}})
	if resp.Request.URL.Path != pathForgotPassword || !strings.Contains(body, "must be reset") {
		t.Fatalf("sign-in of a user whose password was reset: %s\n%s", resp.Request.URL, body)
	}

	// A link cannot put its own words on the page.
	_, body = b2.get(f.url + pathLogin + "?" + q.Encode() + "&message=Call+555-0100+now")
	if strings.Contains(body, "555-0100") {
		t.Error("the sign-in page shows a message from its URL")
	}
}

// TestTOTPOnHostedUI: where the pool requires MFA, a user without an
// authenticator sets one up on the sign-in page (MFA_SETUP), and signs in
// with a code from it the next time (SOFTWARE_TOKEN_MFA); a code is good
// once.
func TestTOTPOnHostedUI(t *testing.T) {
	f := newFixture(t, withDomain(func(c *localcognito.Config) { c.MFA = localcognito.MFAOn }))
	f.confirmedUser("alice", "alice@example.com")
	q := url.Values{"response_type": {"code"}, "client_id": {secretID}, "redirect_uri": {callbackURL}}
	loginURL := f.url + pathLogin + "?" + q.Encode()
	hidden := func(body, name string) string {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no %s field in\n%s", name, body)
		}
		return html.UnescapeString(m[1])
	}
	answer := func(b *browser, body, code string) (*http.Response, string) {
		fields := url.Values{"totp_code": {code}}
		for _, name := range []string{"_challenge", "_session", "username"} {
			fields.Set(name, hidden(body, name))
		}
		if strings.Contains(body, `name="_secret"`) {
			fields.Set("_secret", hidden(body, "_secret"))
		}
		return b.submit(loginURL, body, fields)
	}

	b := newBrowser(t)
	resp, body := b.get(loginURL)
	_, body = b.submit(resp.Request.URL.String(), body, url.Values{"username": {"alice"}, "password": {goodPassword}})
	secret := regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`).FindStringSubmatch(body)
	if secret == nil || !strings.Contains(body, `href="otpauth://totp/`) {
		t.Fatalf("no authenticator set-up on the page:\n%s", body)
	}
	now := time.Now()
	if _, body = answer(b, body, "000000"); !strings.Contains(body, `class="error"`) || !strings.Contains(body, `id="totp-secret"`) {
		t.Fatalf("a wrong set-up code is not asked again:\n%s", body)
	}
	code, _ := totp.Code(secret[1], now)
	resp, body = answer(b, body, code)
	if cb := callback(resp); cb == nil || cb.Get("code") == "" {
		t.Fatalf("set-up did not sign in: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}

	// The next sign-in asks for a code; the one used at set-up is refused.
	b2 := newBrowser(t)
	resp, body = b2.get(loginURL)
	_, body = b2.submit(resp.Request.URL.String(), body, url.Values{"username": {"alice"}, "password": {goodPassword}})
	if hidden(body, "_challenge") != localcognito.ChallengeSoftwareTokenMFA {
		t.Fatalf("second sign-in: no TOTP step\n%s", body)
	}
	if _, body = answer(b2, body, code); !strings.Contains(body, `class="error"`) {
		t.Fatalf("a reused code was not refused:\n%s", body)
	}
	next, _ := totp.Code(secret[1], now.Add(totp.Period))
	resp, body = answer(b2, body, next)
	if cb := callback(resp); cb == nil || cb.Get("code") == "" {
		t.Fatalf("TOTP step did not sign in: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
}
