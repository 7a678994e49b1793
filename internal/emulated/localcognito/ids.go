package localcognito

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"

	"github.com/portcullis-cdk/portcullis/internal/protocol/uuid"
)

// newUUID is a random (version 4) UUID, the form of Cognito's subs, jtis
// and event ids.
func newUUID() string { return uuid.New() }

func newRequestID() string { return uuid.New() }

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
