// Package srp implements the SRP-6a variant that Amazon Cognito user pools
// use for the USER_SRP_AUTH flow: the client side, to sign in to a pool,
// and the server side, for a local stand-in for one.
//
// A sign-in is two calls. InitiateAuth with AuthFlow USER_SRP_AUTH sends
// USERNAME and SRP_A (Client.A); Cognito answers with the PASSWORD_VERIFIER
// challenge, whose parameters Client.Respond turns into the
// ChallengeResponses for RespondToAuthChallenge. The password never leaves
// the process.
//
// On the pool's side, NewVerifier computes the salt and verifier a pool
// stores when a password is set, and a Server, started from them and SRP_A,
// produces the challenge and checks the answer.
//
// Cognito's variant is not RFC 5054 byte for byte: integers are hashed in
// the minimal two's-complement encoding (Java's BigInteger.toByteArray)
// rather than padded to the width of N, the pool name is mixed into x, and
// the session key is a 16-byte HKDF output that signs a server-chosen
// secret block and a timestamp. Everything here follows the reference
// client, amazon-cognito-identity-js (AuthenticationHelper.js and
// CognitoUser.js), and the known-answer tests are generated from it.
package srp

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"time"
)

// nHex is the 3072-bit MODP prime of RFC 5054 Appendix A (also RFC 3526
// group 15), the group Cognito uses with generator 2.
const nHex = "" +
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D" +
	"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D" +
	"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9" +
	"DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64" +
	"ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B" +
	"F12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31" +
	"43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

// infoBits is the HKDF info string Cognito derives the session key with.
const infoBits = "Caldera Derived Key"

// smallABytes is the size of the private value a. The reference draws 128
// random bytes; anything well above the group's security level would do,
// but matching it keeps SRP_A the same shape as the SDK's.
const smallABytes = 128

// maxHexDigits bounds SRP_A, SRP_B and SALT so that a hostile or corrupted
// message cannot make us parse and exponentiate arbitrarily large numbers.
// A legitimate A or B is below N (768 digits) and a salt is 16 bytes.
const maxHexDigits = 2048

var (
	bigN = mustHex(nHex)
	bigG = big.NewInt(2)
	// bigK is the SRP-6a multiplier. Cognito hashes N and g each in their
	// own minimal encoding (0x00||N, then 0x02), not g padded to |N| as
	// RFC 5054 does.
	bigK = new(big.Int).SetBytes(hashBytes(padBytes(bigN), padBytes(bigG)))
)

// poolIDPattern is a user pool id, "<region>_<name>"; the name after the
// underscore is the SRP pool name. The reference accepts `^[\w-]+_[0-9a-zA-Z]+$`
// but then splits on the first underscore, so it would take "b" from
// "r_b_c"; keeping underscores out of the region makes that unambiguous.
var poolIDPattern = regexp.MustCompile(`^[0-9A-Za-z-]+_([0-9A-Za-z]+)$`)

// ErrInvalidChallenge reports PASSWORD_VERIFIER challenge parameters that
// are missing, malformed or unsafe (such as SRP_B ≡ 0 mod N). Errors from
// Respond about the challenge wrap it.
var ErrInvalidChallenge = errors.New("srp: invalid challenge parameters")

// Client holds one SRP session's ephemeral key pair. Use a new Client for
// each InitiateAuth: SRP_A and the private a must not outlive the sign-in
// they were sent for. A Client is safe for concurrent use, as Respond does
// not modify it.
type Client struct {
	poolName string
	a        *big.Int // private ephemeral
	bigA     *big.Int // g^a mod N, sent as SRP_A
}

// NewClient returns a Client for the user pool poolID (for example
// "eu-west-2_AbC123xyz") with a fresh random ephemeral key.
func NewClient(poolID string) (*Client, error) {
	return newClient(poolID, rand.Reader)
}

func newClient(poolID string, random io.Reader) (*Client, error) {
	poolName, err := PoolName(poolID)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, smallABytes)
	if _, err := io.ReadFull(random, buf); err != nil {
		return nil, fmt.Errorf("srp: generating private value: %w", err)
	}
	return newClientWithA(poolName, new(big.Int).SetBytes(buf))
}

// newClientWithA builds a Client around a chosen private value; tests use
// it to reproduce the reference client's outputs exactly.
func newClientWithA(poolName string, a *big.Int) (*Client, error) {
	if a.Sign() <= 0 {
		return nil, errors.New("srp: private value a must be positive")
	}
	bigA := new(big.Int).Exp(bigG, a, bigN)
	// With g = 2 and N prime this cannot happen, but it is the SRP-6a
	// safety check the reference makes, and it costs nothing.
	if new(big.Int).Mod(bigA, bigN).Sign() == 0 {
		return nil, errors.New("srp: A mod N is zero")
	}
	return &Client{poolName: poolName, a: a, bigA: bigA}, nil
}

