package profile

import (
	"net/http"
	"testing"

	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
)

// BenchmarkMe is GET /me against local DynamoDB; `make bench` reports it.
func BenchmarkMe(b *testing.B) {
	h, _ := newHandler()
	ev := httpapitest.Event(httpapitest.User(httpapitest.NewOwner()), "GET /me", nil, nil, "")
	b.ReportAllocs()
	for b.Loop() {
		httpapitest.Want(b, httpapitest.Do(b, h.Handle, ev), http.StatusOK, nil)
	}
}
