package smoke

import (
	"encoding/base64"
	"strings"
	"testing"
)

func jwt(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256"}`)) + "." + enc([]byte(payload)) + ".c2ln"
}

func TestClaim(t *testing.T) {
	tok := jwt(`{"sub":"abc","exp":1790000000,"scope":"a b"}`)
	for name, want := range map[string]string{"sub": "abc", "exp": "1790000000", "scope": "a b"} {
		if got, err := claim(tok, name); err != nil || got != want {
			t.Errorf("claim(%s) = %q, %v; want %q", name, got, err, want)
		}
	}
	if _, err := claim(tok, "missing"); err == nil {
		t.Error("claim of a missing name succeeded")
	}
	if _, err := claim("not.a-jwt", "sub"); err == nil {
		t.Error("claim of a non-JWT succeeded")
	}
}

func TestTamperChangesOnlyThePayload(t *testing.T) {
	tok := jwt(`{"sub":"abcdefghijklmnopqrstuvwxyz"}`)
	got := tamper(tok)
	a, b := strings.Split(tok, "."), strings.Split(got, ".")
	if got == tok || a[0] != b[0] || a[2] != b[2] || a[1] == b[1] || len(a[1]) != len(b[1]) {
		t.Errorf("tamper(%s) = %s", tok, got)
	}
}
