package photos

import (
	"net/http"
	"testing"

	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
)

// The handler's cost per request against local DynamoDB and S3; `make
// bench` reports it. Presigning makes no call.

func BenchmarkRequestUpload(b *testing.B) {
	h, _ := newHandler()
	me := httpapitest.User(httpapitest.NewOwner())
	body := `{"contentType":"image/png","size":1024,"caption":"at the beach"}`
	b.ReportAllocs()
	for b.Loop() {
		httpapitest.Want(b, call(b, h, me, "POST /photos", "", body, nil), http.StatusCreated, nil)
	}
}

// BenchmarkList lists an owner's photos (none ready: the Query and the
// filtering, no download URL).
func BenchmarkList(b *testing.B) {
	h, _ := newHandler()
	me := httpapitest.User(httpapitest.NewOwner())
	httpapitest.Want(b, call(b, h, me, "POST /photos", "", `{"contentType":"image/png","size":1024}`, nil), http.StatusCreated, nil)
	b.ReportAllocs()
	for b.Loop() {
		httpapitest.Want(b, call(b, h, me, "GET /photos", "", "", nil), http.StatusOK, nil)
	}
}
