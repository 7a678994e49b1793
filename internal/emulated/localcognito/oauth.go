package localcognito

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// The Cognito domain's OAuth 2.0 and OpenID Connect endpoints
// (https://<prefix>.auth.<region>.amazoncognito.com in AWS), served by the
// pool's own server.
const (
	pathAuthorize = "/oauth2/authorize"
	pathToken     = "/oauth2/token"
	pathRevoke    = "/oauth2/revoke"
	pathUserInfo  = "/oauth2/userInfo"
	pathLogout    = "/logout"
)

// sourceTokenHostedAuth is the trigger source of tokens for a sign-in on the
// domain's pages.
const sourceTokenHostedAuth = "TokenGeneration_HostedAuth"

const (
	// authCodeValidity is how long an authorization code can be exchanged:
	// Cognito's codes last five minutes.
	authCodeValidity = 5 * time.Minute
	// hostedSessionValidity is how long the domain's sign-in cookie keeps
	// a user signed in: one hour in Cognito.
	hostedSessionValidity = time.Hour
	// maxCodesPerSession bounds the codes one signed-in browser can hold
	// unexchanged; the oldest goes first.
	maxCodesPerSession = 16
	// oauthSweepThreshold is the size at which the code and session maps
	// are first swept of expired entries.
	oauthSweepThreshold = 1024
	// maxFormBytes bounds the body of every form the domain accepts.
	maxFormBytes = 64 << 10
	// maxParamLen bounds state and nonce, which a code carries.
	maxParamLen = 2048
)

// sessionCookie holds the domain's sign-in session, as Cognito's "cognito"
// cookie does.
const sessionCookie = "cognito"

// OAuth 2.0 error codes (RFC 6749) and Cognito's own redirect_mismatch.
const (
	oauthInvalidRequest          = "invalid_request"
	oauthInvalidClient           = "invalid_client"
	oauthInvalidGrant            = "invalid_grant"
	oauthUnauthorizedClient      = "unauthorized_client"
	oauthUnsupportedGrantType    = "unsupported_grant_type"
	oauthUnsupportedResponseType = "unsupported_response_type"
	oauthInvalidScope            = "invalid_scope"
	oauthUnsupportedTokenType    = "unsupported_token_type"
	oauthRedirectMismatch        = "redirect_mismatch"
)

// pkcePattern is the shape of a code verifier and of an S256 challenge
// (RFC 7636: 43 to 128 unreserved characters).
var pkcePattern = regexp.MustCompile(`^[A-Za-z0-9\-._~]{43,128}$`)

// oauthGrant is what a code carries into the tokens it is exchanged for.
type oauthGrant struct {
	scopes   []string
	nonce    string
	authTime time.Time
}

// authCode is an authorization code waiting to be exchanged.
type authCode struct {
	clientID    string
	redirectURI string
	challenge   string // S256 code_challenge; empty without PKCE
	username    string
	sub         string
	session     string // the hosted session it was issued in
	grant       oauthGrant
	expires     time.Time
}

// hostedSession is a user signed in on the domain's pages.
type hostedSession struct {
	username string
	sub      string
	authTime time.Time
	expires  time.Time
	codes    []string // unexchanged codes issued in this session, oldest first
}

// oauthState holds the domain's codes and sign-in sessions. Its lock is
// never held together with the pool's.
type oauthState struct {
	mu       sync.Mutex
	codes    map[string]*authCode
	sessions map[string]*hostedSession
	// codeSweepAt and sessionSweepAt are the sizes at which the maps are
	// next swept.
	codeSweepAt, sessionSweepAt int
}

func newOAuthState() oauthState {
	return oauthState{codes: map[string]*authCode{}, sessions: map[string]*hostedSession{}}
}

// hostedSignIn collects the user a hosted-UI sign-in authenticated. The
// pages sign users in through the API's own flows (password check,
// challenges, triggers); with one of these in the context, issueTokens
// records the user instead of signing tokens.
type hostedSignIn struct {
	user *user
}

type hostedSignInKey struct{}

func (h *hostedSignIn) signedIn(u *user) { h.user = u }

