package localcognito

import (
	"net/http"

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
		// Only what this pool serves: it has no OAuth endpoints (no hosted
		// UI), so none are advertised.
		writeBody(w, requestID, http.StatusOK, "application/json", map[string]any{
			"issuer":                                s.issuer,
			"jwks_uri":                              s.JWKSURL(),
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	default:
		writeError(w, requestID, &opError{
			Type:    errResourceNotFound,
			Message: "Not found. The pool publishes " + prefix + "jwks.json and " + prefix + "openid-configuration.",
			Status:  http.StatusNotFound,
		})
	}
}
