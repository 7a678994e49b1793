package todos

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
)

// The handler's cost per request against local DynamoDB (dynalite): the
// time includes the local server, the allocations are the handler's and the
// SDK's. `make bench` reports them.

func BenchmarkCreate(b *testing.B) {
	h, _ := newHandler()
	me := httpapitest.User(httpapitest.NewOwner())
	b.ReportAllocs()
	for b.Loop() {
		httpapitest.Want(b, call(b, h, me, "POST /todos", "", `{"title":"buy milk"}`, nil), http.StatusCreated, nil)
	}
}

func BenchmarkGet(b *testing.B) {
	h, _ := newHandler()
	me := httpapitest.User(httpapitest.NewOwner())
	var td Todo
	httpapitest.Want(b, call(b, h, me, "POST /todos", "", `{"title":"buy milk"}`, nil), http.StatusCreated, &td)
	b.ReportAllocs()
	for b.Loop() {
		httpapitest.Want(b, call(b, h, me, "GET /todos/{id}", td.ID, "", nil), http.StatusOK, nil)
	}
}

// BenchmarkList reads a full page of 20 todos.
func BenchmarkList(b *testing.B) {
	h, _ := newHandler()
	me := httpapitest.User(httpapitest.NewOwner())
	for i := range 20 {
		httpapitest.Want(b, call(b, h, me, "POST /todos", "", fmt.Sprintf(`{"title":"t%d"}`, i), nil), http.StatusCreated, nil)
	}
	b.ReportAllocs()
	for b.Loop() {
		httpapitest.Want(b, call(b, h, me, "GET /todos", "", "", map[string]string{"limit": "20"}), http.StatusOK, nil)
	}
}