// PoolName returns the part of a user pool id after the underscore, which
// is what Cognito mixes into x and the signature: "AbC123xyz" for
// "eu-west-2_AbC123xyz".
func PoolName(poolID string) (string, error) {
	m := poolIDPattern.FindStringSubmatch(poolID)
	if m == nil {
		return "", fmt.Errorf("srp: user pool id %q is not of the form <region>_<name>", poolID)
	}
	return m[1], nil
}

// A returns SRP_A for InitiateAuth: g^a mod N in lower-case hex without
// padding, as the reference client sends it.
func (c *Client) A() string {
	return c.bigA.Text(16)
}

// Respond computes the ChallengeResponses for Cognito's PASSWORD_VERIFIER
// challenge: USERNAME, PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP and
// PASSWORD_CLAIM_SIGNATURE. params is the challenge's ChallengeParameters
// (SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP and usually USERNAME); now is
// the current time, which Cognito checks against its own clock.
//
// username is what was sent to InitiateAuth. When the user signed in with
// an alias (an email address, say), Cognito answers with the real username
// in USER_ID_FOR_SRP and USERNAME; the proof is computed over
// USER_ID_FOR_SRP, and the response's USERNAME is the challenge's USERNAME
// (falling back to USER_ID_FOR_SRP), because Cognito requires the real
// username rather than an alias in challenge responses. username is used
// only if the challenge names no user at all.
//
// For an app client with a secret, add SECRET_HASH to the result, computed
// with SecretHash over the returned USERNAME.
func (c *Client) Respond(username, password string, params map[string]string, now time.Time) (map[string]string, error) {
	if password == "" {
		return nil, errors.New("srp: empty password")
	}
	userID := params["USER_ID_FOR_SRP"]
	if userID == "" {
		userID = username
	}
	if userID == "" {
		return nil, fmt.Errorf("%w: no USER_ID_FOR_SRP and no username", ErrInvalidChallenge)
	}
	respUser := params["USERNAME"]
	if respUser == "" {
		respUser = userID
	}

	bigB, err := parseHex(ErrInvalidChallenge, "SRP_B", params["SRP_B"])
	if err != nil {
		return nil, err
	}
	// The SRP-6a abort condition: B ≡ 0 would let the server force S = 0
	// (or a value it knows) without knowing the verifier.
	if new(big.Int).Mod(bigB, bigN).Sign() == 0 {
		return nil, fmt.Errorf("%w: SRP_B mod N is zero", ErrInvalidChallenge)
	}
	// An honest B is computed mod N, so a larger one means the parameters
	// were mangled on the way; failing here beats a NotAuthorized later.
	if bigB.Cmp(bigN) >= 0 {
		return nil, fmt.Errorf("%w: SRP_B is not less than N", ErrInvalidChallenge)
	}
	salt, err := parseHex(ErrInvalidChallenge, "SALT", params["SALT"])
	if err != nil {
		return nil, err
	}
	secretB64 := params["SECRET_BLOCK"]
	secretBlock, err := base64.StdEncoding.DecodeString(secretB64)
	if err != nil {
		return nil, fmt.Errorf("%w: SECRET_BLOCK is not base64: %w", ErrInvalidChallenge, err)
	}
	if len(secretBlock) == 0 {
		return nil, fmt.Errorf("%w: SECRET_BLOCK is empty", ErrInvalidChallenge)
	}

	key, err := c.passwordAuthenticationKey(userID, password, bigB, salt)
	if err != nil {
		return nil, err
	}
	ts := timestamp(now)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(c.poolName))
	mac.Write([]byte(userID))
	mac.Write(secretBlock)
	mac.Write([]byte(ts))

	return map[string]string{
		"USERNAME":                    respUser,
		"PASSWORD_CLAIM_SECRET_BLOCK": secretB64,
		"TIMESTAMP":                   ts,
		"PASSWORD_CLAIM_SIGNATURE":    base64.StdEncoding.EncodeToString(mac.Sum(nil)),
	}, nil
}

// passwordAuthenticationKey derives the 16-byte key that signs the
// password claim, from the shared secret S = (B - k·g^x)^(a + u·x) mod N.
func (c *Client) passwordAuthenticationKey(userID, password string, bigB, salt *big.Int) ([]byte, error) {
	return c.sessionKey(scramble(c.bigA, bigB), userID, password, bigB, salt)
}

