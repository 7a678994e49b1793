package smoke

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/portcullis-cdk/portcullis/contract/routes"
)

// HostedUI is a stage's Cognito domain and an app client that signs users
// in through it with the authorization code grant and PKCE, as the SPA
// does.
type HostedUI struct {
	// Issuer is the user pool's issuer, where OIDC discovery finds the
	// domain's endpoints.
	Issuer string
	// ClientID and ClientSecret (empty for a public client) of the app
	// client; RedirectURL one of its callback URLs.
	ClientID, ClientSecret string
	RedirectURL            string
	Scopes                 []string
	// Now is the stage's clock, for the ID token's expiry; nil means
	// time.Now.
	Now func() time.Time
	// HTTP is the client the exchange and discovery use; nil means a
	// client with a 30s timeout. The sign-in pages get their own client
	// with a cookie jar on the same transport.
	HTTP *http.Client
	// TOTP answers the sign-in page's authenticator steps (enrolling at
	// the first sign-in where MFA is required, a code at the next) with
	// the secrets it enrolled; nil means a sign-in that asks for a code
	// fails.
	TOTP *Authenticator
}

// HostedUISession is the outcome of a hosted UI sign-in.
type HostedUISession struct {
	Tokens
	// IDToken is the verified ID token, its nonce checked.
	IDToken *oidc.IDToken
	// Scopes are the access token's scope claim.
	Scopes []string
}

var (
	errorBlock = regexp.MustCompile(`(?s)id="(?:error|loginErrorMessage)"[^>]*>([^<]*)<`)
)

// The sign-in page's challenge form: the challenge it answers, the secret
// of an authenticator to enrol, and the field of the code.
const (
	fieldChallenge = "_challenge"
	fieldSecret    = "_secret"
	fieldTOTPCode  = "totp_code"
)

// SignIn walks the hosted UI as a browser would: the authorize URL with
// an S256 challenge, state and nonce, the sign-in form of the classic
// hosted UI (fields _csrf, username, password), the redirect to the
// callback; then exchanges the code with the verifier and verifies the
// ID token against the pool's JWKS.
func (h HostedUI) SignIn(ctx context.Context, username, password string) (HostedUISession, error) {
	base := h.HTTP
	if base == nil {
		base = &http.Client{Timeout: 30 * time.Second}
	}
	ctx = oidc.ClientContext(ctx, base)
	provider, err := oidc.NewProvider(ctx, h.Issuer)
	if err != nil {
		return HostedUISession{}, fmt.Errorf("OIDC discovery: %w", err)
	}
	cfg := oauth2.Config{
		ClientID: h.ClientID, ClientSecret: h.ClientSecret, Endpoint: provider.Endpoint(),
		RedirectURL: h.RedirectURL, Scopes: h.Scopes,
	}
	if h.ClientSecret != "" {
		cfg.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	}
	verifier, state, nonce := oauth2.GenerateVerifier(), randomHex(16), randomHex(16)
	authURL := cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce))

	code, err := h.browse(ctx, base, authURL, state, username, password)
	if err != nil {
		return HostedUISession{}, err
	}
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return HostedUISession{}, fmt.Errorf("code exchange: %w", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	now := h.Now
	if now == nil {
		now = time.Now
	}
	idToken, err := provider.Verifier(&oidc.Config{ClientID: h.ClientID, Now: now}).Verify(ctx, rawID)
	if err != nil {
		return HostedUISession{}, fmt.Errorf("ID token: %w", err)
	}
	if idToken.Nonce != nonce {
		return HostedUISession{}, fmt.Errorf("ID token nonce %q, want the authorize request's %q", idToken.Nonce, nonce)
	}
	scope, err := claim(tok.AccessToken, "scope")
	if err != nil {
		return HostedUISession{}, fmt.Errorf("access token: %w", err)
	}
	return HostedUISession{
		Tokens:  Tokens{Access: tok.AccessToken, ID: rawID, Refresh: tok.RefreshToken},
		IDToken: idToken,
		Scopes:  strings.Fields(scope),
	}, nil
}

