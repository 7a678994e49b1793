package photos

import (
	"net/http"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
	"github.com/portcullis-cdk/portcullis/lambdas/idempotency"
)

// TestIdempotencyKey: a repeated POST /photos with the same key and body
// replays the first answer (the same photo id and upload URL) and writes
// one photo record; another body with that key is a 409.
func TestIdempotencyKey(t *testing.T) {
	h, rec := newHandler()
	me := httpapitest.User(httpapitest.NewOwner())
	post := func(key, body string) (int, string, string) {
		ev := httpapitest.Event(me, "POST /photos", nil, nil, body)
		ev.Headers["Idempotency-Key"] = key
		r := httpapitest.Do(t, h.Handle, ev)
		return r.StatusCode, r.Body, r.Headers[idempotency.ReplayedHeader]
	}
	body := `{"contentType":"image/png","size":10}`
	rec.Reset()
	status, first, _ := post("photo-key", body)
	if status != http.StatusCreated {
		t.Fatalf("first: %d %s", status, first)
	}
	for range 3 {
		status, again, replayed := post("photo-key", body)
		if status != http.StatusCreated || again != first || replayed != "true" {
			t.Fatalf("repeat: %d %s (replayed %q), want %s", status, again, replayed, first)
		}
	}
	puts := 0
	for _, op := range rec.Ops() {
		if op == "dynamodb:PutItem" {
			puts++
		}
	}
	// One claim and one photo for the first request, one refused claim per
	// repeat.
	if puts != 2+3 {
		t.Fatalf("PutItem calls %d in %v, want 5", puts, rec.Ops())
	}
	status, resp, _ := post("photo-key", `{"contentType":"image/png","size":11}`)
	if status != http.StatusConflict || !strings.Contains(resp, idempotency.CodeKeyReused) {
		t.Fatalf("other body, same key: %d %s", status, resp)
	}
}
