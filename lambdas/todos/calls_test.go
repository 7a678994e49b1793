package todos

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
)

// TestAWSCalls pins the AWS calls each route makes, and prints them as a
// table with -v: list is exactly one Query (never a Scan), every other
// route one item call, and a failed conditional write costs one GetItem
// more only where DynamoDB did not return the old item.
func TestAWSCalls(t *testing.T) {
	h, rec := newHandler()
	type step struct {
		name, routeKey, body string
		status               int
		want                 []string
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n%-40s %s\n", "endpoint", "AWS calls")
	covered := map[string]bool{}

	for _, prefix := range []string{"", routes.IAMPrefix} {
		me := httpapitest.User(httpapitest.NewOwner())
		if prefix != "" {
			me = httpapitest.User(httpapitest.NewIdentity())
		}
		var created Todo
		rec.Reset()
		httpapitest.Want(t, call(t, h, me, "POST "+prefix+"/todos", "", `{"title":"count me"}`, nil), http.StatusCreated, &created)
		report(t, &table, rec.Ops(), "POST "+prefix+"/todos", "", []string{"dynamodb:PutItem"})
		covered["POST "+prefix+"/todos"] = true

		steps := []step{
			{"", "GET " + prefix + "/todos", "", 200, []string{"dynamodb:Query"}},
			{"", "GET " + prefix + "/todos/{id}", "", 200, []string{"dynamodb:GetItem"}},
			{"", "PUT " + prefix + "/todos/{id}", `{"title":"t","done":true,"version":1}`, 200, []string{"dynamodb:UpdateItem"}},
			{"stale version", "PUT " + prefix + "/todos/{id}", `{"title":"t","done":true,"version":1}`, 409, []string{"dynamodb:UpdateItem", "dynamodb:GetItem"}},
			{"", "DELETE " + prefix + "/todos/{id}", "", 204, []string{"dynamodb:DeleteItem"}},
			{"missing", "PUT " + prefix + "/todos/{id}", `{"title":"t","done":true,"version":2}`, 404, []string{"dynamodb:UpdateItem", "dynamodb:GetItem"}},
			{"missing", "DELETE " + prefix + "/todos/{id}", "", 404, []string{"dynamodb:DeleteItem"}},
		}
		for _, s := range steps {
			rec.Reset()
			id := ""
			if strings.Contains(s.routeKey, "{id}") {
				id = created.ID
			}
			resp := call(t, h, me, s.routeKey, id, s.body, nil)
			if resp.StatusCode != s.status {
				t.Fatalf("%s: status %d, want %d: %s", s.routeKey, resp.StatusCode, s.status, resp.Body)
			}
			report(t, &table, rec.Ops(), s.routeKey, s.name, s.want)
			covered[s.routeKey] = true
		}
	}
	for _, r := range routes.All() {
		if r.Function == routes.Todos && !covered[r.Key()] {
			t.Errorf("route %s has no call count", r.Key())
		}
	}
	t.Log(table.String())
}

func report(t *testing.T, table *strings.Builder, got []string, routeKey, note string, want []string) {
	t.Helper()
	label := routeKey
	if note != "" {
		label += " (" + note + ")"
	}
	fmt.Fprintf(table, "%-40s %d: %s\n", label, len(got), strings.Join(got, ", "))
	if !slices.Equal(got, want) {
		t.Errorf("%s made %v, want %v", label, got, want)
	}
	if slices.Contains(got, "dynamodb:Scan") {
		t.Errorf("%s scanned the table", label)
	}
}