// sessionKey is passwordAuthenticationKey with u supplied, so that the
// u = 0 abort, unreachable without a SHA-256 preimage, can be tested.
func (c *Client) sessionKey(u *big.Int, userID, password string, bigB, salt *big.Int) ([]byte, error) {
	// u = 0 would make S independent of the password; the reference
	// aborts, and so do we.
	if u.Sign() == 0 {
		return nil, fmt.Errorf("%w: u = H(A, B) is zero", ErrInvalidChallenge)
	}
	x := privateKey(c.poolName, userID, password, salt)

	gx := new(big.Int).Exp(bigG, x, bigN)
	base := new(big.Int).Mul(bigK, gx)
	base.Sub(bigB, base)
	// B - k·g^x is usually negative; Mod is Euclidean, so this is the
	// non-negative residue the reference's modPow reduces to as well.
	base.Mod(base, bigN)
	exp := new(big.Int).Mul(u, x)
	exp.Add(exp, c.a)
	return derivedKey(new(big.Int).Exp(base, exp, bigN), u)
}

// derivedKey is the 16-byte key both sides derive from the shared secret
// S, with u as the HKDF salt.
func derivedKey(s, u *big.Int) ([]byte, error) {
	key, err := hkdf.Key(sha256.New, padBytes(s), padBytes(u), infoBits, 16)
	if err != nil {
		return nil, fmt.Errorf("srp: deriving key: %w", err)
	}
	return key, nil
}

// scramble computes u = H(A || B) over the padded encodings.
func scramble(bigA, bigB *big.Int) *big.Int {
	return new(big.Int).SetBytes(hashBytes(padBytes(bigA), padBytes(bigB)))
}

// privateKey computes x = H(salt || H(poolName || userID || ":" || password)).
// The salt is hashed as the integer Cognito sent, re-encoded, so leading
// zero digits in SALT do not reach the hash, exactly as in the reference.
func privateKey(poolName, userID, password string, salt *big.Int) *big.Int {
	inner := hashBytes([]byte(poolName), []byte(userID), []byte(":"), []byte(password))
	return new(big.Int).SetBytes(hashBytes(padBytes(salt), inner))
}

// padBytes returns the minimal two's-complement big-endian encoding of a
// non-negative integer: its magnitude, with a 0x00 byte in front when the
// top bit is set, and a single 0x00 for zero. It is the reference's padHex
// (and Java's BigInteger.toByteArray) in bytes rather than hex.
func padBytes(x *big.Int) []byte {
	b := x.Bytes()
	if len(b) == 0 || b[0]&0x80 != 0 {
		return append([]byte{0}, b...)
	}
	return b
}

func hashBytes(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// parseHex parses a parameter holding an unsigned hex integer; errors wrap
// kind. It is stricter than big.Int.SetString, which would accept a sign,
// and than the reference, whose BigInteger silently skips invalid digits.
func parseHex(kind error, name, s string) (*big.Int, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: %s is missing", kind, name)
	}
	if len(s) > maxHexDigits {
		return nil, fmt.Errorf("%w: %s has %d hex digits, more than %d", kind, name, len(s), maxHexDigits)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return nil, fmt.Errorf("%w: %s is not hex (byte %d is %q)", kind, name, i, c)
		}
	}
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		return nil, fmt.Errorf("%w: %s is not hex", kind, name)
	}
	return n, nil
}

// timestamp formats t the way Cognito expects TIMESTAMP:
// "Mon Jan 2 15:04:05 UTC 2006" in UTC, the day of the month not padded.
// It is built by hand rather than with a time layout to mirror the
// reference's DateHelper.getNowString field by field.
func timestamp(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%s %s %d %02d:%02d:%02d UTC %d",
		t.Weekday().String()[:3], t.Month().String()[:3], t.Day(),
		t.Hour(), t.Minute(), t.Second(), t.Year())
}

// SecretHash returns the SECRET_HASH Cognito requires from app clients that
// have a client secret: Base64(HMAC-SHA256(key = clientSecret,
// message = username + clientID)). In challenge responses, username must
// be the USERNAME being sent, not the alias that was typed.
func SecretHash(clientID, clientSecret, username string) string {
	mac := hmac.New(sha256.New, []byte(clientSecret))
	mac.Write([]byte(username))
	mac.Write([]byte(clientID))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func mustHex(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("srp: bad constant " + s)
	}
	return n
}
