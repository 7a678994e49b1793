package jwtauth

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// jwk is one usable signing key of the issuer.
type jwk struct {
	pub *rsa.PublicKey
	// Alg is the key's alg member, if it names one; a token signed with
	// another algorithm is refused even when the signature would verify.
	Alg string
}

// errUnknownKid is returned when the JWKS, even freshly fetched, has no key
// with the token's kid.
var errUnknownKid = errors.New("kid not in the issuer's JWKS")

// key returns the issuer's key with the given kid. Keys are cached for
// CacheTTL; an unknown kid or an expired cache triggers a fetch, at most one
// every RefetchInterval. When a fetch fails, keys already known stay usable:
// a flapping issuer should not log everybody out.
func (a *Authorizer) key(ctx context.Context, kid string) (jwk, error) {
	a.mu.Lock()
	defer a.mu.Unlock()

	now := a.now()
	k, known := a.keys[kid]
	if known && now.Sub(a.fetchedAt) < a.cacheTTL() {
		return k, nil
	}
	if !a.triedAt.IsZero() && now.Sub(a.triedAt) < a.refetchInterval() {
		if known {
			return k, nil
		}
		return jwk{}, errUnknownKid
	}
	a.triedAt = now
	keys, err := a.fetch(ctx)
	if err != nil {
		if known {
			return k, nil
		}
		return jwk{}, err
	}
	a.keys, a.fetchedAt = keys, now
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return jwk{}, errUnknownKid
}

func (a *Authorizer) cacheTTL() time.Duration {
	if a.CacheTTL > 0 {
		return a.CacheTTL
	}
	return DefaultCacheTTL
}

func (a *Authorizer) refetchInterval() time.Duration {
	if a.RefetchInterval > 0 {
		return a.RefetchInterval
	}
	return DefaultRefetchInterval
}

// KeySetURL is where the Authorizer fetches the issuer's keys.
func (a *Authorizer) KeySetURL() string {
	if a.JWKSURL != "" {
		return a.JWKSURL
	}
	return strings.TrimSuffix(a.Issuer, "/") + "/.well-known/jwks.json"
}

// fetch downloads and parses the issuer's JWKS.
func (a *Authorizer) fetch(ctx context.Context) (map[string]jwk, error) {
	url := a.KeySetURL()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	client := a.Client
	if client == nil {
		client = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch JWKS %s: status %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS %s: %w", url, err)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("fetch JWKS %s: larger than %d bytes", url, maxJWKSBytes)
	}
	keys, err := parseJWKS(body)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS %s: %w", url, err)
	}
	return keys, nil
}

// parseJWKS reads a JSON Web Key Set (RFC 7517) and returns its RSA signing
// keys by kid. Keys of other types, for encryption, without a kid or with
// malformed parameters are skipped rather than failing the whole set, so one
// odd key cannot lock out tokens signed with the others.
func parseJWKS(data []byte) (map[string]jwk, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("parse JWKS: %w", err)
	}
	keys := make(map[string]jwk, len(set.Keys))
	for _, raw := range set.Keys {
		var k struct {
			Kty string `json:"kty"`
			Kid string `json:"kid"`
			Use string `json:"use"`
			Alg string `json:"alg"`
			N   string `json:"n"`
			E   string `json:"e"`
		}
		if err := json.Unmarshal(raw, &k); err != nil {
			continue
		}
		if k.Kty != "RSA" || k.Kid == "" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		pub, err := rsaPublicKey(k.N, k.E)
		if err != nil {
			continue
		}
		keys[k.Kid] = jwk{pub: pub, Alg: k.Alg}
	}
	return keys, nil
}

// rsaPublicKey builds a key from the base64url modulus and exponent of a
// JWK. Some issuers pad their base64url, so padding is tolerated here.
func rsaPublicKey(n64, e64 string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(n64, "="))
	if err != nil {
		return nil, fmt.Errorf("modulus: %w", err)
	}
	eb, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(e64, "="))
	if err != nil {
		return nil, fmt.Errorf("exponent: %w", err)
	}
	n := new(big.Int).SetBytes(nb)
	e := new(big.Int).SetBytes(eb)
	if n.BitLen() < 2048 {
		return nil, fmt.Errorf("modulus of %d bits is too small", n.BitLen())
	}
	if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || e.Bit(0) == 0 {
		return nil, errors.New("exponent out of range")
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}
