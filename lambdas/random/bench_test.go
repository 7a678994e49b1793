package random

import (
	"net/http"
	"testing"

	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
)

// BenchmarkRandom is GET /random, which calls nothing: the floor of every
// handler's cost (event parsing, claims checks, the JSON answer).
func BenchmarkRandom(b *testing.B) {
	h := New()
	ev := httpapitest.Event(httpapitest.User("u"), "GET /random", nil, nil, "")
	b.ReportAllocs()
	for b.Loop() {
		httpapitest.Want(b, httpapitest.Do(b, h.Handle, ev), http.StatusOK, nil)
	}
}