func withHostedSignIn(ctx context.Context) (context.Context, *hostedSignIn) {
	h := &hostedSignIn{}
	return context.WithValue(ctx, hostedSignInKey{}, h), h
}

func hostedSignInFrom(ctx context.Context) *hostedSignIn {
	h, _ := ctx.Value(hostedSignInKey{}).(*hostedSignIn)
	return h
}

// isDomainPath reports whether path is served by the pool's domain.
func isDomainPath(path string) bool {
	switch path {
	case pathAuthorize, pathToken, pathRevoke, pathUserInfo, pathLogout,
		pathLogin, pathSignUp, pathConfirmUser, pathForgotPassword, pathConfirmForgotPassword, pathError:
		return true
	}
	return false
}

// serveDomain serves the domain's endpoints and pages.
func (s *Server) serveDomain(w http.ResponseWriter, r *http.Request) {
	if s.domain == "" {
		http.Error(w, "This user pool has no domain, so it serves no OAuth 2.0 endpoints or sign-in pages.", http.StatusNotFound)
		return
	}
	switch r.URL.Path {
	case pathAuthorize:
		s.serveAuthorize(w, r)
	case pathToken:
		s.serveToken(w, r)
	case pathRevoke:
		s.serveRevoke(w, r)
	case pathUserInfo:
		s.serveUserInfo(w, r)
	case pathLogout:
		s.serveLogout(w, r)
	default:
		s.servePage(w, r)
	}
}

// authorizeRequest is a checked authorize request.
type authorizeRequest struct {
	client      *Client
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
func (s *Server) parseAuthorize(q url.Values) (*authorizeRequest, *authorizeFailure) {
	clientID := q.Get("client_id")
	if clientID == "" || len(q["client_id"]) > 1 {
		return nil, &authorizeFailure{status: http.StatusBadRequest, message: "The request has no client_id, or more than one."}
	}
	client, err := s.client(clientID)
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
	case !slices.Contains(client.OAuth.Flows, OAuthFlowCode):
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
		if (sc == ScopeEmail || sc == ScopePhone || sc == ScopeProfile) && !slices.Contains(req.scopes, ScopeOpenID) {
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
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
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
	if sid, sess := s.currentSession(r); sess != nil {
		s.redirectWithCode(w, r, req, sid, sess)
		return
	}
	http.Redirect(w, r, pathLogin+"?"+r.URL.RawQuery, http.StatusFound)
}

func (s *Server) failAuthorize(w http.ResponseWriter, r *http.Request, f *authorizeFailure) {
	if f.redirect != "" {
		http.Redirect(w, r, f.redirect, http.StatusFound)
		return
	}
	s.renderError(w, f.status, f.message)
}

// currentSession is the browser's live sign-in session on the domain.
func (s *Server) currentSession(r *http.Request) (string, *hostedSession) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", nil
	}
	now := s.now()
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	sess := s.oauth.sessions[c.Value]
	if sess == nil || !now.Before(sess.expires) {
		return "", nil
	}
	return c.Value, sess
}

// startSession signs the browser in on the domain.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *user) (string, *hostedSession) {
	now := s.now()
	id := opaqueToken()
	sess := &hostedSession{username: u.username, sub: u.sub(), authTime: now, expires: now.Add(hostedSessionValidity)}
	s.oauth.mu.Lock()
	s.sweepSessions(now)
	s.oauth.sessions[id] = sess
	s.oauth.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		Secure: isHTTPS(r), SameSite: http.SameSiteLaxMode, MaxAge: int(hostedSessionValidity.Seconds()),
	})
	return id, sess
}

