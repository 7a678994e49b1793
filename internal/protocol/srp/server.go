package srp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sync/atomic"
	"time"
)

// TimestampTolerance is how far the TIMESTAMP of a PASSWORD_VERIFIER
// answer may be from the server's clock, either way. Cognito does not
// document its window; clients more than about five minutes off are
// reported to fail, and five minutes is also the skew AWS tolerates in
// signed requests.
const TimestampTolerance = 5 * time.Minute

const (
	// saltBytes is the size of a new salt: Cognito's SALT is 32 hex digits.
	saltBytes = 16
	// smallBBytes is the size of the server's private value b; RFC 5054
	// asks for at least 256 bits.
	smallBBytes = 32
	// secretBlockBytes is the size of SECRET_BLOCK. Cognito's is opaque
	// encrypted state; here the state stays on the server, so the block
	// only has to be unpredictable and unique.
	secretBlockBytes = 64
	// maxEphemeralTries bounds the draws of b; only a broken random source
	// needs more than one.
	maxEphemeralTries = 8
)

// timestampLayout is Cognito's "EEE MMM d HH:mm:ss z yyyy" in Go's terms,
// with the zone fixed to UTC as every client sends it.
const timestampLayout = "Mon Jan 2 15:04:05 UTC 2006"

var (
	// ErrInvalidA reports an SRP_A that is missing, malformed or unsafe
	// (SRP_A ≡ 0 mod N). Errors from NewServer about it wrap it.
	ErrInvalidA = errors.New("srp: invalid SRP_A")
	// ErrInvalidTimestamp reports a TIMESTAMP that does not parse as
	// Cognito's format. Errors from Server.Verify about it wrap it.
	ErrInvalidTimestamp = errors.New("srp: TIMESTAMP is not in the format EEE MMM d HH:mm:ss z yyyy")
	// ErrInvalidProof reports a password claim that is not accepted: a
	// wrong password, a signature or secret block that does not match, a
	// TIMESTAMP too far from the server's clock, or a second answer to one
	// challenge. Errors from Server.Verify about the claim wrap it.
	ErrInvalidProof = errors.New("srp: password claim not accepted")
)

// NewVerifier computes what a user pool stores when a user's password is
// set: a fresh random salt and the verifier v = g^x, where x depends on
// the pool name (see PoolName), the user's USER_ID_FOR_SRP and the
// password. The password itself need not be kept.
func NewVerifier(poolName, userIDForSRP, password string) (salt, verifier []byte) {
	salt = make([]byte, saltBytes)
	_, _ = rand.Read(salt) // crypto/rand.Read never returns an error (Go 1.24+)
	return salt, verifierFor(poolName, userIDForSRP, password, salt)
}

func verifierFor(poolName, userIDForSRP, password string, salt []byte) []byte {
	x := privateKey(poolName, userIDForSRP, password, new(big.Int).SetBytes(salt))
	return new(big.Int).Exp(bigG, x, bigN).Bytes()
}

// Server is the user pool's side of one USER_SRP_AUTH sign-in: it answers
// the client's SRP_A with the PASSWORD_VERIFIER challenge and checks the
// client's answer to it. A Server accepts one answer only, right or wrong,
// so that a proof cannot be replayed; it is safe for concurrent use.
type Server struct {
	poolName    string
	userID      string
	salt        []byte
	v           *big.Int // verifier
	bigA        *big.Int
	b, bigB     *big.Int // private and public ephemeral
	u           *big.Int
	secretBlock []byte
	secretB64   string
	answered    atomic.Bool
}

// NewServer starts a sign-in for the user whose USER_ID_FOR_SRP is
// userIDForSRP and whose stored salt and verifier (from NewVerifier) are
// given, in answer to the client's srpA. Errors about srpA wrap
// ErrInvalidA.
func NewServer(poolName, userIDForSRP string, salt, verifier []byte, srpA string) (*Server, error) {
	return newServer(rand.Reader, poolName, userIDForSRP, salt, verifier, srpA)
}

func newServer(random io.Reader, poolName, userIDForSRP string, salt, verifier []byte, srpA string) (*Server, error) {
	if len(salt) == 0 {
		return nil, errors.New("srp: empty salt")
	}
	v := new(big.Int).SetBytes(verifier)
	if v.Sign() == 0 || v.Cmp(bigN) >= 0 {
		return nil, errors.New("srp: verifier is not in [1, N)")
	}
	bigA, err := parseHex(ErrInvalidA, "SRP_A", srpA)
	if err != nil {
		return nil, err
	}
	// The SRP-6a abort condition: A ≡ 0 would make S = 0 whatever the
	// password, letting anyone sign in.
	if new(big.Int).Mod(bigA, bigN).Sign() == 0 {
		return nil, fmt.Errorf("%w: SRP_A mod N is zero", ErrInvalidA)
	}
	// An honest A is computed mod N, as the client expects of B.
	if bigA.Cmp(bigN) >= 0 {
		return nil, fmt.Errorf("%w: SRP_A is not less than N", ErrInvalidA)
	}

	s := &Server{poolName: poolName, userID: userIDForSRP, salt: salt, v: v, bigA: bigA}
	if err := s.chooseEphemeral(random); err != nil {
		return nil, err
	}
	s.secretBlock = make([]byte, secretBlockBytes)
	if _, err := io.ReadFull(random, s.secretBlock); err != nil {
		return nil, fmt.Errorf("srp: generating secret block: %w", err)
	}
	s.secretB64 = base64.StdEncoding.EncodeToString(s.secretBlock)
	return s, nil
}

