package localcognito

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// newUUID is a random (version 4) UUID, the form of Cognito's subs, jtis
// and event ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return uuidFrom(b)
}

// uuidFrom formats 16 bytes as a version 4 UUID, overwriting the version
// and variant bits.
func uuidFrom(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func newRequestID() string { return newUUID() }

// randomKID has the form of Cognito's key ids: standard base64 of 32 bytes.
func randomKID() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	sum := sha256.Sum256(b[:])
	return base64.StdEncoding.EncodeToString(sum[:])
}

// opaqueToken is an unguessable bearer string for refresh tokens and
// authentication sessions.
func opaqueToken() string {
	var b [48]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
