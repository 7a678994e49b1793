package localcognito

import (
	"net/http"
	"strings"

	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtsign"
)

// serveWellKnown publishes the pool's keys and OpenID configuration where
// a user pool does, under the pool id.
func (s *Server) serveWellKnown(w http.ResponseWriter, r *http.Request) {
	prefix := "/" + s.id + "/.well-known/"
	requestID := newRequestID()
	switch r.URL.Path {
	case prefix + "jwks.json":
		writeBody(w, requestID, http.StatusOK, "application/json", jwtsign.KeySet{Keys: []jwtsign.JWK{s.key.JWK()}})
	case prefix + "openid-configuration":
		writeBody(w, requestID, http.StatusOK, "application/json", s.openIDConfiguration())
	case "/favicon.ico":
		// Browsers ask the domain for an icon with every sign-in page; an
		// empty answer keeps their consoles free of a 404.
		w.WriteHeader(http.StatusNoContent)
	default:
		writeError(w, requestID, &opError{
			Type:    errResourceNotFound,
			Message: "Not found. The pool publishes " + prefix + "jwks.json and " + prefix + "openid-configuration.",
			Status:  http.StatusNotFound,
		})
	}
}

// openIDConfiguration is the pool's discovery document. A pool with a
// domain lists the domain's endpoints, served from the pool's own base
// URL; one without lists none, as Cognito does.
func (s *Server) openIDConfiguration() map[string]any {
	doc := map[string]any{
		"issuer":                                s.issuer,
		"jwks_uri":                              s.JWKSURL(),
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
	}
	if s.domain == "" {
		return doc
	}
	base := strings.TrimSuffix(s.issuer, "/"+s.id)
	doc["authorization_endpoint"] = base + PathAuthorize
	doc["token_endpoint"] = base + PathToken
	doc["userinfo_endpoint"] = base + PathUserInfo
	doc["revocation_endpoint"] = base + PathRevoke
	doc["end_session_endpoint"] = base + PathLogout
	// Only the code flow is served here; Cognito also lists "token".
	doc["response_types_supported"] = []string{"code"}
	doc["grant_types_supported"] = []string{"authorization_code", "refresh_token"}
	doc["code_challenge_methods_supported"] = []string{"S256"}
	doc["scopes_supported"] = []string{ScopeOpenID, ScopeEmail, ScopePhone, ScopeProfile}
	doc["token_endpoint_auth_methods_supported"] = []string{"client_secret_basic", "client_secret_post"}
	return doc
}
