// Package jwtsign signs RS256 JWTs and publishes their public keys as a
// JWKS, in the shapes a Cognito user pool uses. The local user pool signs
// its tokens with it and the test issuer forges tokens with it; verification
// of tokens presented to an API lives in jwtauth.
package jwtsign

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// Alg is the only algorithm Cognito signs with.
const Alg = "RS256"

// keyBits is the size of Cognito's signing keys; jwtauth refuses smaller.
const keyBits = 2048

// Key is a signing key and the key id published with it.
type Key struct {
	ID      string
	Private *rsa.PrivateKey
}

// GenerateKey makes a 2048-bit RSA signing key with the key id.
func GenerateKey(kid string) (Key, error) {
	k, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return Key{}, fmt.Errorf("jwtsign: generate RSA key %q: %w", kid, err)
	}
	return Key{ID: kid, Private: k}, nil
}

// Check refuses a key a pool cannot sign with: no private key, no key id,
// or fewer bits than Cognito's keys (which jwtauth would refuse to verify).
func (k Key) Check() error {
	switch {
	case k.Private == nil || k.Private.N == nil:
		return errors.New("jwtsign: the signing key has no RSA private key")
	case k.ID == "":
		return errors.New("jwtsign: the signing key has no key id")
	case k.Private.N.BitLen() < keyBits:
		return fmt.Errorf("jwtsign: the signing key %q has %d bits, fewer than %d", k.ID, k.Private.N.BitLen(), keyBits)
	}
	return nil
}

// Sign makes a compact RS256 JWT of the claims, its header naming the key.
func (k Key) Sign(claims any) (string, error) {
	return SignRS256(k.Private, header{Alg: Alg, Kid: k.ID}, claims)
}

// JWK is the key's public half as the issuer publishes it.
func (k Key) JWK() JWK { return PublicJWK(k.ID, &k.Private.PublicKey) }

// ErrInvalid is returned by Verify for any token the key did not sign.
var ErrInvalid = errors.New("jwtsign: token not signed by this key")

// Verify checks that raw is an RS256 JWT signed by this key under its key
// id and returns the decoded claims segment. It checks no claim: what a
// valid token is depends on who reads it.
func (k Key) Verify(raw string) ([]byte, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, ErrInvalid
	}
	rawHeader, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	payload, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, ErrInvalid
	}
	var h header
	if json.Unmarshal(rawHeader, &h) != nil || h.Alg != Alg || h.Kid != k.ID {
		return nil, ErrInvalid
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&k.Private.PublicKey, crypto.SHA256, digest[:], sig) != nil {
		return nil, ErrInvalid
	}
	return payload, nil
}

// header is the JOSE header Cognito writes: the algorithm and the key id.
type header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

// SignRS256 builds a compact JWS of the header and claims signed with key
// using RS256, whatever alg the header names: tests forge tokens with it.
func SignRS256(key *rsa.PrivateKey, header, claims any) (string, error) {
	h, err := Segment(header)
	if err != nil {
		return "", fmt.Errorf("jwtsign: header: %w", err)
	}
	c, err := Segment(claims)
	if err != nil {
		return "", fmt.Errorf("jwtsign: claims: %w", err)
	}
	input := h + "." + c
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("jwtsign: sign: %w", err)
	}
	return input + "." + b64(sig), nil
}

// Segment is the base64url encoding of v's JSON, one segment of a JWS.
func Segment(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return b64(b), nil
}

// JWK is an RSA public key in the form Cognito publishes it. The fields
// are in the order Cognito writes them.
type JWK struct {
	Alg string `json:"alg"`
	E   string `json:"e"`
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	N   string `json:"n"`
	Use string `json:"use"`
}

// KeySet is the document served at <issuer>/.well-known/jwks.json.
type KeySet struct {
	Keys []JWK `json:"keys"`
}

// PublicJWK is the JWK of an RSA public key used for RS256 signatures.
func PublicJWK(kid string, pub *rsa.PublicKey) JWK {
	return JWK{
		Alg: Alg,
		E:   b64(big.NewInt(int64(pub.E)).Bytes()),
		Kid: kid,
		Kty: "RSA",
		N:   b64(pub.N.Bytes()),
		Use: "sig",
	}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
