package weburl

import "testing"

func TestIsPlaceholder(t *testing.T) {
	for u, want := range map[string]bool{
		"https://app.example.com/callback": true,
		"https://example.org/":             true,
		"https://shop.example/callback":    true,
		"https://app.test/":                true,
		"https://APP.EXAMPLE.COM./x":       true,
		"https://example.company.com/":     false,
		"https://notexample.com/":          false,
		"http://localhost:5173/callback":   false,
		"https://app.portcullis.dev/":      false,
	} {
		if got := IsPlaceholder(u); got != want {
			t.Errorf("IsPlaceholder(%q) = %v, want %v", u, got, want)
		}
	}
}
