package jwtsign

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestVerify(t *testing.T) {
	key, err := GenerateKey("kid-1")
	if err != nil {
		t.Fatal(err)
	}
	other, err := GenerateKey("kid-1")
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{"sub": "user-1", "token_use": "access"}
	good, err := key.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	mustSign := func(k Key, h any) string {
		t.Helper()
		s, err := SignRS256(k.Private, h, claims)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tampered, _ := Segment(map[string]any{"sub": "user-2", "token_use": "access"})
	tests := []struct {
		name  string
		token string
		ok    bool
	}{
		{"signed by the key", good, true},
		{"same kid, other key", mustSign(other, header{Alg: Alg, Kid: "kid-1"}), false},
		{"other kid", mustSign(key, header{Alg: Alg, Kid: "kid-2"}), false},
		{"alg none", mustSign(key, header{Alg: "none", Kid: "kid-1"}), false},
		{"tampered claims", parts[0] + "." + tampered + "." + parts[2], false},
		{"no signature", parts[0] + "." + parts[1] + ".", false},
		{"two segments", parts[0] + "." + parts[1], false},
		{"not base64", parts[0] + ".*." + parts[2], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload, err := key.Verify(tt.token)
			if !tt.ok {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("Verify = %s, %v; want ErrInvalid", payload, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(payload, &got); err != nil || got["sub"] != "user-1" {
				t.Fatalf("payload %s, %v", payload, err)
			}
		})
	}
}

func TestPublicJWK(t *testing.T) {
	key, err := GenerateKey("kid-1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(KeySet{Keys: []JWK{key.JWK()}})
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	k := set.Keys[0]
	// 65537 is AQAB; a 2048-bit modulus is 256 bytes, 342 base64url characters.
	want := map[string]string{"alg": "RS256", "e": "AQAB", "kid": "kid-1", "kty": "RSA", "use": "sig"}
	for name, v := range want {
		if k[name] != v {
			t.Errorf("%s = %q, want %q", name, k[name], v)
		}
	}
	if len(k["n"]) != 342 {
		t.Errorf("n has %d characters, want 342", len(k["n"]))
	}
}

func TestCheck(t *testing.T) {
	good, err := GenerateKey("kid-1")
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		key  Key
		want string // empty: no error
	}{
		{"generated", good, ""},
		{"no private key", Key{ID: "kid-1"}, "no RSA private key"},
		{"no key id", Key{Private: good.Private}, "no key id"},
		{"1024 bits", Key{ID: "small", Private: small}, `"small" has 1024 bits, fewer than 2048`},
	}
	for _, tc := range cases {
		err := tc.key.Check()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: Check() = %v, want %q", tc.name, err, tc.want)
		}
	}
}