// redirectWithCode sends the browser back to the client's callback with a
// new code for the signed-in user.
func (s *Server) redirectWithCode(w http.ResponseWriter, r *http.Request, req *authorizeRequest, sid string, sess *hostedSession) {
	now := s.now()
	code := newUUID()
	c := &authCode{
		clientID:    req.client.ID,
		redirectURI: req.redirectURI,
		challenge:   req.challenge,
		username:    sess.username,
		sub:         sess.sub,
		session:     sid,
		grant:       oauthGrant{scopes: req.scopes, nonce: req.nonce, authTime: sess.authTime},
		expires:     now.Add(authCodeValidity),
	}
	s.oauth.mu.Lock()
	s.sweepCodes(now)
	s.oauth.codes[code] = c
	sess.codes = append(sess.codes, code)
	if len(sess.codes) > maxCodesPerSession {
		delete(s.oauth.codes, sess.codes[0])
		sess.codes = slices.Delete(sess.codes, 0, 1)
	}
	s.oauth.mu.Unlock()
	v := url.Values{"code": {code}}
	if req.state != "" {
		v.Set("state", req.state)
	}
	http.Redirect(w, r, withQuery(req.redirectURI, v), http.StatusFound)
}

// sweepCodes forgets expired codes once enough have piled up, as sweepSRP
// does for SRP challenges. The caller holds s.oauth.mu.
func (s *Server) sweepCodes(now time.Time) {
	if len(s.oauth.codes) < max(s.oauth.codeSweepAt, oauthSweepThreshold) {
		return
	}
	for id, c := range s.oauth.codes {
		if !now.Before(c.expires) {
			s.dropCode(id, c)
		}
	}
	s.oauth.codeSweepAt = 2 * len(s.oauth.codes)
}

// dropCode forgets a code and its place in its session. The caller holds
// s.oauth.mu.
func (s *Server) dropCode(id string, c *authCode) {
	delete(s.oauth.codes, id)
	if sess := s.oauth.sessions[c.session]; sess != nil {
		sess.codes = slices.DeleteFunc(sess.codes, func(x string) bool { return x == id })
	}
}

// sweepSessions forgets expired sign-in sessions once enough have piled
// up. The caller holds s.oauth.mu.
func (s *Server) sweepSessions(now time.Time) {
	if len(s.oauth.sessions) < max(s.oauth.sessionSweepAt, oauthSweepThreshold) {
		return
	}
	for id, sess := range s.oauth.sessions {
		if !now.Before(sess.expires) {
			delete(s.oauth.sessions, id)
		}
	}
	s.oauth.sessionSweepAt = 2 * len(s.oauth.sessions)
}

func isHTTPS(r *http.Request) bool { return r.TLS != nil }

// tokenError is an error of the token and revoke endpoints, in Cognito's
// JSON shape {"error":"invalid_grant"}.
type tokenError struct {
	code   string
	status int
	reason string // logged, not sent: Cognito answers with the code alone
	// basic is set when the client authenticated with HTTP Basic, so an
	// invalid_client answer challenges that scheme (RFC 6749 5.2).
	basic bool
}

func (e *tokenError) Error() string { return e.code + ": " + e.reason }

func tokenFail(code, reason string) *tokenError {
	return &tokenError{code: code, status: http.StatusBadRequest, reason: reason}
}

