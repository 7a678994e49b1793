package localcognito

import (
	"crypto/rand"
	"math/big"
	"strings"
	"unicode"
	"unicode/utf8"
)

// symbols are the characters Cognito counts as special characters in a
// password (the space counts too, but not leading or trailing).
const symbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "

// maxPasswordLength is the API's limit on a password.
const maxPasswordLength = 256

// checkPasswordShape applies the API's constraints on a password member,
// which AWS checks before the pool's policy: not empty, at most 256
// characters, no leading or trailing white space.
func checkPasswordShape(member, password string) error {
	if password == "" {
		var v validation
		v.required(member, password)
		return v.err()
	}
	first, _ := utf8.DecodeRuneInString(password)
	last, _ := utf8.DecodeLastRuneInString(password)
	if utf8.RuneCountInString(password) > maxPasswordLength || unicode.IsSpace(first) || unicode.IsSpace(last) {
		return invalidParameter("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$", member)
	}
	return nil
}

// check reports the first rule of the pool's policy the password
// breaks, in Cognito's words.
func (p PasswordPolicy) check(password string) error {
	var upper, lower, digit, symbol bool
	for _, r := range password {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(symbols, r):
			symbol = true
		}
	}
	var broken string
	switch {
	case utf8.RuneCountInString(password) < p.MinLength:
		broken = "Password not long enough"
	case p.RequireLowercase && !lower:
		broken = "Password must have lowercase characters"
	case p.RequireUppercase && !upper:
		broken = "Password must have uppercase characters"
	case p.RequireNumbers && !digit:
		broken = "Password must have numeric characters"
	case p.RequireSymbols && !symbol:
		broken = "Password must have symbol characters"
	default:
		return nil
	}
	return apiError(errInvalidPassword, "Password did not conform with policy: %s", broken)
}

// temporaryPassword makes a password that satisfies the policy, as Cognito
// does when AdminCreateUser is not given one.
func (p PasswordPolicy) temporaryPassword() string {
	const (
		uppers = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		lowers = "abcdefghijkmnopqrstuvwxyz"
		digits = "23456789"
		// Symbols that survive shells and URLs, so a pasted temporary
		// password works on the command line.
		syms = "^$*.!@#%&_=+-"
	)
	n := max(p.MinLength, 12)
	out := []byte{pick(uppers), pick(lowers), pick(digits), pick(syms)}
	all := uppers + lowers + digits + syms
	for len(out) < n {
		out = append(out, pick(all))
	}
	for i := len(out) - 1; i > 0; i-- {
		j := randInt(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

func pick(set string) byte { return set[randInt(len(set))] }

func randInt(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic("localcognito: crypto/rand failed: " + err.Error())
	}
	return int(v.Int64())
}

// newCode is a six-digit confirmation code.
func newCode() string {
	const digits = "0123456789"
	b := make([]byte, 6)
	for i := range b {
		b[i] = pick(digits)
	}
	return string(b)
}
