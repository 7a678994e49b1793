package photos

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
)

// TestAWSCalls pins the AWS calls of each photos route and prints them with
// -v. Presigning is local: no route makes a call to sign a URL, and listing
// is one Query whatever the page holds.
func TestAWSCalls(t *testing.T) {
	h, rec := newHandler()
	me := httpapitest.User(httpapitest.NewOwner())
	var table strings.Builder
	fmt.Fprintf(&table, "\n%-48s %s\n", "endpoint", "AWS calls")
	covered := map[string]bool{}
	step := func(routeKey, note, id, body string, status int, want ...string) string {
		t.Helper()
		rec.Reset()
		resp := call(t, h, me, routeKey, id, body, nil)
		if resp.StatusCode != status {
			t.Fatalf("%s: status %d, want %d: %s", routeKey, resp.StatusCode, status, resp.Body)
		}
		got := rec.Ops()
		label := routeKey
		if note != "" {
			label += " (" + note + ")"
		}
		fmt.Fprintf(&table, "%-48s %d: %s\n", label, len(got), strings.Join(got, ", "))
		if !slices.Equal(got, want) {
			t.Errorf("%s made %v, want %v", label, got, want)
		}
		covered[routeKey] = true
		return resp.Body
	}

	var c Created
	httpapitest.Want(t, httpapitest.Do(t, h.Handle, httpapitest.Event(me, "POST /photos", nil, nil, `{"contentType":"image/png","size":3}`)), http.StatusCreated, &c)
	rec.Reset()
	step("POST /photos", "", "", `{"contentType":"image/png","size":3}`, 201, "dynamodb:PutItem")
	step("POST /photos/{id}/complete", "not uploaded", c.ID, "", 409, "dynamodb:GetItem", "s3:HEAD")
	if code := put(t, c.Upload.URL, "image/png", []byte("abc")); code != http.StatusOK {
		t.Fatalf("upload: %d", code)
	}
	step("POST /photos/{id}/complete", "", c.ID, "", 200, "dynamodb:GetItem", "s3:HEAD", "s3:PUT", "dynamodb:UpdateItem", "s3:DELETE")
	step("POST /photos/{id}/complete", "again", c.ID, "", 200, "dynamodb:GetItem")
	step("GET /photos", "", "", "", 200, "dynamodb:Query")
	step("DELETE /photos/{id}", "", c.ID, "", 204, "dynamodb:GetItem", "s3:DELETE", "dynamodb:DeleteItem")
	step("DELETE /photos/{id}", "missing", c.ID, "", 404, "dynamodb:GetItem")

	for _, r := range routes.All() {
		if r.Function == routes.Photos && !covered[r.Key()] {
			t.Errorf("route %s has no call count", r.Key())
		}
	}
	t.Log(table.String())
}
