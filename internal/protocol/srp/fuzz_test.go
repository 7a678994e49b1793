package srp

import (
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

// FuzzRespond feeds arbitrary challenge parameters to Respond. Whatever
// Cognito (or something impersonating it) sends, Respond must not panic,
// must return either responses or an error, and any responses it does
// return must be well formed.
func FuzzRespond(f *testing.F) {
	rv := loadReferenceVectors(f)
	for _, v := range rv.Vectors {
		f.Add(v.Salt, v.SRPB, v.SecretBlock, v.UserIDForSRP, v.UserIDForSRP, v.TypedUsername, v.Password)
	}
	n := strings.ToLower(nHex)
	f.Add("00", "0", "QUJD", "u", "", "", "p")
	f.Add("ff", n, "QUJD", "u", "u", "u", "p")
	f.Add("1", new(big.Int).Sub(bigN, big.NewInt(1)).Text(16), "QQ==", "", "", "typed", "p")
	f.Add("-1", "+2", "====", "u", "u", "u", "")
	f.Add("abc", "2", "\n", "\x00", "\xff", "", "\x00")

	v := rv.Vectors[0]
	poolName, err := PoolName(v.PoolID)
	if err != nil {
		f.Fatal(err)
	}
	c, err := newClientWithA(poolName, hexInt(f, v.SmallA))
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 1, 5, 7, 8, 9, 0, time.UTC)

	f.Fuzz(func(t *testing.T, salt, srpB, secretBlock, userIDForSRP, username, typed, password string) {
		params := map[string]string{
			"SALT":            salt,
			"SRP_B":           srpB,
			"SECRET_BLOCK":    secretBlock,
			"USER_ID_FOR_SRP": userIDForSRP,
			"USERNAME":        username,
		}
		resp, err := c.Respond(typed, password, params, now)
		if err != nil {
			if resp != nil {
				t.Fatalf("Respond returned responses and error %v", err)
			}
			if password != "" && !errors.Is(err, ErrInvalidChallenge) {
				t.Fatalf("challenge error does not wrap ErrInvalidChallenge: %v", err)
			}
			return
		}
		if resp["USERNAME"] == "" {
			t.Error("empty USERNAME in responses")
		}
		if resp["PASSWORD_CLAIM_SECRET_BLOCK"] != secretBlock {
			t.Error("secret block not echoed verbatim")
		}
		if resp["TIMESTAMP"] != "Mon Jan 5 07:08:09 UTC 2026" {
			t.Errorf("TIMESTAMP = %q", resp["TIMESTAMP"])
		}
		sig, err := base64.StdEncoding.DecodeString(resp["PASSWORD_CLAIM_SIGNATURE"])
		if err != nil || len(sig) != 32 {
			t.Errorf("signature %q is not base64 of 32 bytes", resp["PASSWORD_CLAIM_SIGNATURE"])
		}
	})
}

// FuzzServer feeds arbitrary SRP_A values and answers to the server. It
// must not panic, must refuse SRP_A values it cannot use with ErrInvalidA,
// and must accept no answer but the one a client with the password makes.
func FuzzServer(f *testing.F) {
	const pool, user, password = "PoolF", "uuid-f", "Passw0rd!"
	salt, v := NewVerifier(pool, user, password)
	now := time.Date(2026, 1, 5, 7, 8, 9, 0, time.UTC)
	c, err := NewClient("us-east-1_" + pool)
	if err != nil {
		f.Fatal(err)
	}
	n := strings.ToLower(nHex)
	f.Add(c.A(), false, "", "Mon Jan 5 07:08:09 UTC 2026", "")
	f.Add(c.A(), true, "QUJD", "Mon Jan 05 07:08:09 UTC 2026", "AAAA")
	f.Add("0", false, "", "", "")
	f.Add(n, true, "", "Mon Jan 5 07:08:09 GMT 2026", "====")
	f.Add("-"+n, true, "\x00", "Mon Jan 5 25:08:09 UTC 2026", "\xff")
	f.Add("2", false, "", "Sun Feb 30 07:08:09 UTC 2026", "")

	f.Fuzz(func(t *testing.T, srpA string, forge bool, secretBlock, ts, signature string) {
		s, err := NewServer(pool, user, salt, v, srpA)
		if err != nil {
			if !errors.Is(err, ErrInvalidA) {
				t.Fatalf("NewServer(%q): error does not wrap ErrInvalidA: %v", srpA, err)
			}
			return
		}
		resp := map[string]string{
			"USERNAME":                    user,
			"PASSWORD_CLAIM_SECRET_BLOCK": secretBlock,
			"TIMESTAMP":                   ts,
			"PASSWORD_CLAIM_SIGNATURE":    signature,
		}
		if !forge {
			// An honest client's block, with the fuzzed timestamp and
			// signature: still no way in without the password.
			resp["PASSWORD_CLAIM_SECRET_BLOCK"] = s.Challenge()["SECRET_BLOCK"]
		}
		err = s.Verify(resp, now)
		if err == nil {
			t.Fatalf("Verify accepted a forged answer %v for A=%.40q", resp, srpA)
		}
		if !errors.Is(err, ErrInvalidProof) && !errors.Is(err, ErrInvalidTimestamp) {
			t.Fatalf("Verify error wraps no sentinel: %v", err)
		}
	})
}