// browse signs in on the hosted UI pages and returns the code the callback
// receives.
func (h HostedUI) browse(ctx context.Context, base *http.Client, authURL, state, username, password string) (string, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return "", err
	}
	var landed *url.URL
	browser := &http.Client{
		Transport: base.Transport,
		Timeout:   base.Timeout,
		Jar:       jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), h.RedirectURL) {
				landed = req.URL
				return http.ErrUseLastResponse
			}
			if len(via) > 10 {
				return errors.New("more than 10 redirects")
			}
			return nil
		},
	}
	page, body, err := fetch(ctx, browser, http.MethodGet, authURL, nil)
	if err != nil {
		return "", err
	}
	if landed == nil {
		csrf := hiddenFields(body).Get("_csrf")
		if csrf == "" {
			return "", fmt.Errorf("authorize led to %s (%d) without a sign-in form", page.Request.URL, page.StatusCode)
		}
		form := url.Values{"_csrf": {csrf}, "username": {username}, "password": {password}, "signInSubmitButton": {"Sign in"}}
		page, body, err = fetch(ctx, browser, http.MethodPost, page.Request.URL.String(), form)
		if err != nil {
			return "", err
		}
	}
	for step := 0; landed == nil && step < 2; step++ {
		form, err := h.answer(ctx, body, username)
		if err != nil {
			return "", err
		}
		if form == nil {
			break
		}
		if page, body, err = fetch(ctx, browser, http.MethodPost, page.Request.URL.String(), form); err != nil {
			return "", err
		}
	}
	if landed == nil {
		msg := "no message"
		if m := errorBlock.FindStringSubmatch(body); m != nil {
			msg = strings.TrimSpace(html.UnescapeString(m[1]))
		}
		return "", fmt.Errorf("the sign-in form did not lead to the callback: %d at %s: %s", page.StatusCode, page.Request.URL.Path, msg)
	}
	q := landed.Query()
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("the callback got error %s: %s", e, q.Get("error_description"))
	}
	if q.Get("state") != state {
		return "", fmt.Errorf("the callback's state %q is not the authorize request's", q.Get("state"))
	}
	if q.Get("code") == "" {
		return "", errors.New("the callback got no code")
	}
	return q.Get("code"), nil
}

// answer fills in the challenge form on a sign-in page, if the page is
// one: an authenticator code, enrolling the secret the page shows first
// where it asks to set one up. The form is nil on any other page.
func (h HostedUI) answer(ctx context.Context, body, username string) (url.Values, error) {
	form := hiddenFields(body)
	var code string
	var err error
	switch challenge := form.Get(fieldChallenge); challenge {
	case "":
		return nil, nil
	case "SOFTWARE_TOKEN_MFA", "MFA_SETUP":
		if h.TOTP == nil {
			return nil, fmt.Errorf("the sign-in page asks for an authenticator code (%s), and no authenticator was given", challenge)
		}
		if challenge == "MFA_SETUP" {
			code, err = h.TOTP.enrolCode(ctx, username, form.Get(fieldSecret))
		} else {
			code, err = h.TOTP.code(ctx, username)
		}
	default:
		return nil, fmt.Errorf("the sign-in page asks for %s, which the smoke run does not answer", challenge)
	}
	if err != nil {
		return nil, err
	}
	form.Set(fieldTOTPCode, code)
	form.Set("challengeSubmitButton", "Continue")
	return form, nil
}

func fetch(ctx context.Context, c *http.Client, method, u string, form url.Values) (*http.Response, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("%s %s: %w", method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, string(b), err
}

// hostedUI signs a in on the hosted UI with the code grant and PKCE, and
// calls the API with the access token: a route of a requested scope
// answers, one of a scope not requested is refused.
func (r *run) hostedUI(a *user) {
	r.check("user A signs in on the hosted UI (code + PKCE): ID token verified with its nonce, access token on the API", func() error {
		if r.t.HostedUI == nil {
			return errSkip{"no hosted UI configured for this target"}
		}
		h := *r.t.HostedUI
		h.HTTP = r.t.HTTP
		h.Now = func() time.Time { return time.Now().Add(r.skew) }
		h.Scopes = []string{"openid", "email", routes.FullScope(routes.ProfileRead)}
		s, err := h.SignIn(r.ctx, a.email, a.password)
		if err != nil {
			return err
		}
		r.record("access token", s.Access)
		r.record("ID token", s.ID)
		r.record("refresh token", s.Refresh)
		if s.IDToken.Subject != a.sub {
			return fmt.Errorf("ID token sub %s, want %s", s.IDToken.Subject, a.sub)
		}
		if !slices.Equal(s.Scopes, h.Scopes) {
			return fmt.Errorf("access token scopes %v, want the requested %v", s.Scopes, h.Scopes)
		}
		res, err := r.api("GET", "/me", s.Access, nil)
		if err != nil {
			return err
		}
		if err := want(res, 200); err != nil {
			return fmt.Errorf("GET /me: %w", err)
		}
		if res, err = r.api("GET", "/todos", s.Access, nil); err != nil {
			return err
		}
		return want(res, 403)
	})
}
