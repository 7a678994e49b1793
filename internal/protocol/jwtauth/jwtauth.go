// Package jwtauth verifies bearer JWTs the way the JWT authorizer of an
// Amazon API Gateway HTTP API does, so that a local stand-in for the API
// accepts and refuses exactly the requests the deployed API would.
//
// The checks follow "Control access to HTTP APIs with JWT authorizers in API
// Gateway" (API Gateway developer guide), in its order:
//
//  1. The token comes from the Authorization header, bare or after "Bearer ".
//  2. The token is decoded; its header must name alg RS256 and a kid.
//  3. The signature is checked with the key of that kid in the issuer's JWKS.
//  4. The claims are validated: iss equals the configured issuer; aud, or
//     client_id when there is no aud, is one of the configured audiences;
//     exp is after now; nbf and iat, when present, are not after now.
//  5. When the route requires scopes, the token's scope (or scp) claim must
//     hold at least one of them.
//
// Every failure up to and including the claims is a 401, answered by API
// Gateway with {"message":"Unauthorized"}; a valid token lacking the scope is
// a 403 {"message":"Forbidden"}. Signature checks use only the standard
// library (crypto/rsa, crypto/sha256).
package jwtauth

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Defaults for the zero values of the Authorizer's tuning fields.
const (
	// DefaultCacheTTL is how long fetched keys are trusted before the JWKS is
	// fetched again. API Gateway documents that it may cache the issuer's
	// public keys for two hours.
	DefaultCacheTTL = 2 * time.Hour
	// DefaultRefetchInterval is the least time between two JWKS fetches. A
	// token naming an unknown kid triggers a fetch (the issuer may have
	// rotated its keys), and this keeps a stream of made-up kids from turning
	// into a stream of requests to the issuer.
	DefaultRefetchInterval = 10 * time.Second
	// DefaultHTTPTimeout bounds one JWKS fetch when Client is nil.
	DefaultHTTPTimeout = 10 * time.Second
)

// maxJWKSBytes bounds the JWKS document read from the issuer.
const maxJWKSBytes = 1 << 20

// Authorizer is the configuration of one JWT authorizer and its key cache.
// Set the exported fields before the first call to Authorize and do not
// change them afterwards; an Authorizer must not be copied after first use.
// It is safe for concurrent use.
type Authorizer struct {
	// Issuer is compared, exactly, to the token's iss claim, e.g.
	// https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc or, with
	// cognito-local, http://localhost:9229/local_pool.
	Issuer string
	// Audience lists the accepted app client ids. A token's aud claim, or its
	// client_id claim when it has no aud, must be one of them.
	Audience []string
	// JWKSURL is where the issuer's keys are fetched; empty means
	// Issuer + "/.well-known/jwks.json", where Cognito (and cognito-local)
	// publish them.
	JWKSURL string
	// Client fetches the JWKS; nil means a client with DefaultHTTPTimeout.
	Client *http.Client
	// Now is the clock the time claims are checked against; nil means
	// time.Now.
	Now func() time.Time
	// Leeway is allowed between the clock and the token's exp, nbf and iat.
	// API Gateway documents none, so the default is zero: a token is
	// refused from the second its exp is reached.
	Leeway time.Duration
	// CacheTTL is how long fetched keys are used before they are fetched
	// again; zero means DefaultCacheTTL.
	CacheTTL time.Duration
	// RefetchInterval is the least time between two JWKS fetches; zero means
	// DefaultRefetchInterval.
	RefetchInterval time.Duration

	mu        sync.Mutex
	keys      map[string]jwk
	fetchedAt time.Time // when keys were fetched
	triedAt   time.Time // when a fetch was last attempted, successful or not
}

// Result is what API Gateway passes to the integration about an accepted
// token, in requestContext.authorizer.jwt.
type Result struct {
	// Claims holds every claim of the token as a string, the shape of
	// requestContext.authorizer.jwt.claims in payload format 2.0 (see
	// ClaimString for how non-string values are written).
	Claims map[string]string
	// Scopes is the token's scopes when the route requires scopes, and nil
	// when it does not: API Gateway sends "scopes": null for routes without
	// authorization scopes, even when the token carries a scope claim.
	Scopes []string
}

