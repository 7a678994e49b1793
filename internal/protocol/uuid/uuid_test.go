package uuid

import (
	"regexp"
	"testing"
)

func TestV4(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := New(), New()
	if !v4.MatchString(a) || a == b {
		t.Errorf("New() = %q, %q", a, b)
	}
	if got := V4([16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}); got != "ffffffff-ffff-4fff-bfff-ffffffffffff" {
		t.Errorf("V4(all ones) = %s", got)
	}
}

// TestV5 checks RFC 9562's example: the URL namespace's name-based UUID of
// "www.example.com" in the DNS namespace is 2ed6657d-e927-568b-95e1-2665a8aea6a2.
func TestV5(t *testing.T) {
	dns := [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	if got := V5(dns, "www.example.com"); got != "2ed6657d-e927-568b-95e1-2665a8aea6a2" {
		t.Errorf("V5(DNS, www.example.com) = %s", got)
	}
}
