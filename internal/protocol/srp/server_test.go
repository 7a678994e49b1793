package srp

import (
	"bytes"
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

// The oracle below is the server half of Cognito's SRP variant written a
// second time, in the reference's hex-string style (padHex, hexHash) and
// with a hand-rolled HKDF rather than on top of the package's helpers, so
// that a mistake in Server or NewVerifier would have to be made twice, in
// two different ways, to go unnoticed.

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

func oracleN() *big.Int { return hexToInt(nHex) }

func oracleK() *big.Int {
	return hexToInt(hexHash(hexPad(oracleN()) + hexPad(big.NewInt(2))))
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

// oracleVerifier is v = g^x for the salt as sent in SALT.
func oracleVerifier(poolName, userID, password, saltHex string) *big.Int {
	inner := sha256.Sum256([]byte(poolName + userID + ":" + password))
	x := hexToInt(hexHash(hexPad(hexToInt(saltHex)) + hex.EncodeToString(inner[:])))
	return new(big.Int).Exp(big.NewInt(2), x, oracleN())
}

// oracleVerify checks a PASSWORD_VERIFIER answer to s's challenge the way
// Cognito must, from s's private b and verifier only: S = (A·v^u)^b mod N,
// the key derivation, and the signature over the echoed secret block and
// the client's timestamp.
func oracleVerify(s *Server, srpA string, resp map[string]string) error {
	N := oracleN()
	bigA := hexToInt(srpA)
	if new(big.Int).Mod(bigA, N).Sign() == 0 {
		return errors.New("A mod N is zero")
	}
	bigB := new(big.Int).Mul(oracleK(), s.v)
	bigB.Add(bigB, new(big.Int).Exp(big.NewInt(2), s.b, N))
	bigB.Mod(bigB, N)
	if bigB.Text(16) != s.Challenge()["SRP_B"] {
		return errors.New("SRP_B is not k·v + g^b")
	}
	u := hexToInt(hexHash(hexPad(bigA) + hexPad(bigB)))
	base := new(big.Int).Mul(bigA, new(big.Int).Exp(s.v, u, N))
	S := new(big.Int).Exp(base.Mod(base, N), s.b, N)

	sBytes, _ := hex.DecodeString(hexPad(S))
	uBytes, _ := hex.DecodeString(hexPad(u))
	key := hkdf16(sBytes, uBytes, "Caldera Derived Key")

	secret, err := base64.StdEncoding.DecodeString(resp["PASSWORD_CLAIM_SECRET_BLOCK"])
	if err != nil || !bytes.Equal(secret, s.secretBlock) {
		return errors.New("secret block not echoed")
	}
	ts := resp["TIMESTAMP"]
	if _, err := time.Parse("Mon Jan 2 15:04:05 UTC 2006", ts); err != nil {
		return fmt.Errorf("bad TIMESTAMP %q: %v", ts, err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(s.poolName + s.userID))
	mac.Write(secret)
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

func TestOracleKMatchesPackage(t *testing.T) {
	if oracleK().Cmp(bigK) != 0 {
		t.Fatal("oracle and package disagree on k")
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

// account is a user as a pool stores them.
type account struct {
	poolName, userID string
	salt, verifier   []byte
}

func newAccount(rng *rand.ChaCha8, poolName, userID, password string, saltLen int) account {
	salt := make([]byte, saltLen)
	rng.Read(salt)
	return account{poolName, userID, salt, verifierFor(poolName, userID, password, salt)}
}

func (a account) server(t *testing.T, rng *rand.ChaCha8, srpA string) *Server {
	t.Helper()
	s, err := newServer(rng, a.poolName, a.userID, a.salt, a.verifier, srpA)
	if err != nil {
		t.Fatalf("newServer: %v", err)
	}
	return s
}

// TestClientServerAgree runs whole sign-ins between Client and Server with
// random accounts, salts and times, and has the oracle check every proof
// the server accepts. It guards the algebra (the client's S must equal the
// server's) and the consistent use of every encoding on both sides.
func TestClientServerAgree(t *testing.T) {
	iterations := 24
	if testing.Short() {
		iterations = 6
	}
	key := [32]byte{'p', 'o', 'r', 't', 'c', 'u', 'l', 'l', 'i', 's'}
	chacha := rand.NewChaCha8(key)
	rng := rand.New(chacha)
	for i := range iterations {
		poolName := fmt.Sprintf("Pool%d", rng.IntN(1e6))
		userID := randomText(rng, 1+rng.IntN(40))
		password := randomText(rng, 1+rng.IntN(64))
		acct := newAccount(chacha, poolName, userID, password, 1+rng.IntN(32))
		if got, want := new(big.Int).SetBytes(acct.verifier), oracleVerifier(poolName, userID, password, hex.EncodeToString(acct.salt)); got.Cmp(want) != 0 {
			t.Fatalf("iteration %d: verifier disagrees with the oracle", i)
		}

		c, err := newClient("us-east-1_"+poolName, chacha)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Unix(rng.Int64N(4e9), 0)
		srv := acct.server(t, chacha, c.A())
		resp, err := c.Respond("typed-alias", password, srv.Challenge(), now)
		if err != nil {
			t.Fatalf("iteration %d: Respond: %v", i, err)
		}
		if err := oracleVerify(srv, c.A(), resp); err != nil {
			t.Fatalf("iteration %d (user %q, salt %x): oracle rejected the proof: %v", i, userID, acct.salt, err)
		}
		if err := srv.Verify(resp, now); err != nil {
			t.Fatalf("iteration %d (user %q, salt %x): server rejected the proof: %v", i, userID, acct.salt, err)
		}
		if resp["USERNAME"] != userID {
			t.Errorf("iteration %d: USERNAME = %q, want %q", i, resp["USERNAME"], userID)
		}

		srv = acct.server(t, chacha, c.A())
		wrong, err := c.Respond(userID, password+"!", srv.Challenge(), now)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Verify(wrong, now); !errors.Is(err, ErrInvalidProof) {
			t.Fatalf("iteration %d: wrong password: err = %v, want ErrInvalidProof", i, err)
		}

		srv = acct.server(t, chacha, c.A())
		redated, err := c.Respond(userID, password, srv.Challenge(), now)
		if err != nil {
			t.Fatal(err)
		}
		redated["TIMESTAMP"] = timestamp(now.Add(time.Second))
		if err := srv.Verify(redated, now); !errors.Is(err, ErrInvalidProof) {
			t.Fatalf("iteration %d: re-dated proof: err = %v, want ErrInvalidProof", i, err)
		}
	}
}

// TestServerSaltLeadingZeros pins a salt whose hex starts with zero bytes:
// both sides must hash the integer, not the digits as sent.
func TestServerSaltLeadingZeros(t *testing.T) {
	chacha := rand.NewChaCha8([32]byte{1})
	acct := newAccount(chacha, "PoolZ", "zed", "pw", 16)
	acct.salt[0], acct.salt[1] = 0, 0
	acct.verifier = verifierFor("PoolZ", "zed", "pw", acct.salt)

	c, err := newClient("us-east-1_PoolZ", chacha)
	if err != nil {
		t.Fatal(err)
	}
	srv := acct.server(t, chacha, c.A())
	if salt := srv.Challenge()["SALT"]; !strings.HasPrefix(salt, "0000") || len(salt) != 32 {
		t.Fatalf("SALT = %s, want 32 digits starting 0000", salt)
	}
	now := time.Now()
	resp, err := c.Respond("zed", "pw", srv.Challenge(), now)
	if err != nil {
		t.Fatal(err)
	}
	if err := oracleVerify(srv, c.A(), resp); err != nil {
		t.Fatalf("oracle rejected proof with salt %x: %v", acct.salt, err)
	}
	if err := srv.Verify(resp, now); err != nil {
		t.Fatalf("server rejected proof with salt %x: %v", acct.salt, err)
	}
}

func TestNewVerifier(t *testing.T) {
	salt1, v1 := NewVerifier("PoolV", "uuid-1", "Passw0rd!")
	salt2, v2 := NewVerifier("PoolV", "uuid-1", "Passw0rd!")
	if len(salt1) != saltBytes || bytes.Equal(salt1, salt2) || bytes.Equal(v1, v2) {
		t.Errorf("two verifiers for one password: salts %x %x, same verifier %v", salt1, salt2, bytes.Equal(v1, v2))
	}
	if got, want := new(big.Int).SetBytes(v1), oracleVerifier("PoolV", "uuid-1", "Passw0rd!", hex.EncodeToString(salt1)); got.Cmp(want) != 0 {
		t.Error("NewVerifier disagrees with the oracle")
	}
}

// TestServerChallenge checks the challenge's shape and that each sign-in
// gets its own B and secret block.
func TestServerChallenge(t *testing.T) {
	salt, v := NewVerifier("PoolC", "uuid-2", "pw")
	c, err := NewClient("eu-west-2_PoolC")
	if err != nil {
		t.Fatal(err)
	}
	s1, err := NewServer("PoolC", "uuid-2", salt, v, c.A())
	if err != nil {
		t.Fatal(err)
	}
	s2, err := NewServer("PoolC", "uuid-2", salt, v, c.A())
	if err != nil {
		t.Fatal(err)
	}
	ch1, ch2 := s1.Challenge(), s2.Challenge()
	if ch1["SRP_B"] == ch2["SRP_B"] || ch1["SECRET_BLOCK"] == ch2["SECRET_BLOCK"] {
		t.Error("two sign-ins share SRP_B or SECRET_BLOCK")
	}
	if ch1["SALT"] != hex.EncodeToString(salt) || ch1["USER_ID_FOR_SRP"] != "uuid-2" || ch1["USERNAME"] != "uuid-2" || len(ch1) != 5 {
		t.Errorf("challenge = %v", ch1)
	}
	if b := hexToInt(ch1["SRP_B"]); b.Sign() <= 0 || b.Cmp(bigN) >= 0 || strings.ToLower(ch1["SRP_B"]) != ch1["SRP_B"] {
		t.Errorf("SRP_B %.20s… is not lower-case hex in [1, N)", ch1["SRP_B"])
	}
	if s1.b.BitLen() > 8*smallBBytes {
		t.Errorf("b has %d bits", s1.b.BitLen())
	}
}

func TestNewServerRejects(t *testing.T) {
	salt, v := NewVerifier("PoolR", "u", "pw")
	n := strings.ToLower(nHex)
	const zeroModN = "SRP_A mod N is zero"
	tests := []struct {
		name, srpA, wantMsg string
	}{
		{"A zero", "0", zeroModN},
		{"A zeros", "0000", zeroModN},
		{"A equals N", n, zeroModN},
		{"A equals N upper-case", nHex, zeroModN},
		{"A equals 2N", new(big.Int).Lsh(bigN, 1).Text(16), zeroModN},
		{"A above N", new(big.Int).Add(bigN, big.NewInt(1)).Text(16), "SRP_A is not less than N"},
		{"A missing", "", "SRP_A is missing"},
		{"A with sign", "-2", "not hex"},
		{"A with 0x", "0x2", "not hex"},
		{"A with space", "2 ", "not hex"},
		{"A too long", strings.Repeat("0", maxHexDigits) + "2", "hex digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewServer("PoolR", "u", salt, v, tt.srpA)
			if !errors.Is(err, ErrInvalidA) || s != nil {
				t.Fatalf("NewServer(A=%.40q) = %v, %v; want ErrInvalidA", tt.srpA, s, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
		})
	}

	c, _ := NewClient("us-east-1_PoolR")
	for name, bad := range map[string]struct{ salt, v []byte }{
		"empty salt":    {nil, v},
		"zero verifier": {salt, nil},
		"verifier ≥ N":  {salt, padBytes(bigN)},
	} {
		if _, err := NewServer("PoolR", "u", bad.salt, bad.v, c.A()); err == nil || errors.Is(err, ErrInvalidA) {
			t.Errorf("%s: err = %v, want a non-SRP_A error", name, err)
		}
	}
	if _, err := newServer(failingReader{}, "PoolR", "u", salt, v, c.A()); err == nil || !strings.Contains(err.Error(), "entropy exhausted") {
		t.Errorf("failing reader: err = %v", err)
	}
	zeros := bytes.NewReader(make([]byte, smallBBytes*maxEphemeralTries+secretBlockBytes))
	if _, err := newServer(zeros, "PoolR", "u", salt, v, c.A()); err == nil {
		t.Error("newServer accepted b = 0")
	}
}

// TestServerVerifyRejects breaks a valid answer one way at a time.
func TestServerVerifyRejects(t *testing.T) {
	const pool, user, password = "PoolX", "uuid-3", "Passw0rd!"
	salt, v := NewVerifier(pool, user, password)
	now := time.Date(2026, time.January, 5, 7, 8, 9, 0, time.UTC)

	// The sign-ins share one client, so that signedAs can sign with it.
	c, err := NewClient("us-east-1_" + pool)
	if err != nil {
		t.Fatal(err)
	}
	// answer starts a sign-in and returns the server with a correct answer.
	answer := func(t *testing.T) (*Server, map[string]string) {
		t.Helper()
		s, err := NewServer(pool, user, salt, v, c.A())
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Respond(user, password, s.Challenge(), now)
		if err != nil {
			t.Fatal(err)
		}
		resp["SRP_B"] = s.Challenge()["SRP_B"] // for signedAs; the server ignores it
		return s, resp
	}
	// signedAs makes the client sign ts, exactly as written, in place of
	// its own TIMESTAMP.
	signedAs := func(ts string) func(map[string]string) {
		return func(r map[string]string) {
			secret, _ := base64.StdEncoding.DecodeString(r["PASSWORD_CLAIM_SECRET_BLOCK"])
			key, err := c.passwordAuthenticationKey(user, password, hexToInt(r["SRP_B"]), new(big.Int).SetBytes(salt))
			if err != nil {
				t.Fatal(err)
			}
			mac := hmac.New(sha256.New, key)
			mac.Write([]byte(pool + user))
			mac.Write(secret)
			mac.Write([]byte(ts))
			r["TIMESTAMP"] = ts
			r["PASSWORD_CLAIM_SIGNATURE"] = base64.StdEncoding.EncodeToString(mac.Sum(nil))
		}
	}

	tests := []struct {
		name    string
		edit    func(resp map[string]string)
		at      time.Time
		wantErr error
		wantMsg string
	}{
		{"correct", nil, now, nil, ""},
		{"clock 5 minutes behind", nil, now.Add(-TimestampTolerance), nil, ""},
		{"clock 5 minutes ahead", nil, now.Add(TimestampTolerance), nil, ""},
		{"clock too far ahead", nil, now.Add(TimestampTolerance + time.Second), ErrInvalidProof, "from the server's clock"},
		{"clock too far behind", nil, now.Add(-TimestampTolerance - time.Second), ErrInvalidProof, "from the server's clock"},
		// A client that formats the time its own way signs what it sends;
		// the server signs its own format, as Cognito does.
		{"zero-padded day", signedAs("Mon Jan 05 07:08:09 UTC 2026"), now, ErrInvalidProof, "signature"},
		{"wrong weekday", signedAs("Tue Jan 5 07:08:09 UTC 2026"), now, ErrInvalidProof, "signature"},
		{"unpadded hour", signedAs("Mon Jan 5 7:08:09 UTC 2026"), now, ErrInvalidProof, "signature"},
		{"canonical, re-signed", signedAs("Mon Jan 5 07:08:09 UTC 2026"), now, nil, ""},
		{"another zone", func(r map[string]string) { r["TIMESTAMP"] = "Mon Jan 5 07:08:09 GMT 2026" }, now, ErrInvalidTimestamp, "GMT"},
		{"ISO timestamp", func(r map[string]string) { r["TIMESTAMP"] = "2026-01-05T07:08:09Z" }, now, ErrInvalidTimestamp, "2026-01-05"},
		{"no timestamp", func(r map[string]string) { delete(r, "TIMESTAMP") }, now, ErrInvalidTimestamp, "missing"},
		{"other secret block", func(r map[string]string) { r["PASSWORD_CLAIM_SECRET_BLOCK"] = "QUJD" }, now, ErrInvalidProof, "SECRET_BLOCK"},
		{"no secret block", func(r map[string]string) { delete(r, "PASSWORD_CLAIM_SECRET_BLOCK") }, now, ErrInvalidProof, "SECRET_BLOCK"},
		{"signature not base64", func(r map[string]string) { r["PASSWORD_CLAIM_SIGNATURE"] = "!!" }, now, ErrInvalidProof, "base64"},
		{"signature truncated", func(r map[string]string) {
			sig, _ := base64.StdEncoding.DecodeString(r["PASSWORD_CLAIM_SIGNATURE"])
			r["PASSWORD_CLAIM_SIGNATURE"] = base64.StdEncoding.EncodeToString(sig[:16])
		}, now, ErrInvalidProof, "signature"},
		{"no signature", func(r map[string]string) { delete(r, "PASSWORD_CLAIM_SIGNATURE") }, now, ErrInvalidProof, "signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, resp := answer(t)
			if tt.edit != nil {
				tt.edit(resp)
			}
			err := s.Verify(resp, tt.at)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Verify: err = %v, want %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
		})
	}

	t.Run("replayed", func(t *testing.T) {
		s, resp := answer(t)
		if err := s.Verify(resp, now); err != nil {
			t.Fatal(err)
		}
		if err := s.Verify(maps.Clone(resp), now); !errors.Is(err, ErrInvalidProof) {
			t.Errorf("second Verify: err = %v, want ErrInvalidProof", err)
		}
	})
	t.Run("right answer after a wrong one", func(t *testing.T) {
		s, resp := answer(t)
		wrong := maps.Clone(resp)
		wrong["PASSWORD_CLAIM_SIGNATURE"] = base64.StdEncoding.EncodeToString(make([]byte, 32))
		if err := s.Verify(wrong, now); !errors.Is(err, ErrInvalidProof) {
			t.Fatal(err)
		}
		if err := s.Verify(resp, now); !errors.Is(err, ErrInvalidProof) {
			t.Errorf("Verify after a failed attempt: err = %v, want ErrInvalidProof", err)
		}
	})
}

// TestParseTimestampReference: every TIMESTAMP the reference client sent
// parses, and formats back to itself.
func TestParseTimestampReference(t *testing.T) {
	for _, v := range loadReferenceVectors(t).Vectors {
		ts := v.WantResponses["TIMESTAMP"]
		got, err := parseTimestamp(ts)
		if err != nil {
			t.Errorf("%s: %v", ts, err)
			continue
		}
		if timestamp(got) != ts || got.Unix() != v.TimeUnix {
			t.Errorf("parseTimestamp(%q) = %v, formats as %q", ts, got, timestamp(got))
		}
	}
}