// chooseEphemeral draws b and computes B = k·v + g^b mod N and
// u = H(A, B). The client aborts on B ≡ 0 or u = 0; unlike the client, the
// server can simply draw again.
func (s *Server) chooseEphemeral(random io.Reader) error {
	buf := make([]byte, smallBBytes)
	for range maxEphemeralTries {
		if _, err := io.ReadFull(random, buf); err != nil {
			return fmt.Errorf("srp: generating private value: %w", err)
		}
		b := new(big.Int).SetBytes(buf)
		if b.Sign() == 0 {
			continue
		}
		bigB := new(big.Int).Mul(bigK, s.v)
		bigB.Add(bigB, new(big.Int).Exp(bigG, b, bigN))
		bigB.Mod(bigB, bigN)
		if bigB.Sign() == 0 {
			continue
		}
		u := scramble(s.bigA, bigB)
		if u.Sign() == 0 {
			continue
		}
		s.b, s.bigB, s.u = b, bigB, u
		return nil
	}
	return fmt.Errorf("srp: no usable private value in %d draws", maxEphemeralTries)
}

// Challenge returns the ChallengeParameters of the PASSWORD_VERIFIER
// challenge, as Cognito sends them: SALT and SRP_B in lower-case hex,
// SECRET_BLOCK in base64, and USER_ID_FOR_SRP and USERNAME both the
// user's id for SRP.
func (s *Server) Challenge() map[string]string {
	return map[string]string{
		"SALT":            hex.EncodeToString(s.salt),
		"SRP_B":           s.bigB.Text(16),
		"SECRET_BLOCK":    s.secretB64,
		"USER_ID_FOR_SRP": s.userID,
		"USERNAME":        s.userID,
	}
}

// Verify checks the ChallengeResponses of the PASSWORD_VERIFIER challenge:
// PASSWORD_CLAIM_SECRET_BLOCK must be this challenge's SECRET_BLOCK,
// TIMESTAMP within TimestampTolerance of now, and PASSWORD_CLAIM_SIGNATURE
// the signature only the holder of the password can make. A malformed
// TIMESTAMP is reported with ErrInvalidTimestamp, anything else with
// ErrInvalidProof. Only the first call can succeed.
//
// Like Cognito, Verify signs the timestamp as it formats it rather than
// as it was sent, so a zero-padded day or a wrong weekday fails as a
// wrong password does, not as a format error.
func (s *Server) Verify(responses map[string]string, now time.Time) error {
	if !s.answered.CompareAndSwap(false, true) {
		return fmt.Errorf("%w: the challenge was already answered", ErrInvalidProof)
	}
	if subtle.ConstantTimeCompare([]byte(responses["PASSWORD_CLAIM_SECRET_BLOCK"]), []byte(s.secretB64)) != 1 {
		return fmt.Errorf("%w: PASSWORD_CLAIM_SECRET_BLOCK is not this challenge's SECRET_BLOCK", ErrInvalidProof)
	}
	signedAt, err := parseTimestamp(responses["TIMESTAMP"])
	if err != nil {
		return err
	}
	if skew := now.Sub(signedAt).Abs(); skew > TimestampTolerance {
		return fmt.Errorf("%w: TIMESTAMP %q is %v from the server's clock", ErrInvalidProof, responses["TIMESTAMP"], skew.Round(time.Second))
	}
	sig, err := base64.StdEncoding.DecodeString(responses["PASSWORD_CLAIM_SIGNATURE"])
	if err != nil {
		return fmt.Errorf("%w: PASSWORD_CLAIM_SIGNATURE is not base64: %w", ErrInvalidProof, err)
	}
	key, err := s.sessionKey()
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(s.poolName))
	mac.Write([]byte(s.userID))
	mac.Write(s.secretBlock)
	mac.Write([]byte(timestamp(signedAt)))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return fmt.Errorf("%w: signature does not match", ErrInvalidProof)
	}
	return nil
}

// sessionKey derives the key the client signed with, from the server's
// view of the shared secret: S = (A·v^u)^b mod N.
func (s *Server) sessionKey() ([]byte, error) {
	base := new(big.Int).Exp(s.v, s.u, bigN)
	base.Mul(base, s.bigA)
	base.Mod(base, bigN)
	return derivedKey(new(big.Int).Exp(base, s.b, bigN), s.u)
}

// parseTimestamp reads a TIMESTAMP. Go's parser, like Java's that Cognito
// uses, takes a one- or two-digit day and does not check the weekday; the
// signature over the re-formatted time catches both.
func parseTimestamp(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("%w: TIMESTAMP is missing", ErrInvalidTimestamp)
	}
	t, err := time.Parse(timestampLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q: %w", ErrInvalidTimestamp, s, err)
	}
	return t, nil
}
