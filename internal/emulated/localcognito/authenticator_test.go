package localcognito

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// authenticator is a software passkey: an ES256 key pair that answers
// WebAuthn creation and request options as a browser and its
// authenticator would, from origin. Its fields let a test misbehave: sign
// for another relying party or origin, drop the UP or UV flag, send a
// lower counter.
type authenticator struct {
	t      *testing.T
	key    *ecdsa.PrivateKey
	id     []byte
	origin string
	rpID   string // the relying party it signs for; "" takes the options'
	absent bool   // no user presence: the UP flag is not set
	uv     bool
	count  uint32
}

func newAuthenticator(t *testing.T, origin string) *authenticator {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 32)
	_, _ = rand.Read(id)
	return &authenticator{t: t, key: key, id: id, origin: origin, uv: true}
}

var b64 = base64.RawURLEncoding

// clientData is the clientDataJSON of a ceremony.
func (a *authenticator) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.origin, "crossOrigin": false})
	return b
}

// authData is the authenticator data: rpIdHash, flags, counter and, when
// attested, the credential's id and COSE public key.
func (a *authenticator) authData(rpID string, attested bool) []byte {
	if a.rpID != "" {
		rpID = a.rpID
	}
	h := sha256.Sum256([]byte(rpID))
	var flags byte
	if !a.absent {
		flags |= 0x01 // UP
	}
	if a.uv {
		flags |= 0x04
	}
	if attested {
		flags |= 0x40
	}
	out := append(h[:], flags)
	out = binary.BigEndian.AppendUint32(out, a.count)
	if !attested {
		return out
	}
	out = append(out, make([]byte, 16)...) // AAGUID
	out = binary.BigEndian.AppendUint16(out, uint16(len(a.id)))
	out = append(out, a.id...)
	x, y := a.key.X.FillBytes(make([]byte, 32)), a.key.Y.FillBytes(make([]byte, 32))
	cose, err := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
	if err != nil {
		a.t.Fatal(err)
	}
	return append(out, cose...)
}

// create answers CredentialCreationOptions with a RegistrationResponseJSON
// whose attestation is "none".
func (a *authenticator) create(options map[string]any) map[string]any {
	a.t.Helper()
	rp, _ := options["rp"].(map[string]any)
	rpID, _ := rp["id"].(string)
	challenge, _ := options["challenge"].(string)
	att, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": a.authData(rpID, true)})
	if err != nil {
		a.t.Fatal(err)
	}
	return map[string]any{
		"id": b64.EncodeToString(a.id), "rawId": b64.EncodeToString(a.id), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(a.clientData("webauthn.create", challenge)),
			"attestationObject": b64.EncodeToString(att),
			"transports":        []string{"internal"},
		},
	}
}

// get answers CREDENTIAL_REQUEST_OPTIONS (a JSON string) with an
// AuthenticationResponseJSON string, after counting one more use.
func (a *authenticator) get(requestOptions string) string {
	a.t.Helper()
	var options struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
	}
	if err := json.Unmarshal([]byte(requestOptions), &options); err != nil {
		a.t.Fatalf("CREDENTIAL_REQUEST_OPTIONS %s: %v", requestOptions, err)
	}
	a.count++
	data := a.authData(options.RPID, false)
	client := a.clientData("webauthn.get", options.Challenge)
	ch := sha256.Sum256(client)
	digest := sha256.Sum256(append(append([]byte{}, data...), ch[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		a.t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.id), "rawId": b64.EncodeToString(a.id), "type": "public-key",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(client),
			"authenticatorData": b64.EncodeToString(data),
			"signature":         b64.EncodeToString(sig),
		},
	})
	return string(b)
}
