package localcognito

import (
	"math/big"
	"net/http"
)

// serveWellKnown publishes the pool's keys and OpenID configuration where
// a user pool does, under the pool id.
func (s *Server) serveWellKnown(w http.ResponseWriter, r *http.Request) {
	prefix := "/" + s.id + "/.well-known/"
	requestID := newRequestID()
	switch r.URL.Path {
	case prefix + "jwks.json":
		writeBody(w, requestID, http.StatusOK, "application/json", map[string]any{"keys": []map[string]string{s.jwk()}})
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

// jwk is the public signing key in the form Cognito publishes it.
func (s *Server) jwk() map[string]string {
	pub := s.key.PublicKey
	return map[string]string{
		"alg": "RS256",
		"e":   b64(big.NewInt(int64(pub.E)).Bytes()),
		"kid": s.kid,
		"kty": "RSA",
		"n":   b64(pub.N.Bytes()),
		"use": "sig",
	}
}
