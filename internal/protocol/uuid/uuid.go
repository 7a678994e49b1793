// Package uuid makes the UUIDs the emulated services hand out: random ones
// (Cognito subs, request ids) and name-based ones (identity ids, which must
// be the same for the same sign-in on every run).
package uuid

import (
	"crypto/rand"
	"crypto/sha1"
	"fmt"
)

// New is a random (version 4) UUID.
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return V4(b)
}

// V4 formats 16 bytes as a version 4 UUID, overwriting the version and
// variant bits.
func V4(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return format(b)
}

// URLNamespace is RFC 9562's namespace for names that are URLs.
var URLNamespace = [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// V5 is the name-based (SHA-1, version 5) UUID of name in namespace.
func V5(namespace [16]byte, name string) string {
	h := sha1.New()
	h.Write(namespace[:])
	h.Write([]byte(name))
	var b [16]byte
	copy(b[:], h.Sum(nil))
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return format(b)
}

func format(b [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
