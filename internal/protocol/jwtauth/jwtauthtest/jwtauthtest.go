// Package jwtauthtest runs a token issuer for tests: an httptest server that
// publishes a JWKS at <issuer>/.well-known/jwks.json, the way Cognito user
// pools and cognito-local do, and signs Cognito-shaped tokens with its keys.
package jwtauthtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Issuer is a running test issuer. Its URL is the iss of the tokens it
// signs: the server's address followed by the pool id, the form
// cognito-local uses (http://host:port/<poolId>).
type Issuer struct {
	URL    string
	PoolID string
	// Now stamps the claims' times; nil means time.Now. A test whose
	// authorizer runs on a test clock sets it to the same clock, so a token
	// is never "issued in the future" when the real clock ticks past it.
	Now func() time.Time

	server *httptest.Server

	mu      sync.Mutex
	keys    []signingKey // published in the JWKS, the first signs by default
	fetches int
}

type signingKey struct {
	kid string
	key *rsa.PrivateKey
}

// NewIssuer starts an issuer for the pool id with one signing key and stops
// it when the test ends.
func NewIssuer(t testing.TB, poolID string) *Issuer {
	t.Helper()
	iss := &Issuer{PoolID: poolID}
	iss.keys = []signingKey{{kid: poolID + "-key-1", key: NewKey(t)}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /"+poolID+"/.well-known/jwks.json", iss.serveJWKS)
	iss.server = httptest.NewServer(mux)
	t.Cleanup(iss.server.Close)
	iss.URL = iss.server.URL + "/" + poolID
	return iss
}

func (iss *Issuer) now() time.Time {
	if iss.Now != nil {
		return iss.Now()
	}
	return time.Now()
}

// NewKey generates an RSA key for signing test tokens.
func NewKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generate RSA key: %v", err)
	}
	return k
}

// JWKSURL is where the issuer publishes its keys.
func (iss *Issuer) JWKSURL() string { return iss.URL + "/.well-known/jwks.json" }

// KID is the key id of the default signing key.
func (iss *Issuer) KID() string {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	return iss.keys[0].kid
}

// Key is the default signing key.
func (iss *Issuer) Key() *rsa.PrivateKey {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	return iss.keys[0].key
}

// AddKey publishes one more key, as an issuer rotating its keys does, and
// returns it.
func (iss *Issuer) AddKey(t testing.TB, kid string) *rsa.PrivateKey {
	t.Helper()
	k := NewKey(t)
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.keys = append(iss.keys, signingKey{kid: kid, key: k})
	return k
}

// Fetches counts the JWKS requests served so far.
func (iss *Issuer) Fetches() int {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	return iss.fetches
}

func (iss *Issuer) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	iss.mu.Lock()
	iss.fetches++
	keys := make([]map[string]string, len(iss.keys))
	for i, k := range iss.keys {
		keys[i] = PublicJWK(k.kid, &k.key.PublicKey)
	}
	iss.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": keys})
}

// PublicJWK is the JWK of an RSA public key as Cognito publishes it.
func PublicJWK(kid string, pub *rsa.PublicKey) map[string]string {
	return map[string]string{
		"kty": "RSA",
		"kid": kid,
		"use": "sig",
		"alg": "RS256",
		"n":   b64(pub.N.Bytes()),
		"e":   b64(big.NewInt(int64(pub.E)).Bytes()),
	}
}

// Sign signs the claims with the default key, RS256.
func (iss *Issuer) Sign(claims map[string]any) string {
	iss.mu.Lock()
	k := iss.keys[0]
	iss.mu.Unlock()
	return SignRS256(k.key, map[string]any{"alg": "RS256", "kid": k.kid, "typ": "JWT"}, claims)
}

// SignKID signs the claims with the published key of the kid.
func (iss *Issuer) SignKID(kid string, claims map[string]any) string {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	for _, k := range iss.keys {
		if k.kid == kid {
			return SignRS256(k.key, map[string]any{"alg": "RS256", "kid": kid}, claims)
		}
	}
	panic(fmt.Sprintf("jwtauthtest: no key %q", kid))
}

// AccessClaims are the claims of a Cognito access token issued to the app
// client, valid for an hour from now.
func (iss *Issuer) AccessClaims(clientID, sub string, scopes ...string) map[string]any {
	now := iss.now().Unix()
	return map[string]any{
		"sub":        sub,
		"iss":        iss.URL,
		"client_id":  clientID,
		"origin_jti": "origin-" + sub,
		"event_id":   "event-" + sub,
		"token_use":  "access",
		"scope":      strings.Join(scopes, " "),
		"auth_time":  now,
		"exp":        now + 3600,
		"iat":        now,
		"jti":        "jti-" + sub,
		"username":   sub,
	}
}

// IDClaims are the claims of a Cognito ID token issued to the app client,
// valid for an hour from now: aud is the client id and there is no scope.
func (iss *Issuer) IDClaims(clientID, sub string) map[string]any {
	now := iss.now().Unix()
	return map[string]any{
		"sub":              sub,
		"iss":              iss.URL,
		"aud":              clientID,
		"token_use":        "id",
		"auth_time":        now,
		"exp":              now + 3600,
		"iat":              now,
		"email":            sub + "@example.com",
		"email_verified":   true,
		"cognito:username": sub,
	}
}

// AccessToken signs AccessClaims.
func (iss *Issuer) AccessToken(clientID, sub string, scopes ...string) string {
	return iss.Sign(iss.AccessClaims(clientID, sub, scopes...))
}

// IDToken signs IDClaims.
func (iss *Issuer) IDToken(clientID, sub string) string {
	return iss.Sign(iss.IDClaims(clientID, sub))
}

// SignRS256 builds a compact JWS of the header and claims signed with key,
// whatever alg the header names, so tests can forge tokens.
func SignRS256(key *rsa.PrivateKey, header, claims map[string]any) string {
	input := Encode(header) + "." + Encode(claims)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		panic(fmt.Sprintf("jwtauthtest: sign: %v", err))
	}
	return input + "." + b64(sig)
}

// Encode is the base64url encoding of v's JSON, one segment of a JWS.
func Encode(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("jwtauthtest: encode: %v", err))
	}
	return b64(b)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
