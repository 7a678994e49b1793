// Package ids makes and checks the time-ordered identifiers of todos and
// photos, and the opaque pagination cursors built from them.
//
// An id is a ULID: 26 characters of Crockford base32 holding a 48-bit Unix
// millisecond timestamp followed by 80 random bits. Ids sort as strings in
// creation order, which is what lets one descending DynamoDB Query list a
// user's items newest first.
package ids

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"sync"
	"time"
)

// Len is the length of an id in characters.
const Len = 26

// alphabet is Crockford's base32: no I, L, O or U, so ids read aloud and
// typed by hand survive.
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ErrInvalid reports a string that is not a canonical id or cursor.
var ErrInvalid = errors.New("invalid id")

// Generator makes ids. Ids made by one Generator within the same millisecond
// are strictly increasing: the random part of the previous id is incremented
// instead of drawn again, so creation order survives a burst of writes.
type Generator struct {
	mu   sync.Mutex
	ms   uint64
	last [10]byte // random part of the previous id
}

// New returns an id for now from the package's shared generator.
func New() string { return defaultGenerator.New(time.Now()) }

var defaultGenerator Generator

// New returns an id for the time t.
func (g *Generator) New(t time.Time) string {
	ms := uint64(t.UnixMilli()) & (1<<48 - 1)

	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.ms != 0 && ms <= g.ms && increment(&g.last):
		// Same millisecond, or an earlier one after the clock stepped back:
		// keep the previous timestamp and count up so ids stay ordered.
		ms = g.ms
	case g.ms != 0 && ms <= g.ms:
		// The random part overflowed (a 2^-80 chance): borrow the next
		// millisecond.
		ms = g.ms + 1
		_, _ = rand.Read(g.last[:])
	default:
		// crypto/rand.Read never fails on supported platforms (Go 1.24+).
		_, _ = rand.Read(g.last[:])
	}
	g.ms = ms

	var raw [16]byte
	for i := range 6 {
		raw[i] = byte(ms >> (40 - 8*i))
	}
	copy(raw[6:], g.last[:])
	return encode(raw)
}

// increment adds one to the big-endian number b; false when it wraps to zero.
func increment(b *[10]byte) bool {
	for i := len(b) - 1; i >= 0; i-- {
		b[i]++
		if b[i] != 0 {
			return true
		}
	}
	return false
}

func encode(raw [16]byte) string {
	// 128 bits in 26 five-bit groups: the first character carries 3 bits.
	var out [Len]byte
	hi := uint64(raw[0])<<56 | uint64(raw[1])<<48 | uint64(raw[2])<<40 | uint64(raw[3])<<32 |
		uint64(raw[4])<<24 | uint64(raw[5])<<16 | uint64(raw[6])<<8 | uint64(raw[7])
	lo := uint64(raw[8])<<56 | uint64(raw[9])<<48 | uint64(raw[10])<<40 | uint64(raw[11])<<32 |
		uint64(raw[12])<<24 | uint64(raw[13])<<16 | uint64(raw[14])<<8 | uint64(raw[15])
	for i := Len - 1; i >= 0; i-- {
		out[i] = alphabet[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// Valid reports whether s is a canonical id: 26 upper-case Crockford
// characters whose first character keeps the value within 128 bits.
func Valid(s string) bool {
	if len(s) != Len || s[0] > '7' {
		return false
	}
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool {
	switch {
	case '0' <= c && c <= '9':
		return true
	case 'A' <= c && c <= 'Z':
		return c != 'I' && c != 'L' && c != 'O' && c != 'U'
	}
	return false
}

// Time returns the creation time encoded in a valid id.
func Time(id string) (time.Time, error) {
	if !Valid(id) {
		return time.Time{}, ErrInvalid
	}
	var ms uint64
	for i := range 10 {
		ms = ms<<5 | uint64(indexOf(id[i]))
	}
	return time.UnixMilli(int64(ms)), nil
}

func indexOf(c byte) int {
	for i := range len(alphabet) {
		if alphabet[i] == c {
			return i
		}
	}
	return -1
}

// Cursor is the opaque pagination token after the item with the given id.
// Clients must not parse it; base64url keeps it URL-safe and makes clear it
// is not an id to build on.
func Cursor(id string) string { return base64.RawURLEncoding.EncodeToString([]byte(id)) }

// ParseCursor returns the id a cursor made by Cursor points after.
func ParseCursor(c string) (string, error) {
	if len(c) != base64.RawURLEncoding.EncodedLen(Len) {
		return "", ErrInvalid
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(c)
	if err != nil || !Valid(string(b)) {
		return "", ErrInvalid
	}
	return string(b), nil
}
