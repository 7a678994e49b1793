package devstack

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/internal/smoke"
)

// TestHostedUIOnTheLocalStack signs the stack's test user in on the
// domain the template declares, with the SPA client (code + PKCE) and the
// server client (HTTP Basic secret), and calls the API with the access
// tokens: the template's callback URLs, scopes and resource server are in
// force, and the SPA client gets no code without PKCE. Each asks for two
// of the API's scopes (the SPA also for aws.cognito.signin.user.admin, as
// the web app does): the tokens carry those two and no other (GET /photos
// is 403).
func TestHostedUIOnTheLocalStack(t *testing.T) {
	s, _, _ := startSignedIn(t, Options{Template: golden})
	if s.Info.CognitoDomain != "portcullis-dev" || s.Info.CognitoDomainURL == "" || s.Info.SPACallbackURL == "" {
		t.Fatalf("stack info: domain %q at %q, SPA callback %q", s.Info.CognitoDomain, s.Info.CognitoDomainURL, s.Info.SPACallbackURL)
	}
	ctx := context.Background()
	scopes := []string{"openid", "email", "portcullis/profile.read", "portcullis/todos.read"}
	if s.Info.ServerCallbackURL == "" || s.Info.ServerCallbackURL == s.Info.SPACallbackURL {
		t.Fatalf("server client callback %q: want its own, not the SPA's %q", s.Info.ServerCallbackURL, s.Info.SPACallbackURL)
	}
	for _, c := range []struct {
		name, id, secret, redirect string
		scopes                     []string
	}{
		{"SPA", s.Info.SPAClientID, "", s.Info.SPACallbackURL, append([]string{"aws.cognito.signin.user.admin"}, scopes...)},
		{"server", s.Info.ServerClientID, s.Info.ServerClientSecret, s.Info.ServerCallbackURL, scopes},
	} {
		h := smoke.HostedUI{Issuer: s.Info.Issuer, ClientID: c.id, ClientSecret: c.secret, RedirectURL: c.redirect, Scopes: c.scopes}
		session, err := h.SignIn(ctx, s.Info.TestUser.Username, s.Info.TestUser.Password)
		if err != nil {
			t.Fatalf("%s client: %v", c.name, err)
		}
		for path, want := range map[string]int{"/me": 200, "/todos": 200, "/photos": 403} {
			req, _ := http.NewRequest("GET", s.Info.APIURL+path, nil)
			req.Header.Set("Authorization", "Bearer "+session.Access)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("%s client: GET %s with the hosted UI's access token: %d, want %d", c.name, path, resp.StatusCode, want)
			}
		}
	}

	// Without a code_challenge the SPA client is sent back with an error.
	q := url.Values{"response_type": {"code"}, "client_id": {s.Info.SPAClientID}, "redirect_uri": {s.Info.SPACallbackURL}, "scope": {"openid"}}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(s.Info.CognitoDomainURL + "/oauth2/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, s.Info.SPACallbackURL+"?") || !strings.Contains(loc, "error=invalid_request") {
		t.Errorf("authorize without PKCE: %d %s, want the callback with invalid_request", resp.StatusCode, loc)
	}

	// The local web app's own origin, once added, is a callback too.
	q.Set("redirect_uri", "http://localhost:4321/callback")
	q.Set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
	q.Set("code_challenge_method", "S256")
	authorize := s.Info.CognitoDomainURL + "/oauth2/authorize?" + q.Encode()
	for _, add := range []bool{false, true} {
		if add {
			if err := s.AddAppOrigin("http://localhost:4321"); err != nil {
				t.Fatal(err)
			}
		}
		resp, err := noFollow.Get(authorize)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		toLogin := strings.HasPrefix(resp.Header.Get("Location"), "/login?")
		if toLogin != add {
			t.Errorf("origin added %v: authorize went to %s", add, resp.Header.Get("Location"))
		}
	}
}
