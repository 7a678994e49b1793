package hostedui

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localcognito"
	"github.com/portcullis-cdk/portcullis/internal/protocol/awsjson"
)

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

func (s *Handler) writeTokenError(w http.ResponseWriter, r *http.Request, err error) {
	var te *tokenError
	if !errors.As(err, &te) {
		te = tokenFail(oauthInvalidRequest, err.Error())
	}
	s.log.Info("hostedui: OAuth request refused", "path", r.URL.Path, "error", te.code, "reason", te.reason)
	status := te.status
	if te.code == oauthInvalidClient && te.basic {
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Basic realm="`+s.pool.Domain()+`"`)
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
func (s *Handler) authenticateClient(r *http.Request, form url.Values) (*localcognito.Client, error) {
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
	client, err := s.pool.Client(id)
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
func (s *Handler) serveToken(w http.ResponseWriter, r *http.Request) {
	res, err := s.token(w, r)
	if err != nil {
		s.writeTokenError(w, r, err)
		return
	}
	writeOAuthJSON(w, http.StatusOK, res)
}

func (s *Handler) token(w http.ResponseWriter, r *http.Request) (tokenResponse, error) {
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
func (s *Handler) exchangeCode(ctx context.Context, client *localcognito.Client, form url.Values) (tokenResponse, error) {
	code, redirectURI, verifier := form.Get("code"), form.Get("redirect_uri"), form.Get("code_verifier")
	if code == "" {
		return tokenResponse{}, tokenFail(oauthInvalidRequest, "code is required")
	}
	if redirectURI == "" {
		return tokenResponse{}, tokenFail(oauthInvalidRequest, "redirect_uri is required")
	}
	now := s.pool.Now()
	c, known := s.state.takeCode(code, client.ID)
	switch {
	case !known:
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
	res, err := s.pool.IssueTokens(ctx, client, c.user, c.grant)
	if errors.Is(err, localcognito.ErrUserGone) {
		return tokenResponse{}, tokenFail(oauthInvalidGrant, err.Error())
	}
	if err != nil {
		return tokenResponse{}, tokenFail(oauthInvalidRequest, "tokens: "+err.Error())
	}
	out := tokenResponse{
		AccessToken:  res.AccessToken,
		RefreshToken: res.RefreshToken,
		TokenType:    "Bearer",
		ExpiresIn:    res.ExpiresIn,
	}
	if slices.Contains(c.grant.Scopes, localcognito.ScopeOpenID) {
		out.IDToken = res.IDToken
	}
	return out, nil
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

// refreshGrant refreshes a session through the API's own refresh flow (the
// client has proven its secret, so the pool computes the SECRET_HASH that
// flow wants).
func (s *Handler) refreshGrant(ctx context.Context, client *localcognito.Client, form url.Values) (tokenResponse, error) {
	token := form.Get("refresh_token")
	if token == "" {
		return tokenResponse{}, tokenFail(oauthInvalidRequest, "refresh_token is required")
	}
	res, err := s.pool.RefreshTokens(ctx, client, token)
	if err != nil {
		return tokenResponse{}, tokenFail(oauthInvalidGrant, err.Error())
	}
	tr := tokenResponse{AccessToken: res.AccessToken, TokenType: "Bearer", ExpiresIn: res.ExpiresIn}
	// A session started through the API, or on the domain with openid,
	// gets its ID token.
	if res.Scopes == nil || slices.Contains(res.Scopes, localcognito.ScopeOpenID) {
		tr.IDToken = res.IDToken
	}
	return tr, nil
}

// serveRevoke answers POST /oauth2/revoke through the RevokeToken
// operation.
func (s *Handler) serveRevoke(w http.ResponseWriter, r *http.Request) {
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
	err = s.pool.RevokeToken(r.Context(), client, token)
	var oe *awsjson.Error
	switch {
	case err == nil:
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
	case errors.As(err, &oe) && oe.Type == localcognito.TypeUnsupportedTokenType:
		s.writeTokenError(w, r, tokenFail(oauthUnsupportedTokenType, oe.Message))
	default:
		s.writeTokenError(w, r, tokenFail(oauthInvalidRequest, err.Error()))
	}
}

// serveLogout answers GET /logout: it ends the browser's sign-in session
// and sends it to a registered logout URL, or, given redirect_uri and
// response_type instead, to the sign-in page.
func (s *Handler) serveLogout(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		http.Error(w, "The logout endpoint supports only GET.", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	clientID := q.Get("client_id")
	client, err := s.pool.Client(clientID)
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
		s.state.endSession(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: isHTTPS(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, next, http.StatusFound)
}

// serveUserInfo answers GET and POST /oauth2/userInfo with the attributes
// the access token's scopes release. Errors are in WWW-Authenticate, as
// Cognito and RFC 6750 give them.
func (s *Handler) serveUserInfo(w http.ResponseWriter, r *http.Request) {
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
	out, err := s.pool.UserInfo(strings.TrimSpace(raw))
	switch {
	case errors.Is(err, localcognito.ErrInsufficientScope):
		fail(http.StatusForbidden, "insufficient_scope", "The access token has no openid scope.")
		return
	case err != nil:
		fail(http.StatusUnauthorized, "invalid_token", "Access token is expired, disabled, or deleted, or the user has globally signed out.")
		return
	}
	writeOAuthJSON(w, http.StatusOK, out)
}
