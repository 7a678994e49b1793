package srp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// testServer is the server half of Cognito's SRP variant, for tests only.
// It is written in the reference's hex-string style (padHex, hexHash) and
// derives its key with a hand-rolled HKDF rather than on top of the
// package's helpers, so that a mistake would have to be made twice, in two
// different ways, to go unnoticed.
type testServer struct {
	poolName    string
	userID      string
	saltHex     string
	v           *big.Int // verifier g^x
	b, bigB     *big.Int
	secretBlock []byte
}

func hexPad(n *big.Int) string {
	h := n.Text(16)
	switch {
	case len(h)%2 == 1:
		h = "0" + h
	case strings.ContainsRune("89abcdef", rune(h[0])):
		h = "00" + h
	}
	return h
}

func hexHash(hexStr string) string {
	b, err := hex.DecodeString(hexStr)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func hexToInt(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("bad hex " + s)
	}
	return n
}

func serverN() *big.Int { return hexToInt(nHex) }

func serverK() *big.Int {
	return hexToInt(hexHash(hexPad(serverN()) + hexPad(big.NewInt(2))))
}

// hkdf16 is RFC 5869 with SHA-256 for a 16-byte output: one expand block.
func hkdf16(ikm, salt []byte, info string) []byte {
	extract := hmac.New(sha256.New, salt)
	extract.Write(ikm)
	prk := extract.Sum(nil)
	expand := hmac.New(sha256.New, prk)
	expand.Write([]byte(info))
	expand.Write([]byte{1})
	return expand.Sum(nil)[:16]
}

// newTestServer registers a user (salt and verifier, as at sign-up) and
// starts a sign-in (b and B, as at InitiateAuth).
func newTestServer(rng *rand.ChaCha8, poolName, userID, password string, saltLen, secretLen int) *testServer {
	N, g := serverN(), big.NewInt(2)
	salt := make([]byte, saltLen)
	rng.Read(salt)
	s := &testServer{poolName: poolName, userID: userID, saltHex: hex.EncodeToString(salt)}

	inner := sha256.Sum256([]byte(poolName + userID + ":" + password))
	x := hexToInt(hexHash(hexPad(hexToInt(s.saltHex)) + hex.EncodeToString(inner[:])))
	s.v = new(big.Int).Exp(g, x, N)

	bBytes := make([]byte, 32)
	for {
		rng.Read(bBytes)
		s.b = new(big.Int).SetBytes(bBytes)
		s.bigB = new(big.Int).Mul(serverK(), s.v)
		s.bigB.Add(s.bigB, new(big.Int).Exp(g, s.b, N))
		s.bigB.Mod(s.bigB, N)
		if s.b.Sign() != 0 && s.bigB.Sign() != 0 {
			break
		}
	}
	s.secretBlock = make([]byte, secretLen)
	rng.Read(s.secretBlock)
	return s
}

func (s *testServer) challenge(username string) map[string]string {
	return map[string]string{
		"SALT":            s.saltHex,
		"SRP_B":           s.bigB.Text(16),
		"SECRET_BLOCK":    base64.StdEncoding.EncodeToString(s.secretBlock),
		"USER_ID_FOR_SRP": s.userID,
		"USERNAME":        username,
	}
}

