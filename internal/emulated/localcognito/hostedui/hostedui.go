// Package hostedui is the domain of a local user pool
// (https://<prefix>.auth.<region>.amazoncognito.com in AWS): the OAuth 2.0
// and OpenID Connect endpoints (authorize, token, revoke, userInfo,
// logout) and the sign-in pages of Cognito's classic hosted UI (sign-in
// with its challenges, sign-up, confirmation, password reset).
//
// It keeps only what a domain keeps (authorization codes and the sign-in
// cookie's sessions) and signs users in, up and out through the operations
// package localcognito exports for it, so a page behaves as the API does:
// the same password checks, challenges, limits and triggers. Tokens come
// from the token endpoint, with the scopes the authorize request asked.
package hostedui

import (
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localcognito"
)

const (
	// authCodeValidity is how long an authorization code can be exchanged:
	// Cognito's codes last five minutes.
	authCodeValidity = 5 * time.Minute
	// hostedSessionValidity is how long the domain's sign-in cookie keeps
	// a user signed in: one hour in Cognito.
	hostedSessionValidity = time.Hour
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

// Handler serves a pool's domain in front of the pool: the domain's paths
// here, every other request (the API, the JWKS, the discovery document) by
// the pool.
type Handler struct {
	pool  *localcognito.Server
	log   *slog.Logger
	state *codeStore
}

// New puts the domain of pool in front of it. A pool without a domain
// answers the domain's paths with 404, as Cognito serves no endpoints for
// a pool without one.
func New(pool *localcognito.Server) *Handler {
	return &Handler{pool: pool, log: pool.Logger(), state: newCodeStore()}
}

// ServeHTTP serves the domain's endpoints and pages, with the domain's
// CORS (not the pool API's), and passes everything else to the pool.
func (s *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !isDomainPath(r.URL.Path) {
		s.pool.ServeHTTP(w, r)
		return
	}
	setCORS(w.Header(), r)
	if r.Method == http.MethodOptions {
		// A preflight: its CORS headers (or their absence) are the answer.
		w.WriteHeader(http.StatusOK)
		return
	}
	s.serveDomain(w, r)
}

// isDomainPath reports whether path is served by the pool's domain.
func isDomainPath(path string) bool {
	switch path {
	case localcognito.PathAuthorize, localcognito.PathToken, localcognito.PathRevoke, localcognito.PathUserInfo, localcognito.PathLogout,
		pathLogin, pathSignUp, pathConfirmUser, pathForgotPassword, pathConfirmForgotPassword, pathError:
		return true
	}
	return false
}

// serveDomain serves the domain's endpoints and pages.
func (s *Handler) serveDomain(w http.ResponseWriter, r *http.Request) {
	if s.pool.Domain() == "" {
		http.Error(w, "This user pool has no domain, so it serves no OAuth 2.0 endpoints or sign-in pages.", http.StatusNotFound)
		return
	}
	switch r.URL.Path {
	case localcognito.PathAuthorize:
		s.serveAuthorize(w, r)
	case localcognito.PathToken:
		s.serveToken(w, r)
	case localcognito.PathRevoke:
		s.serveRevoke(w, r)
	case localcognito.PathUserInfo:
		s.serveUserInfo(w, r)
	case localcognito.PathLogout:
		s.serveLogout(w, r)
	default:
		s.servePage(w, r)
	}
}

func isHTTPS(r *http.Request) bool { return r.TLS != nil }

// randomToken is an unguessable string for sessions and CSRF tokens.
func randomToken() string {
	var b [48]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