// Error is a refused token. Status is the HTTP status API Gateway answers
// with: http.StatusUnauthorized for a missing, malformed, unverifiable,
// expired, foreign or misaddressed token, http.StatusForbidden for a valid
// token without a required scope.
type Error struct {
	Status int
	// Description says why, in the words of the error_description that API
	// Gateway puts in its www-authenticate header. Empty for a request
	// without a token, which RFC 6750 answers with the bare challenge.
	Description string
	// Scopes are the route's scopes, named in the challenge of a 403.
	Scopes []string
	// Err is the underlying cause, if any (a JWKS fetch failure, a decoding
	// error), for logs; it is never sent to the client.
	Err error
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("jwt authorizer: %d %s", e.Status, http.StatusText(e.Status))
	if e.Description != "" {
		msg += ": " + e.Description
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Message is the body message API Gateway answers with:
// {"message":"Unauthorized"} or {"message":"Forbidden"}.
func (e *Error) Message() string {
	if e.Status == http.StatusForbidden {
		return "Forbidden"
	}
	return "Unauthorized"
}

// Challenge is the www-authenticate header API Gateway sends with the
// refusal. The troubleshooting guide for HTTP API JWT authorizers shows the
// form, Bearer scope="" error="invalid_token" error_description="the token
// does not have a valid audience"; the other descriptions follow its wording.
func (e *Error) Challenge() string {
	if e.Status == http.StatusForbidden {
		return fmt.Sprintf(`Bearer scope=%q error="insufficient_scope" error_description=%q`,
			strings.Join(e.Scopes, " "), e.Description)
	}
	if e.Description == "" {
		return "Bearer"
	}
	return fmt.Sprintf(`Bearer scope="" error="invalid_token" error_description=%q`, e.Description)
}

func unauthorized(description string, err error) *Error {
	return &Error{Status: http.StatusUnauthorized, Description: description, Err: err}
}

// Authorize checks the value of an Authorization header for a route that
// requires scopes (none: any valid token). It returns the claims API Gateway
// would pass to the integration, or an *Error carrying the status API
// Gateway would answer with. Any other error means the Authorizer is
// misconfigured.
func (a *Authorizer) Authorize(ctx context.Context, authorization string, scopes []string) (Result, error) {
	if a.Issuer == "" {
		return Result{}, errors.New("jwt authorizer: no issuer configured")
	}
	raw := bearerToken(authorization)
	if raw == "" {
		return Result{}, unauthorized("", nil)
	}
	tok, err := parse(raw)
	if err != nil {
		return Result{}, unauthorized("the token is not a valid JWT", err)
	}
	if tok.header.Alg != "RS256" {
		// Only RS256 is accepted: "none" and HMAC algorithms would let
		// anyone holding the (public) key mint tokens.
		return Result{}, unauthorized("the token's signing algorithm is not supported", fmt.Errorf("alg %q", tok.header.Alg))
	}
	if tok.header.Kid == "" {
		return Result{}, unauthorized("the token does not name a signing key", nil)
	}
	if len(tok.header.Crit) > 0 {
		return Result{}, unauthorized("the token requires unsupported header extensions", fmt.Errorf("crit %q", tok.header.Crit))
	}
	key, err := a.key(ctx, tok.header.Kid)
	if err != nil {
		return Result{}, unauthorized("the token's signing key is not in the issuer's key set", err)
	}
	if key.Alg != "" && key.Alg != tok.header.Alg {
		return Result{}, unauthorized("the token does not have a valid signature", fmt.Errorf("key %q is for %s", tok.header.Kid, key.Alg))
	}
	digest := sha256.Sum256([]byte(tok.signingInput))
	if err := rsa.VerifyPKCS1v15(key.pub, crypto.SHA256, digest[:], tok.signature); err != nil {
		return Result{}, unauthorized("the token does not have a valid signature", err)
	}
	if err := a.validateClaims(tok.claims); err != nil {
		return Result{}, err
	}

	res := Result{Claims: make(map[string]string, len(tok.claims))}
	for name, v := range tok.claims {
		res.Claims[name] = ClaimString(v)
	}
	if len(scopes) == 0 {
		return res, nil
	}
	have := tokenScopes(tok.claims)
	for _, want := range scopes {
		for _, got := range have {
			if got == want {
				res.Scopes = have
				return res, nil
			}
		}
	}
	return Result{}, &Error{
		Status:      http.StatusForbidden,
		Description: "the token does not have a required scope",
		Scopes:      scopes,
	}
}

// bearerToken takes the token out of an Authorization header value. API
// Gateway accepts the token bare or prefixed with Bearer; the scheme name is
// matched case-insensitively, as RFC 7235 has it.
func bearerToken(authorization string) string {
	v := strings.TrimSpace(authorization)
	if len(v) > len("Bearer ") && strings.EqualFold(v[:len("Bearer ")], "Bearer ") {
		v = strings.TrimSpace(v[len("Bearer "):])
	}
	return v
}

// validateClaims checks iss, aud/client_id, exp, nbf and iat, in the order
// API Gateway documents them.
func (a *Authorizer) validateClaims(claims map[string]any) *Error {
	if iss, ok := claims["iss"].(string); !ok || iss != a.Issuer {
		return unauthorized("the token does not have a valid issuer", nil)
	}
	if !a.audienceMatches(claims) {
		return unauthorized("the token does not have a valid audience", nil)
	}

	now := a.now()
	leeway := a.Leeway.Seconds()
	nowSec := float64(now.UnixNano()) / 1e9
	exp, present, ok := numericDate(claims, "exp")
	switch {
	case !ok:
		return unauthorized("the token has an invalid exp claim", nil)
	case !present:
		// API Gateway requires exp to be after now; a token that cannot
		// expire is refused rather than trusted forever.
		return unauthorized("the token has no expiry", nil)
	case nowSec >= exp+leeway:
		return unauthorized("the token has expired", nil)
	}
	nbf, present, ok := numericDate(claims, "nbf")
	switch {
	case !ok:
		return unauthorized("the token has an invalid nbf claim", nil)
	case present && nowSec < nbf-leeway:
		return unauthorized("the token is not valid yet", nil)
	}
	iat, present, ok := numericDate(claims, "iat")
	switch {
	case !ok:
		return unauthorized("the token has an invalid iat claim", nil)
	case present && nowSec < iat-leeway:
		return unauthorized("the token was issued in the future", nil)
	}
	return nil
}

// audienceMatches applies API Gateway's rule: aud when the token has one,
// client_id only when it has none. An access token bound to another audience
// therefore fails even if its client_id would match.
func (a *Authorizer) audienceMatches(claims map[string]any) bool {
	var candidates []string
	if aud, ok := claims["aud"]; ok {
		switch v := aud.(type) {
		case string:
			candidates = []string{v}
		case []any:
			for _, e := range v {
				if s, ok := e.(string); ok {
					candidates = append(candidates, s)
				}
			}
		}
	} else if cid, ok := claims["client_id"].(string); ok {
		candidates = []string{cid}
	}
	for _, c := range candidates {
		for _, want := range a.Audience {
			if c == want && want != "" {
				return true
			}
		}
	}
	return false
}

// numericDate reads a NumericDate claim. present is false when the claim is
// absent; ok is false when it is present but not a finite number.
func numericDate(claims map[string]any, name string) (v float64, present, ok bool) {
	raw, present := claims[name]
	if !present {
		return 0, false, true
	}
	n, isNum := raw.(json.Number)
	if !isNum {
		return 0, true, false
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, true, false
	}
	return f, true, true
}

// tokenScopes reads the scopes of a token: the space-separated scope claim
// of OAuth 2.0 access tokens (what Cognito writes), or the scp claim some
// issuers use instead, as a string or a list.
func tokenScopes(claims map[string]any) []string {
	for _, name := range []string{"scope", "scp"} {
		switch v := claims[name].(type) {
		case string:
			return strings.Fields(v)
		case []any:
			var out []string
			for _, e := range v {
				if s, ok := e.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
	}
	return nil
}

// ClaimString writes a claim value the way API Gateway writes it into
// requestContext.authorizer.jwt.claims, where every value is a string.
// Strings are unchanged and numbers keep their JSON digits (exp arrives as
// "1700000000", as real events show). Lists are written the way Go prints a
// slice, "[a b]", which is how API Gateway delivers cognito:groups (reported
// in aws-solutions-library-samples/guidance-for-claude-code-with-amazon-bedrock#802).
// Booleans are "true"/"false". Objects and null have not been observed and are
// written as JSON, so a handler can at least parse them.
func ClaimString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = ClaimString(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
}

func (a *Authorizer) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// token is a decoded, not yet verified, JWS in compact serialization.
type token struct {
	header       header
	claims       map[string]any
	signingInput string
	signature    []byte
}

type header struct {
	Alg  string   `json:"alg"`
	Kid  string   `json:"kid"`
	Crit []string `json:"crit"`
}

// parse splits and decodes a compact JWS. It is strict on purpose: exactly
// three segments of unpadded base64url with canonical trailing bits, a JSON
// object header and payload, nothing after them.
func parse(raw string) (token, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return token{}, fmt.Errorf("%d segments, want 3", len(parts))
	}
	var segs [3][]byte
	for i, p := range parts {
		b, err := decodeSegment(p)
		if err != nil {
			return token{}, fmt.Errorf("segment %d: %w", i+1, err)
		}
		segs[i] = b
	}
	var tok token
	if err := decodeObject(segs[0], &tok.header); err != nil {
		return token{}, fmt.Errorf("header: %w", err)
	}
	if err := decodeObject(segs[1], &tok.claims); err != nil {
		return token{}, fmt.Errorf("payload: %w", err)
	}
	if tok.claims == nil {
		return token{}, errors.New("payload: not a JSON object")
	}
	tok.signingInput = parts[0] + "." + parts[1]
	tok.signature = segs[2]
	return tok, nil
}

// decodeSegment decodes unpadded base64url. The alphabet is checked first
// because encoding/base64 skips CR and LF, which would let two different
// token strings carry the same signature.
func decodeSegment(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("empty")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, fmt.Errorf("byte %q at %d is not base64url", c, i)
		}
	}
	return base64.RawURLEncoding.Strict().DecodeString(s)
}

// decodeObject decodes one JSON object, keeping numbers as json.Number so
// that claims are rendered with their original digits.
func decodeObject(b []byte, v any) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return errors.New("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON object")
	}
	return nil
}
