package todos

import (
	"net/http"
	"testing"

	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
	"github.com/portcullis-cdk/portcullis/lambdas/ids"
)

var fuzzRoutes = []string{
	"GET /todos", "POST /todos", "GET /todos/{id}", "PUT /todos/{id}", "DELETE /todos/{id}",
	"GET /iam/todos", "POST /iam/todos", "PUT /iam/todos/{id}", "GET /nope",
}

// FuzzHandler sends arbitrary bodies, ids and query parameters to every
// todos route against the local DynamoDB: no input may produce a 5xx, and
// every 4xx carries the JSON error shape.
func FuzzHandler(f *testing.F) {
	h, _ := newHandler()
	me := httpapitest.User(httpapitest.NewOwner())
	var td Todo
	httpapitest.Want(f, call(f, h, me, "POST /todos", "", `{"title":"first"}`, nil), http.StatusCreated, &td)

	f.Add(uint8(0), "", "", "5", ids.Cursor(td.ID), false)
	f.Add(uint8(1), "", `{"title":"a","done":true}`, "", "", false)
	f.Add(uint8(1), "", "eyJ0aXRsZSI6ImIifQ==", "", "", true)
	f.Add(uint8(2), td.ID, "", "", "", false)
	f.Add(uint8(3), td.ID, `{"title":"b","done":false,"version":1}`, "", "", false)
	f.Add(uint8(3), td.ID, `{"title":"b","done":false,"version":99}`, "", "", false)
	f.Add(uint8(4), "01ARZ3NDEKTSV4RRFFQ69G5FAV", "", "", "", false)
	f.Add(uint8(0), "", "", "-1", "%%%", false)
	f.Add(uint8(1), "", `{"title":"\u0000","done":null}`, "", "", false)
	f.Add(uint8(3), "zz", `{"version":9223372036854775807,"title":"x","done":true}`, "", "", false)
	f.Add(uint8(8), "", "", "", "", false)

	f.Fuzz(func(t *testing.T, route uint8, id, body, limit, cursor string, b64 bool) {
		rk := fuzzRoutes[int(route)%len(fuzzRoutes)]
		caller := me
		if httpapitest.IsIAM(rk) {
			caller = httpapitest.User("us-east-1:" + me.ID)
		}
		q := map[string]string{}
		if limit != "" {
			q["limit"] = limit
		}
		if cursor != "" {
			q["cursor"] = cursor
		}
		ev := httpapitest.Event(caller, rk, map[string]string{"id": id}, q, body)
		ev.IsBase64Encoded = b64
		resp, err := h.Handle(t.Context(), ev)
		if err != nil {
			t.Fatalf("handler error: %v", err)
		}
		if err := httpapitest.CheckResponse(resp); err != nil {
			t.Fatal(err)
		}
	})
}