func (s *Server) writeTokenError(w http.ResponseWriter, r *http.Request, err error) {
	var te *tokenError
	if !errors.As(err, &te) {
		te = tokenFail(oauthInvalidRequest, err.Error())
	}
	s.log.Info("localcognito: OAuth request refused", "path", r.URL.Path, "error", te.code, "reason", te.reason)
	status := te.status
	if te.code == oauthInvalidClient && te.basic {
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Basic realm="`+s.domain+`"`)
	}
	writeOAuthJSON(w, status, map[string]string{"error": te.code})
}

func writeOAuthJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // a write error means the client left
}

// parseTokenForm reads the form body of a token or revoke request. Every
// parameter may appear once.
func parseTokenForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	if r.Method != http.MethodPost {
		return nil, &tokenError{code: oauthInvalidRequest, status: http.StatusMethodNotAllowed, reason: "only POST is supported"}
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "application/x-www-form-urlencoded") {
		return nil, tokenFail(oauthInvalidRequest, "Content-Type must be application/x-www-form-urlencoded, not "+ct)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return nil, tokenFail(oauthInvalidRequest, "form: "+err.Error())
	}
	for k, vs := range r.PostForm {
		if len(vs) > 1 {
			return nil, tokenFail(oauthInvalidRequest, "parameter "+k+" given more than once")
		}
	}
	return r.PostForm, nil
}

// authenticateClient finds the client of a token or revoke request and
// checks its secret, given by HTTP Basic or as client_secret in the body.
// A client without a secret may send an empty one.
func (s *Server) authenticateClient(r *http.Request, form url.Values) (*Client, error) {
	id, secret := form.Get("client_id"), form.Get("client_secret")
	basic := false
	if h := r.Header.Get("Authorization"); h != "" {
		user, pass, ok := r.BasicAuth()
		if !ok {
			return nil, tokenFail(oauthInvalidRequest, "the Authorization header is not HTTP Basic")
		}
		// RFC 6749 2.3.1 form-encodes both before Basic encoding.
		if u, err := url.QueryUnescape(user); err == nil {
			user = u
		}
		if p, err := url.QueryUnescape(pass); err == nil {
			pass = p
		}
		if (id != "" && id != user) || secret != "" {
			return nil, tokenFail(oauthInvalidRequest, "client credentials given both in the Authorization header and in the body")
		}
		id, secret, basic = user, pass, true
	}
	if id == "" {
		return nil, &tokenError{code: oauthInvalidClient, status: http.StatusBadRequest, reason: "no client_id", basic: basic}
	}
	client, err := s.client(id)
	if err != nil {
		return nil, &tokenError{code: oauthInvalidClient, status: http.StatusBadRequest, reason: "client " + id + " does not exist", basic: basic}
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(client.Secret)) != 1 {
		return nil, &tokenError{code: oauthInvalidClient, status: http.StatusBadRequest, reason: "wrong or missing client secret for client " + id, basic: basic}
	}
	return client, nil
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// serveToken answers POST /oauth2/token.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	res, err := s.token(w, r)
	if err != nil {
		s.writeTokenError(w, r, err)
		return
	}
	writeOAuthJSON(w, http.StatusOK, res)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) (tokenResponse, error) {
	form, err := parseTokenForm(w, r)
	if err != nil {
		return tokenResponse{}, err
	}
	grantType := form.Get("grant_type")
	if grantType == "" {
		return tokenResponse{}, tokenFail(oauthInvalidRequest, "grant_type is required")
	}
	client, err := s.authenticateClient(r, form)
	if err != nil {
		return tokenResponse{}, err
	}
	if len(client.OAuth.Flows) == 0 {
		return tokenResponse{}, tokenFail(oauthUnauthorizedClient, "the client may use no OAuth flow (AllowedOAuthFlowsUserPoolClient is false)")
	}
	switch grantType {
	case "authorization_code":
		return s.exchangeCode(r.Context(), client, form)
	case "refresh_token":
		return s.refreshGrant(r.Context(), client, form)
	case "client_credentials":
		return tokenResponse{}, tokenFail(oauthUnauthorizedClient, "the client may not use the client credentials grant")
	default:
		return tokenResponse{}, tokenFail(oauthUnsupportedGrantType, "grant_type "+grantType+" is not supported")
	}
}

// exchangeCode redeems an authorization code. A code is used once: it is
// forgotten at its first exchange by its client, right or wrong.
func (s *Server) exchangeCode(ctx context.Context, client *Client, form url.Values) (tokenResponse, error) {
	code, redirectURI, verifier := form.Get("code"), form.Get("redirect_uri"), form.Get("code_verifier")
	if code == "" {
		return tokenResponse{}, tokenFail(oauthInvalidRequest, "code is required")
	}
	if redirectURI == "" {
		return tokenResponse{}, tokenFail(oauthInvalidRequest, "redirect_uri is required")
	}
	now := s.now()
	s.oauth.mu.Lock()
	c := s.oauth.codes[code]
	if c != nil && c.clientID == client.ID {
		s.dropCode(code, c)
	}
	s.oauth.mu.Unlock()
	switch {
	case c == nil:
		return tokenResponse{}, tokenFail(oauthInvalidGrant, "unknown or used code")
	case c.clientID != client.ID:
		return tokenResponse{}, tokenFail(oauthInvalidGrant, "the code was issued to another client")
	case !now.Before(c.expires):
		return tokenResponse{}, tokenFail(oauthInvalidGrant, "the code has expired")
	case c.redirectURI != redirectURI:
		return tokenResponse{}, tokenFail(oauthInvalidGrant, "redirect_uri differs from the authorize request's")
	case c.challenge != "" && verifier == "":
		return tokenResponse{}, tokenFail(oauthInvalidRequest, "code_verifier is required")
	case c.challenge != "" && !verifies(verifier, c.challenge):
		return tokenResponse{}, tokenFail(oauthInvalidGrant, "code_verifier does not match code_challenge")
	}
	snap := s.users.find(bySub(c.username, c.sub))
	if snap == nil || snap.disabled {
		return tokenResponse{}, tokenFail(oauthInvalidGrant, "the user no longer exists or is disabled")
	}
	res, err := s.issue(ctx, client, snap, sourceTokenHostedAuth, nil, nil, &c.grant)
	if err != nil {
		return tokenResponse{}, tokenFail(oauthInvalidRequest, "tokens: "+err.Error())
	}
	out := tokenResponse{
		AccessToken:  res.AccessToken,
		RefreshToken: res.RefreshToken,
		TokenType:    "Bearer",
		ExpiresIn:    res.ExpiresIn,
	}
	if slices.Contains(c.grant.scopes, ScopeOpenID) {
		out.IDToken = res.IDToken
	}
	return out, nil
}

// atHash is the at_hash claim of an RS256 ID token: the left half of the
// SHA-256 of the access token, base64url without padding.
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// verifies checks a PKCE code verifier against an S256 challenge.
func verifies(verifier, challenge string) bool {
	if !pkcePattern.MatchString(verifier) {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// refreshGrant refreshes a session through the API's own refresh flow; the
// client has already proven its secret, so the SECRET_HASH that flow wants
// is computed here.
func (s *Server) refreshGrant(ctx context.Context, client *Client, form url.Values) (tokenResponse, error) {
	token := form.Get("refresh_token")
	if token == "" {
		return tokenResponse{}, tokenFail(oauthInvalidRequest, "refresh_token is required")
	}
	rt, _, known := s.users.refreshSession(token)
	if !known {
		return tokenResponse{}, tokenFail(oauthInvalidGrant, "unknown refresh token")
	}
	username := rt.username
	openid := rt.scopes == nil || slices.Contains(rt.scopes, ScopeOpenID)
	params := map[string]string{"REFRESH_TOKEN": token}
	if client.Secret != "" {
		params["SECRET_HASH"] = SecretHash(client.ID, client.Secret, username)
	}
	out, err := s.refreshAuth(ctx, client, params, nil)
	if err != nil {
		return tokenResponse{}, tokenFail(oauthInvalidGrant, err.Error())
	}
	res := out.AuthenticationResult
	tr := tokenResponse{AccessToken: res.AccessToken, TokenType: "Bearer", ExpiresIn: res.ExpiresIn}
	if openid {
		tr.IDToken = res.IDToken
	}
	return tr, nil
}

// serveRevoke answers POST /oauth2/revoke through the RevokeToken
// operation.
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request) {
	form, err := parseTokenForm(w, r)
	if err != nil {
		s.writeTokenError(w, r, err)
		return
	}
	token := form.Get("token")
	if token == "" {
		s.writeTokenError(w, r, tokenFail(oauthInvalidRequest, "token is required"))
		return
	}
	client, err := s.authenticateClient(r, form)
	if err != nil {
		s.writeTokenError(w, r, err)
		return
	}
	_, err = s.revokeToken(r.Context(), revokeTokenInput{Token: token, ClientID: client.ID, ClientSecret: client.Secret})
	var oe *opError
	switch {
	case err == nil:
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
	case errors.As(err, &oe) && oe.Type == errUnsupportedTokenType:
		s.writeTokenError(w, r, tokenFail(oauthUnsupportedTokenType, oe.Message))
	default:
		s.writeTokenError(w, r, tokenFail(oauthInvalidRequest, err.Error()))
	}
}

// serveLogout answers GET /logout: it ends the browser's sign-in session
// and sends it to a registered logout URL, or, given redirect_uri and
// response_type instead, to the sign-in page.
func (s *Server) serveLogout(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		http.Error(w, "The logout endpoint supports only GET.", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	clientID := q.Get("client_id")
	client, err := s.client(clientID)
	if clientID == "" || err != nil {
		s.renderError(w, http.StatusBadRequest, "The logout request needs the client_id of an app client of this pool.")
		return
	}
	var next string
	switch logoutURI := q.Get("logout_uri"); {
	case logoutURI != "":
		if !slices.Contains(client.OAuth.LogoutURLs, logoutURI) {
			http.Redirect(w, r, pathError+"?"+url.Values{"error": {oauthRedirectMismatch}, "client_id": {clientID}}.Encode(), http.StatusFound)
			return
		}
		next = logoutURI
	case q.Get("redirect_uri") != "":
		if _, failure := s.parseAuthorize(q); failure != nil {
			s.failAuthorize(w, r, failure)
			return
		}
		next = pathLogin + "?" + r.URL.RawQuery
	default:
		s.renderError(w, http.StatusBadRequest, "The logout request needs a logout_uri, or a redirect_uri and response_type.")
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.oauth.mu.Lock()
		if sess := s.oauth.sessions[c.Value]; sess != nil {
			for _, code := range sess.codes {
				delete(s.oauth.codes, code)
			}
			delete(s.oauth.sessions, c.Value)
		}
		s.oauth.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: isHTTPS(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, next, http.StatusFound)
}

// serveUserInfo answers GET and POST /oauth2/userInfo with the attributes
// the access token's scopes release. Errors are in WWW-Authenticate, as
// Cognito and RFC 6750 give them.
func (s *Server) serveUserInfo(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, code, description string) {
		w.Header().Set("WWW-Authenticate", `error="`+code+`", error_description="`+description+`"`)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		fail(http.StatusBadRequest, oauthInvalidRequest, "Bad OAuth2 request at UserInfo Endpoint")
		return
	}
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(raw) == "" {
		fail(http.StatusBadRequest, oauthInvalidRequest, "Bad OAuth2 request at UserInfo Endpoint")
		return
	}
	c, err := s.checkAccessToken(strings.TrimSpace(raw))
	if err != nil {
		fail(http.StatusUnauthorized, "invalid_token", "Access token is expired, disabled, or deleted, or the user has globally signed out.")
		return
	}
	scopes := strings.Fields(c.Scope)
	if !slices.Contains(scopes, ScopeOpenID) {
		fail(http.StatusForbidden, "insufficient_scope", "The access token has no openid scope.")
		return
	}
	client, err := s.client(c.ClientID)
	if err != nil {
		fail(http.StatusUnauthorized, "invalid_token", "Access token is expired, disabled, or deleted, or the user has globally signed out.")
		return
	}
	snap := s.users.find(bySub(c.Username, c.Sub))
	if snap == nil {
		fail(http.StatusUnauthorized, "invalid_token", "Access token is expired, disabled, or deleted, or the user has globally signed out.")
		return
	}
	// Attribute values as stored: Cognito's userInfo gives the verified
	// flags as the strings "true" and "false".
	out := map[string]string{attrSub: snap.sub(), "username": snap.username}
	for name, value := range snap.attrs {
		if name != attrSub && client.canRead(name) && scopesRelease(scopes, name) {
			out[name] = value
		}
	}
	writeOAuthJSON(w, http.StatusOK, out)
}

// profileAttributes are what the profile scope releases besides custom
// attributes.
var profileAttributes = []string{
	"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
	"profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at", "address",
}

// scopesRelease reports whether a session with these scopes sees attribute
// name in its ID token and at userInfo: openid alone releases every
// attribute the client can read; with email, phone or profile, only what
// those scopes cover.
func scopesRelease(scopes []string, name string) bool {
	email, phone, profile := slices.Contains(scopes, ScopeEmail), slices.Contains(scopes, ScopePhone), slices.Contains(scopes, ScopeProfile)
	if !email && !phone && !profile {
		return true
	}
	switch {
	case email && (name == attrEmail || name == attrEmailVerified):
		return true
	case phone && (name == attrPhone || name == attrPhoneVerified):
		return true
	case profile && (slices.Contains(profileAttributes, name) || strings.HasPrefix(name, "custom:")):
		return true
	}
	return false
}
