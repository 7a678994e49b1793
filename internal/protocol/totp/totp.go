// Package totp computes time-based one-time passwords (RFC 6238) the way
// Amazon Cognito software-token MFA and authenticator apps do: HMAC-SHA-1,
// six digits, 30-second steps counted from the Unix epoch.
//
// Cognito hands out the shared secret as the SecretCode of
// AssociateSoftwareToken, in base32 without padding; Code accepts it as
// is, and also the forms people copy it in (lower case, grouped with
// spaces, padded).
package totp

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"strings"
	"time"
)

const (
	// Digits is the length of the codes Cognito accepts.
	Digits = 6
	// Period is the time step: a code is valid for the period it was
	// generated in (Cognito also tolerates some clock skew).
	Period = 30 * time.Second
)

// periodSeconds is Period in the unit of the RFC's T computation.
const periodSeconds = int64(Period / time.Second)

// Code returns the six-digit TOTP for the base32 shared secret at time t.
//
// Cognito does not accept the same code twice within its period, so a
// caller that has just used the code for t (to verify the token, say) and
// needs another should wait until NextPeriod(t).
func Code(secretBase32 string, t time.Time) (string, error) {
	key, err := DecodeSecret(secretBase32)
	if err != nil {
		return "", err
	}
	counter, err := stepAt(t)
	if err != nil {
		return "", err
	}
	return hotp(sha1.New, key, counter, Digits), nil
}

// NextPeriod returns the start of the time step after the one containing
// t, which is when the next distinct code becomes valid.
func NextPeriod(t time.Time) time.Time {
	// Truncate rounds relative to the zero time, 62135596800 s before the
	// Unix epoch, which is a whole number of periods; so this is aligned
	// to the epoch-based steps of stepAt.
	return t.Truncate(Period).Add(Period)
}

// DecodeSecret decodes a base32 shared secret (RFC 4648 alphabet). It is
// lenient where authenticator apps are: case is ignored, and spaces, tabs,
// newlines and trailing '=' padding are dropped. It rejects anything else
// outside the alphabet, impossible lengths, and an empty key.
func DecodeSecret(secretBase32 string) ([]byte, error) {
	// Upper-case ASCII only: strings.ToUpper would turn 'ſ' into 'S' and
	// 'ı' into 'I', accepting characters no base32 encoder produces.
	s := strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			return -1
		case 'a' <= r && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, secretBase32)
	s = strings.TrimRight(s, "=")
	if s == "" {
		return nil, errors.New("totp: empty secret")
	}
	// A final group of 1, 3 or 6 characters cannot come from any whole
	// number of bytes. Go's unpadded decoder drops such a group without
	// complaint, which would quietly compute codes for a truncated key.
	switch len(s) % 8 {
	case 1, 3, 6:
		return nil, fmt.Errorf("totp: secret has %d base32 characters, an impossible length", len(s))
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("totp: secret is not base32: %w", err)
	}
	return key, nil
}

// stepAt is RFC 6238's T = floor((unix time - T0) / X) with T0 = 0.
func stepAt(t time.Time) (uint64, error) {
	sec := t.Unix()
	if sec < 0 {
		return 0, fmt.Errorf("totp: time %v is before the Unix epoch", t)
	}
	return uint64(sec / periodSeconds), nil
}

// hotp is RFC 4226's HOTP with the hash and the number of digits as
// parameters, so that the RFC 6238 test vectors (eight digits, three
// hashes) exercise the same code path as the six-digit SHA-1 codes.
func hotp(h func() hash.Hash, key []byte, counter uint64, digits int) string {
	mac := hmac.New(h, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)

	// Dynamic truncation (RFC 4226 section 5.3): the low nibble of the
	// last byte picks four bytes, whose top bit is masked off so the
	// value reads the same as signed or unsigned.
	offset := sum[len(sum)-1] & 0x0f
	value := uint64(binary.BigEndian.Uint32(sum[offset:offset+4]) & 0x7fffffff)

	mod := uint64(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, value%mod)
}
