package hostedui

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The domain answers a browser app's fetch only on its token, revocation
// and userInfo endpoints, and then to the calling origin, never "*"
// (errors included: an app reads invalid_grant); its pages, /oauth2/authorize
// and /logout answer no origin, a preflight included. The pool's own
// answers (API, JWKS, discovery: cognito-idp's in AWS) stay open to any
// origin, as the SDKs call them from the page.
func TestDomainCORS(t *testing.T) {
	f := newFixture(t, withDomain(nil))
	const origin = "http://localhost:5173"
	cases := []struct {
		name, method, path, body string
		preflight                string // Access-Control-Request-Method
		wantOrigin, wantMethods  string
	}{
		{"token error", "POST", "/oauth2/token", "grant_type=authorization_code&client_id=" + publicID + "&code=nope", "", origin, ""},
		{"token preflight", "OPTIONS", "/oauth2/token", "", "POST", origin, "POST"},
		{"revoke", "POST", "/oauth2/revoke", "token=nope&client_id=" + publicID, "", origin, ""},
		{"revoke preflight", "OPTIONS", "/oauth2/revoke", "", "POST", origin, "POST"},
		{"userInfo without a token", "GET", "/oauth2/userInfo", "", "", origin, ""},
		{"userInfo preflight", "OPTIONS", "/oauth2/userInfo", "", "GET", origin, "GET, POST"},
		{"sign-in page", "GET", "/login?client_id=" + publicID + "&response_type=code&redirect_uri=" + url.QueryEscape(callbackURL), "", "", "", ""},
		{"sign-in page preflight", "OPTIONS", "/login", "", "POST", "", ""},
		{"authorize", "GET", "/oauth2/authorize?client_id=" + publicID, "", "", "", ""},
		{"logout preflight", "OPTIONS", "/logout", "", "GET", "", ""},
		{"JWKS", "GET", "/" + testPoolID + "/.well-known/jwks.json", "", "", "*", ""},
		{"discovery", "GET", "/" + testPoolID + "/.well-known/openid-configuration", "", "", "*", ""},
		{"API preflight", "OPTIONS", "/", "", "POST", "*", "GET, POST, OPTIONS"},
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, f.url+c.path, strings.NewReader(c.body))
		req.Header.Set("Origin", origin)
		if c.body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if c.preflight != "" {
			req.Header.Set("Access-Control-Request-Method", c.preflight)
			req.Header.Set("Access-Control-Request-Headers", "authorization")
		}
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		if got := h.Get("Access-Control-Allow-Origin"); got != c.wantOrigin {
			t.Errorf("%s: %d, Access-Control-Allow-Origin %q, want %q", c.name, resp.StatusCode, got, c.wantOrigin)
		}
		if got := h.Get("Access-Control-Allow-Methods"); got != c.wantMethods {
			t.Errorf("%s: Access-Control-Allow-Methods %q, want %q", c.name, got, c.wantMethods)
		}
		if c.wantOrigin == origin && (h.Get("Vary") != "Origin" || c.preflight != "" && h.Get("Access-Control-Allow-Headers") != "authorization") {
			t.Errorf("%s: Vary %q, Access-Control-Allow-Headers %q; want Origin and the asked authorization", c.name, h.Get("Vary"), h.Get("Access-Control-Allow-Headers"))
		}
	}
}
