package localcognito

import (
	"net/http"
	"testing"
)

// TestFaviconIsEmpty: a browser showing a sign-in page asks the domain for
// /favicon.ico; the answer is empty, never a 404 in its console.
func TestFaviconIsEmpty(t *testing.T) {
	f := newFixture(t, nil)
	resp, err := http.Get(f.url + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("GET /favicon.ico: %d, want 204", resp.StatusCode)
	}
}
