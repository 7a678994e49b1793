package hostedui

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localcognito"
)

// fuzzDomainServer is a pool with a domain and a confirmed user, alice,
// for the fuzz targets of the domain's endpoints.
func fuzzDomainServer(f testing.TB, baseURL string) *Handler {
	cfg := testConfig(baseURL, nil)
	cfg.CustomAttributes = nil
	for i := range cfg.Clients {
		cfg.Clients[i].Name, cfg.Clients[i].ExplicitAuthFlows = "", nil
	}
	withDomain(nil)(&cfg)
	srv, err := localcognito.New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	client, _ := srv.Client(publicID)
	if _, err := srv.SignUp(ctx, client, "alice", goodPassword, []localcognito.Attribute{{Name: "email", Value: "alice@example.com"}}); err != nil {
		f.Fatal(err)
	}
	code, _ := srv.Code("alice")
	if err := srv.ConfirmSignUp(ctx, client, "alice", code); err != nil {
		f.Fatal(err)
	}
	return New(srv)
}

// allowedRedirect reports whether a redirect of the domain stays on the
// domain or goes to a registered callback or logout URL: nothing a request
// carries makes the pool an open redirector.
func allowedRedirect(loc string) bool {
	for _, prefix := range []string{pathLogin + "?", pathConfirmUser + "?", pathError + "?", callbackURL + "?", logoutURL} {
		if strings.HasPrefix(loc, prefix) {
			return true
		}
	}
	return false
}

// FuzzSignInForm posts arbitrary sign-in forms, with arbitrary authorize
// parameters, to /login: the answer is a page or a redirect to the domain
// or a registered callback, never a 5xx; with a matching CSRF cookie the
// right password signs in, any other does not.
func FuzzSignInForm(f *testing.F) {
	srv := fuzzDomainServer(f, "http://127.0.0.1:9229")
	good := url.Values{"response_type": {"code"}, "client_id": {secretID}, "redirect_uri": {callbackURL}, "state": {"s"}, "scope": {"openid"}}.Encode()
	f.Add(good, "username=alice&password="+url.QueryEscape(goodPassword), true)
	f.Add(good, "username=alice&password=wrong", true)
	f.Add(good, "username=alice&password="+url.QueryEscape(goodPassword), false)
	f.Add(good, "_challenge=NEW_PASSWORD_REQUIRED&_session=x&username=alice&new_password=Abc-12345", true)
	f.Add("client_id=spaclient1&redirect_uri=http%3A%2F%2Fevil.example%2F&response_type=code", "username=a&password=b", true)
	f.Add("client_id=spaclient1&redirect_uri="+url.QueryEscape(callbackURL)+"&response_type=code&code_challenge=x&code_challenge_method=S256", "%zz", true)
	f.Add("%", "username=%00&password=%ff", true)
	f.Fuzz(func(t *testing.T, query, body string, withCSRF bool) {
		form, _ := url.ParseQuery(body)
		if withCSRF {
			form.Set("_csrf", "token")
		}
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		req.URL.RawQuery = query
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if withCSRF {
			req.AddCookie(&http.Cookie{Name: csrfCookie, Value: "token"})
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for query %q body %q", rec.Code, query, body)
		}
		if loc := rec.Header().Get("Location"); loc != "" && !allowedRedirect(loc) {
			t.Fatalf("redirect to %q for query %q", loc, query)
		}
		if cb, _ := url.Parse(rec.Header().Get("Location")); cb != nil && cb.Query().Get("code") != "" {
			if !withCSRF || !strings.EqualFold(strings.TrimSpace(form.Get("username")), "alice") || form.Get("password") != goodPassword {
				t.Fatalf("a code for query %q body %q", query, body)
			}
		}
	})
}

// FuzzTokenEndpoint posts arbitrary requests to /oauth2/token: the answer
// is tokens for a valid exchange only, otherwise an RFC 6749 error in
// Cognito's JSON shape, never a 5xx.
func FuzzTokenEndpoint(f *testing.F) {
	srv := fuzzDomainServer(f, "http://127.0.0.1:9229")
	f.Add("grant_type=authorization_code&code=abc&redirect_uri="+url.QueryEscape(callbackURL)+"&client_id=spaclient1&code_verifier=x", "", "application/x-www-form-urlencoded")
	f.Add("grant_type=refresh_token&refresh_token=x", "Basic c2VydmVyY2xpZW50MTpzM2NyM3Qtb2YtdGhlLXNlcnZlci1jbGllbnQ=", "application/x-www-form-urlencoded")
	f.Add("grant_type=client_credentials&client_id=serverclient1&client_secret=s3cr3t-of-the-server-client", "", "application/x-www-form-urlencoded; charset=utf-8")
	f.Add("grant_type=authorization_code&grant_type=refresh_token", "Basic %%%", "application/x-www-form-urlencoded")
	f.Add(`{"grant_type":"authorization_code"}`, "Bearer x", "application/json")
	f.Add("code=%zz", "Basic Og==", "")
	f.Fuzz(func(t *testing.T, body, auth, contentType string) {
		req := httptest.NewRequest(http.MethodPost, localcognito.PathToken, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("status %d, body %q is not JSON", rec.Code, rec.Body.String())
		}
		switch rec.Code {
		case http.StatusOK:
			t.Fatalf("tokens for body %q auth %q: no code was ever issued", body, auth)
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusMethodNotAllowed:
			if e, _ := out["error"].(string); e == "" {
				t.Fatalf("status %d without an error code: %q", rec.Code, rec.Body.String())
			}
		default:
			t.Fatalf("status %d for body %q auth %q", rec.Code, body, auth)
		}
	})
}

// BenchmarkHostedUICodeFlow measures one whole hosted-UI sign-in as an app
// sees it: authorize, the sign-in page, the form post, the redirect with
// the code, and the code exchange with PKCE.
//
//	go test -run '^$' -bench HostedUICodeFlow ./internal/emulated/localcognito/
func BenchmarkHostedUICodeFlow(b *testing.B) {
	ts := httptest.NewUnstartedServer(nil)
	srv := fuzzDomainServer(b, "http://"+ts.Listener.Addr().String())
	ts.Config.Handler = srv
	ts.Start()
	defer ts.Close()
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	authURL := ts.URL + localcognito.PathAuthorize + "?" + url.Values{
		"response_type": {"code"}, "client_id": {publicID}, "redirect_uri": {callbackURL}, "scope": {"openid email"},
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"},
	}.Encode()
	b.ResetTimer()
	for range b.N {
		br := newBrowser(b)
		resp, body := br.get(authURL)
		resp, _ = br.submit(resp.Request.URL.String(), body, url.Values{"username": {"alice"}, "password": {goodPassword}})
		cb := callback(resp)
		if cb == nil {
			b.Fatalf("no code: %d", resp.StatusCode)
		}
		form := url.Values{"grant_type": {"authorization_code"}, "client_id": {publicID}, "code": {cb.Get("code")},
			"redirect_uri": {callbackURL}, "code_verifier": {verifier}}
		tr, err := http.PostForm(ts.URL+localcognito.PathToken, form)
		if err != nil {
			b.Fatal(err)
		}
		tr.Body.Close()
		if tr.StatusCode != 200 {
			b.Fatalf("exchange: %d", tr.StatusCode)
		}
	}
}
