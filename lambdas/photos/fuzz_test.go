package photos

import (
	"net/http"
	"testing"

	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
	"github.com/portcullis-cdk/portcullis/lambdas/ids"
)

var fuzzRoutes = []string{"GET /photos", "POST /photos", "POST /photos/{id}/complete", "DELETE /photos/{id}", "PUT /photos/{id}"}

// FuzzHandler sends arbitrary bodies, ids and query parameters to every
// photos route against the local servers: no input may produce a 5xx, and
// every 4xx carries the JSON error shape.
func FuzzHandler(f *testing.F) {
	h, _ := newHandler()
	me := httpapitest.User(httpapitest.NewOwner())
	var c Created
	httpapitest.Want(f, call(f, h, me, "POST /photos", "", `{"contentType":"image/gif","size":4}`, nil), http.StatusCreated, &c)

	f.Add(uint8(0), "", "", "3", ids.Cursor(c.ID))
	f.Add(uint8(1), "", `{"contentType":"image/png","size":10485760,"caption":"c"}`, "", "")
	f.Add(uint8(1), "", `{"contentType":"image/webp","size":10485761}`, "", "")
	f.Add(uint8(1), "", `{"contentType":"image/jpeg","size":-9223372036854775808}`, "", "")
	f.Add(uint8(2), c.ID, "", "", "")
	f.Add(uint8(2), "01ARZ3NDEKTSV4RRFFQ69G5FAV", "{}", "", "")
	f.Add(uint8(3), c.ID, "", "", "")
	f.Add(uint8(3), "../../x", "", "", "")
	f.Add(uint8(0), "", "", "1e2", "====")
	f.Add(uint8(4), "", "", "", "")

	f.Fuzz(func(t *testing.T, route uint8, id, body, limit, cursor string) {
		q := map[string]string{}
		if limit != "" {
			q["limit"] = limit
		}
		if cursor != "" {
			q["cursor"] = cursor
		}
		ev := httpapitest.Event(me, fuzzRoutes[int(route)%len(fuzzRoutes)], map[string]string{"id": id}, q, body)
		resp, err := h.Handle(t.Context(), ev)
		if err != nil {
			t.Fatalf("handler error: %v", err)
		}
		if err := httpapitest.CheckResponse(resp); err != nil {
			t.Fatal(err)
		}
	})
}
