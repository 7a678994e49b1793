package todos

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
	"github.com/portcullis-cdk/portcullis/lambdas/quota"
)

// TestQuota on the local DynamoDB: an owner creates todos up to the quota,
// the one past it is a 409 quota_exceeded that stores nothing, a delete
// frees a place, and another owner's count is their own. The IAM routes
// count the same way.
func TestQuota(t *testing.T) {
	const max = 3
	h, rec := newHandler()
	h.Limit(schema.Usage.Name, max)
	for _, prefix := range []string{"", routes.IAMPrefix} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			me, other := httpapitest.User(httpapitest.NewOwner()), httpapitest.User(httpapitest.NewOwner())
			if prefix != "" {
				me, other = httpapitest.User(httpapitest.NewIdentity()), httpapitest.User(httpapitest.NewIdentity())
			}
			var last Todo
			for i := 0; i < max; i++ {
				httpapitest.Want(t, call(t, h, me, "POST "+prefix+"/todos", "", `{"title":"t"}`, nil), http.StatusCreated, &last)
			}
			rec.Reset()
			resp := call(t, h, me, "POST "+prefix+"/todos", "", `{"title":"one too many"}`, nil)
			if err := httpapitest.CheckError(resp, http.StatusConflict); err != nil {
				t.Fatalf("past the quota: %v", err)
			}
			var body httpapi.ErrorBody
			_ = json.Unmarshal([]byte(resp.Body), &body)
			if body.Error != quota.CodeExceeded || !strings.Contains(body.Message, "3 todos") {
				t.Fatalf("past the quota: %s", resp.Body)
			}
			if ops := rec.Ops(); len(ops) != 1 || ops[0] != "dynamodb:UpdateItem" {
				t.Fatalf("past the quota, calls %v: want the refused counter update only (no scan, no put)", ops)
			}
			var l List
			httpapitest.Want(t, call(t, h, me, "GET "+prefix+"/todos", "", "", nil), http.StatusOK, &l)
			if len(l.Items) != max {
				t.Fatalf("%d todos stored, want %d", len(l.Items), max)
			}

			httpapitest.Want(t, call(t, h, other, "POST "+prefix+"/todos", "", `{"title":"mine"}`, nil), http.StatusCreated, nil)
			httpapitest.Want(t, call(t, h, me, "DELETE "+prefix+"/todos/{id}", last.ID, "", nil), http.StatusNoContent, nil)
			httpapitest.Want(t, call(t, h, me, "POST "+prefix+"/todos", "", `{"title":"room again"}`, nil), http.StatusCreated, nil)
			httpapitest.Want(t, call(t, h, me, "POST "+prefix+"/todos", "", `{"title":"full again"}`, nil), http.StatusConflict, nil)
		})
	}
}
