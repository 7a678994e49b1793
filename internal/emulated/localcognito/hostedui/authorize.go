package hostedui

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localcognito"
	"github.com/portcullis-cdk/portcullis/internal/protocol/uuid"
)

// authorizeRequest is a checked authorize request.
type authorizeRequest struct {
	client      *localcognito.Client
	redirectURI string
	state       string
	nonce       string
	challenge   string
	scopes      []string
	// query is the request's query, which the sign-in pages carry along.
	query url.Values
}

// authorizeFailure is why an authorize request cannot go on: either a
// redirect (to the client's callback with an error, or to Cognito's error
// page for a callback that is not registered) or an error page.
type authorizeFailure struct {
	redirect string
	status   int
	message  string
}

// parseAuthorize checks the parameters of an authorize request, which the
// sign-in pages carry in their query, in the order Cognito does: the
// client and callback first, since errors can only be redirected to a
// registered callback.
func (s *Handler) parseAuthorize(q url.Values) (*authorizeRequest, *authorizeFailure) {
	clientID := q.Get("client_id")
	if clientID == "" || len(q["client_id"]) > 1 {
		return nil, &authorizeFailure{status: http.StatusBadRequest, message: "The request has no client_id, or more than one."}
	}
	client, err := s.pool.Client(clientID)
	if err != nil {
		return nil, &authorizeFailure{status: http.StatusBadRequest, message: "Client " + clientID + " does not exist."}
	}
	redirectURI := q.Get("redirect_uri")
	if len(q["redirect_uri"]) != 1 || !slices.Contains(client.OAuth.CallbackURLs, redirectURI) {
		return nil, &authorizeFailure{redirect: pathError + "?" + url.Values{"error": {oauthRedirectMismatch}, "client_id": {clientID}}.Encode()}
	}
	req := &authorizeRequest{client: client, redirectURI: redirectURI, state: q.Get("state"), query: q}
	fail := func(code, description string) (*authorizeRequest, *authorizeFailure) {
		return nil, &authorizeFailure{redirect: req.errorRedirect(code, description)}
	}
	for k, vs := range q {
		if len(vs) > 1 {
			return fail(oauthInvalidRequest, "parameter "+k+" given more than once")
		}
	}
	if len(req.state) > maxParamLen {
		req.state = ""
		return fail(oauthInvalidRequest, "state is too long")
	}
	switch rt := q.Get("response_type"); {
	case rt == "":
		return fail(oauthInvalidRequest, "response_type is required")
	case rt == "token":
		// The implicit grant exists in Cognito, but no client of this
		// pool may use it.
		return fail(oauthUnauthorizedClient, "the client may not use the implicit grant")
	case rt != "code":
		return fail(oauthUnsupportedResponseType, "response_type must be code")
	case !slices.Contains(client.OAuth.Flows, localcognito.OAuthFlowCode):
		return fail(oauthUnauthorizedClient, "the client may not use the authorization code grant")
	}
	req.scopes = strings.Fields(q.Get("scope"))
	if len(req.scopes) == 0 {
		// Without a scope, Cognito grants every scope of the client.
		req.scopes = slices.Clone(client.OAuth.Scopes)
	}
	req.scopes = dedupe(req.scopes)
	for _, sc := range req.scopes {
		if !slices.Contains(client.OAuth.Scopes, sc) {
			return fail(oauthInvalidScope, "scope "+sc+" is not allowed for the client")
		}
		if (sc == localcognito.ScopeEmail || sc == localcognito.ScopePhone || sc == localcognito.ScopeProfile) && !slices.Contains(req.scopes, localcognito.ScopeOpenID) {
			return fail(oauthInvalidScope, "scope "+sc+" requires openid")
		}
	}
	req.nonce = q.Get("nonce")
	if len(req.nonce) > maxParamLen {
		return fail(oauthInvalidRequest, "nonce is too long")
	}
	req.challenge = q.Get("code_challenge")
	method := q.Get("code_challenge_method")
	switch {
	case req.challenge == "" && method != "":
		return fail(oauthInvalidRequest, "code_challenge_method without code_challenge")
	case req.challenge == "" && client.OAuth.RequirePKCE:
		return fail(oauthInvalidRequest, "the client requires PKCE: code_challenge and code_challenge_method=S256")
	case req.challenge != "" && method != "S256":
		return fail(oauthInvalidRequest, "code_challenge_method must be S256")
	case req.challenge != "" && !pkcePattern.MatchString(req.challenge):
		return fail(oauthInvalidRequest, "code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~")
	}
	return req, nil
}

// errorRedirect is the callback URL carrying an authorize error.
func (req *authorizeRequest) errorRedirect(code, description string) string {
	v := url.Values{"error": {code}, "error_description": {description}}
	if req.state != "" {
		v.Set("state", req.state)
	}
	return withQuery(req.redirectURI, v)
}

// withQuery adds v to the query of a registered callback URL.
func withQuery(base string, v url.Values) string {
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + v.Encode()
}

func dedupe(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// serveAuthorize answers GET /oauth2/authorize: a browser already signed
// in on the domain goes straight back to the callback with a code, any
// other to the sign-in page with the same parameters.
func (s *Handler) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		http.Error(w, "The authorize endpoint supports only GET.", http.StatusMethodNotAllowed)
		return
	}
	req, failure := s.parseAuthorize(r.URL.Query())
	if failure != nil {
		s.failAuthorize(w, r, failure)
		return
	}
	if sid, sess, ok := s.currentSession(r); ok {
		s.redirectWithCode(w, r, req, sid, sess)
		return
	}
	http.Redirect(w, r, pathLogin+"?"+r.URL.RawQuery, http.StatusFound)
}

func (s *Handler) failAuthorize(w http.ResponseWriter, r *http.Request, f *authorizeFailure) {
	if f.redirect != "" {
		http.Redirect(w, r, f.redirect, http.StatusFound)
		return
	}
	s.renderError(w, f.status, f.message)
}

// currentSession is the browser's live sign-in session on the domain.
func (s *Handler) currentSession(r *http.Request) (string, hostedSession, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", hostedSession{}, false
	}
	sess, ok := s.state.session(c.Value, s.pool.Now())
	return c.Value, sess, ok
}

// startSession signs the browser in on the domain.
func (s *Handler) startSession(w http.ResponseWriter, r *http.Request, u localcognito.Identity) (string, hostedSession) {
	now := s.pool.Now()
	u.AuthTime = now
	sess := hostedSession{user: u, expires: now.Add(hostedSessionValidity)}
	id := s.state.startSession(sess, now)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		Secure: isHTTPS(r), SameSite: http.SameSiteLaxMode, MaxAge: int(hostedSessionValidity.Seconds()),
	})
	return id, sess
}

// redirectWithCode sends the browser back to the client's callback with a
// new code for the signed-in user.
func (s *Handler) redirectWithCode(w http.ResponseWriter, r *http.Request, req *authorizeRequest, sid string, sess hostedSession) {
	now := s.pool.Now()
	code := uuid.New()
	s.state.addCode(code, authCode{
		clientID:    req.client.ID,
		redirectURI: req.redirectURI,
		challenge:   req.challenge,
		user:        sess.user,
		session:     sid,
		grant:       localcognito.Grant{Scopes: req.scopes, Nonce: req.nonce, AuthTime: sess.user.AuthTime},
		expires:     now.Add(authCodeValidity),
	}, now)
	v := url.Values{"code": {code}}
	if req.state != "" {
		v.Set("state", req.state)
	}
	http.Redirect(w, r, withQuery(req.redirectURI, v), http.StatusFound)
}