// verify checks a PASSWORD_VERIFIER response the way Cognito must: S =
// (A·v^u)^b mod N, the same key derivation, and the signature over the
// echoed secret block and the client's timestamp.
func (s *testServer) verify(srpA string, resp map[string]string) error {
	N := serverN()
	bigA := hexToInt(srpA)
	if new(big.Int).Mod(bigA, N).Sign() == 0 {
		return errors.New("A mod N is zero")
	}
	u := hexToInt(hexHash(hexPad(bigA) + hexPad(s.bigB)))
	base := new(big.Int).Mul(bigA, new(big.Int).Exp(s.v, u, N))
	S := new(big.Int).Exp(base.Mod(base, N), s.b, N)

	sHex, uHex := hexPad(S), hexPad(u)
	sBytes, _ := hex.DecodeString(sHex)
	uBytes, _ := hex.DecodeString(uHex)
	key := hkdf16(sBytes, uBytes, "Caldera Derived Key")

	if resp["PASSWORD_CLAIM_SECRET_BLOCK"] != base64.StdEncoding.EncodeToString(s.secretBlock) {
		return errors.New("secret block not echoed")
	}
	ts := resp["TIMESTAMP"]
	if _, err := time.Parse("Mon Jan 2 15:04:05 UTC 2006", ts); err != nil {
		return fmt.Errorf("bad TIMESTAMP %q: %v", ts, err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(s.poolName + s.userID))
	mac.Write(s.secretBlock)
	mac.Write([]byte(ts))
	got, err := base64.StdEncoding.DecodeString(resp["PASSWORD_CLAIM_SIGNATURE"])
	if err != nil {
		return fmt.Errorf("signature not base64: %v", err)
	}
	if !hmac.Equal(got, mac.Sum(nil)) {
		return errors.New("signature mismatch")
	}
	return nil
}

func TestServerKMatchesClient(t *testing.T) {
	if serverK().Cmp(bigK) != 0 {
		t.Fatal("test server and client disagree on k")
	}
}

// randomText returns a string of n random runes drawn from ASCII and from
// multi-byte ranges, so UTF-8 encoding of names and passwords is covered.
func randomText(rng *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		var r rune
		switch rng.IntN(4) {
		case 0, 1:
			r = rune(0x21 + rng.IntN(0x5e))
		case 2:
			r = rune(0xa0 + rng.IntN(0x700))
		default:
			r = rune(0x1f300 + rng.IntN(0x100))
		}
		if !utf8.ValidRune(r) {
			r = 'x'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestClientServerAgree runs whole sign-ins between the client and the
// test server with random accounts, salts, secret blocks and times. It
// guards the algebra (the client's S must equal the server's) and the
// consistent use of every encoding on both sides.
func TestClientServerAgree(t *testing.T) {
	iterations := 24
	if testing.Short() {
		iterations = 6
	}
	seed := [32]byte{'p', 'o', 'r', 't', 'c', 'u', 'l', 'l', 'i', 's'}
	chacha := rand.NewChaCha8(seed)
	rng := rand.New(chacha)
	for i := range iterations {
		poolName := fmt.Sprintf("Pool%d", rng.IntN(1e6))
		userID := randomText(rng, 1+rng.IntN(40))
		password := randomText(rng, 1+rng.IntN(64))
		srv := newTestServer(chacha, poolName, userID, password, 1+rng.IntN(32), 1+rng.IntN(1500))

		c, err := newClient("us-east-1_"+poolName, chacha)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Unix(rng.Int64N(4e9), 0)
		resp, err := c.Respond("typed-alias", password, srv.challenge(userID), now)
		if err != nil {
			t.Fatalf("iteration %d: Respond: %v", i, err)
		}
		if err := srv.verify(c.A(), resp); err != nil {
			t.Fatalf("iteration %d (user %q, salt %s): server rejected the proof: %v", i, userID, srv.saltHex, err)
		}
		if resp["USERNAME"] != userID {
			t.Errorf("iteration %d: USERNAME = %q, want %q", i, resp["USERNAME"], userID)
		}

		wrong, err := c.Respond(userID, password+"!", srv.challenge(userID), now)
		if err != nil {
			t.Fatal(err)
		}
		if srv.verify(c.A(), wrong) == nil {
			t.Fatalf("iteration %d: server accepted a wrong password", i)
		}
		tampered := maps.Clone(resp)
		tampered["TIMESTAMP"] = timestamp(now.Add(time.Second))
		if srv.verify(c.A(), tampered) == nil {
			t.Fatalf("iteration %d: server accepted a re-dated proof", i)
		}
	}
}

// TestClientServerSaltLeadingZeros pins a salt whose hex starts with zero
// bytes: both sides must hash the integer, not the digits as sent.
func TestClientServerSaltLeadingZeros(t *testing.T) {
	chacha := rand.NewChaCha8([32]byte{1})
	srv := newTestServer(chacha, "PoolZ", "zed", "pw", 16, 64)
	srv.saltHex = "0000" + srv.saltHex[4:]
	inner := sha256.Sum256([]byte("PoolZzed:pw"))
	x := hexToInt(hexHash(hexPad(hexToInt(srv.saltHex)) + hex.EncodeToString(inner[:])))
	srv.v = new(big.Int).Exp(big.NewInt(2), x, serverN())
	srv.bigB = new(big.Int).Mul(serverK(), srv.v)
	srv.bigB.Add(srv.bigB, new(big.Int).Exp(big.NewInt(2), srv.b, serverN()))
	srv.bigB.Mod(srv.bigB, serverN())

	c, err := newClient("us-east-1_PoolZ", chacha)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Respond("zed", "pw", srv.challenge("zed"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.verify(c.A(), resp); err != nil {
		t.Fatalf("server rejected proof with salt %s: %v", srv.saltHex, err)
	}
}
