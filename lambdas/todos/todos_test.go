package todos

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
	"github.com/portcullis-cdk/portcullis/lambdas/ids"
)

func TestCRUD(t *testing.T) {
	h, _ := newHandler()
	for _, prefix := range []string{"", routes.IAMPrefix} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			me := httpapitest.User(httpapitest.NewOwner())
			if prefix != "" {
				me = httpapitest.User(httpapitest.NewIdentity())
			}
			var created Todo
			resp := call(t, h, me, "POST "+prefix+"/todos", "", `{"title":"  buy milk  "}`, nil)
			httpapitest.Want(t, resp, http.StatusCreated, &created)
			if !ids.Valid(created.ID) || created.Title != "buy milk" || created.Done || created.Version != 1 ||
				created.CreatedAt == "" || created.CreatedAt != created.UpdatedAt {
				t.Fatalf("created %+v", created)
			}

			var got Todo
			httpapitest.Want(t, call(t, h, me, "GET "+prefix+"/todos/{id}", created.ID, "", nil), http.StatusOK, &got)
			if got != created {
				t.Fatalf("get %+v, want %+v", got, created)
			}

			var updated Todo
			body := fmt.Sprintf(`{"title":"buy oat milk","done":true,"version":%d}`, created.Version)
			httpapitest.Want(t, call(t, h, me, "PUT "+prefix+"/todos/{id}", created.ID, body, nil), http.StatusOK, &updated)
			if updated.Title != "buy oat milk" || !updated.Done || updated.Version != 2 || updated.CreatedAt != created.CreatedAt {
				t.Fatalf("updated %+v", updated)
			}

			// The same version again lost the race: 409, and nothing changes.
			resp = call(t, h, me, "PUT "+prefix+"/todos/{id}", created.ID, body, nil)
			httpapitest.Want(t, resp, http.StatusConflict, nil)
			httpapitest.Want(t, call(t, h, me, "GET "+prefix+"/todos/{id}", created.ID, "", nil), http.StatusOK, &got)
			if got != updated {
				t.Fatalf("after a stale update: %+v, want %+v", got, updated)
			}

			httpapitest.Want(t, call(t, h, me, "DELETE "+prefix+"/todos/{id}", created.ID, "", nil), http.StatusNoContent, nil)
			for _, rk := range []string{"GET", "DELETE"} {
				httpapitest.Want(t, call(t, h, me, rk+" "+prefix+"/todos/{id}", created.ID, "", nil), http.StatusNotFound, nil)
			}
			httpapitest.Want(t, call(t, h, me, "PUT "+prefix+"/todos/{id}", created.ID, body, nil), http.StatusNotFound, nil)
		})
	}
}

func TestListPagination(t *testing.T) {
	h, _ := newHandler()
	me := httpapitest.User(httpapitest.NewOwner())
	var want []string
	for i := range 7 {
		var td Todo
		httpapitest.Want(t, call(t, h, me, "POST /todos", "", fmt.Sprintf(`{"title":"t%d","done":%v}`, i, i%2 == 0), nil), http.StatusCreated, &td)
		want = append(want, td.ID)
	}
	slices.Reverse(want) // newest first

	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		q := map[string]string{"limit": "3"}
		if cursor != "" {
			q["cursor"] = cursor
		}
		var l List
		httpapitest.Want(t, call(t, h, me, "GET /todos", "", "", q), http.StatusOK, &l)
		if len(l.Items) > 3 {
			t.Fatalf("page of %d items with limit 3", len(l.Items))
		}
		for _, td := range l.Items {
			got = append(got, td.ID)
		}
		if l.NextCursor == "" {
			break
		}
		cursor = l.NextCursor
	}
	if !slices.Equal(got, want) {
		t.Fatalf("listed %v, want newest first %v", got, want)
	}

	var l List
	httpapitest.Want(t, call(t, h, me, "GET /todos", "", "", nil), http.StatusOK, &l)
	if len(l.Items) != 7 || l.NextCursor != "" {
		t.Fatalf("default page: %d items, cursor %q", len(l.Items), l.NextCursor)
	}
}

// TestIsolation: another caller gets 404 for every verb on my todo and never
// sees it listed, whether the two sign in through the user pool (JWT) or
// the identity pool (IAM), and a JWT sub never reaches an IAM identity's
// items or the other way round.
func TestIsolation(t *testing.T) {
	h, _ := newHandler()
	tests := []struct {
		name                 string
		ownerPrefix, bPrefix string
		owner, b             string
	}{
		{"jwt-jwt", "", "", httpapitest.NewOwner(), httpapitest.NewOwner()},
		{"iam-iam", routes.IAMPrefix, routes.IAMPrefix, httpapitest.NewIdentity(), httpapitest.NewIdentity()},
		{"jwt-iam", "", routes.IAMPrefix, httpapitest.NewOwner(), httpapitest.NewIdentity()},
		{"iam-jwt", routes.IAMPrefix, "", httpapitest.NewIdentity(), httpapitest.NewOwner()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := httpapitest.User(tt.owner), httpapitest.User(tt.b)
			var mine Todo
			httpapitest.Want(t, call(t, h, a, "POST "+tt.ownerPrefix+"/todos", "", `{"title":"private"}`, nil), http.StatusCreated, &mine)

			p := tt.bPrefix
			httpapitest.Want(t, call(t, h, b, "GET "+p+"/todos/{id}", mine.ID, "", nil), http.StatusNotFound, nil)
			httpapitest.Want(t, call(t, h, b, "PUT "+p+"/todos/{id}", mine.ID, `{"title":"mine now","done":true,"version":1}`, nil), http.StatusNotFound, nil)
			httpapitest.Want(t, call(t, h, b, "DELETE "+p+"/todos/{id}", mine.ID, "", nil), http.StatusNotFound, nil)
			// Even with a cursor pointing into A's list, B pages through B's
			// partition only.
			for _, q := range []map[string]string{nil, {"cursor": ids.Cursor(mine.ID)}, {"cursor": ids.Cursor(strings.Repeat("7", 26))}} {
				var l List
				httpapitest.Want(t, call(t, h, b, "GET "+p+"/todos", "", "", q), http.StatusOK, &l)
				if len(l.Items) != 0 {
					t.Fatalf("B lists %+v", l.Items)
				}
			}

			var still Todo
			httpapitest.Want(t, call(t, h, a, "GET "+tt.ownerPrefix+"/todos/{id}", mine.ID, "", nil), http.StatusOK, &still)
			if still != mine {
				t.Fatalf("A's todo changed to %+v", still)
			}
		})
	}
}

// TestBadInput: every malformed request gets its 4xx and the JSON error
// shape, and never reaches DynamoDB when the request itself is invalid.
func TestBadInput(t *testing.T) {
	h, rec := newHandler()
	me := httpapitest.User(httpapitest.NewOwner())
	var existing Todo
	httpapitest.Want(t, call(t, h, me, "POST /todos", "", `{"title":"x"}`, nil), http.StatusCreated, &existing)
	id := existing.ID
	claims := func(edit func(map[string]string)) httpapitest.Caller {
		c := httpapitest.Claims(me.ID, httpapitest.AllScopes()...)
		edit(c)
		return httpapitest.Caller{ID: me.ID, Claims: c}
	}

	tests := []struct {
		name     string
		caller   httpapitest.Caller
		routeKey string
		id       string
		body     string
		query    map[string]string
		want     int
	}{
		{"malformed json", me, "POST /todos", "", `{"title":`, nil, 400},
		{"not an object", me, "POST /todos", "", `["title"]`, nil, 400},
		{"null body", me, "POST /todos", "", `null`, nil, 400},
		{"empty body", me, "POST /todos", "", ``, nil, 400},
		{"two values", me, "POST /todos", "", `{"title":"a"}{"title":"b"}`, nil, 400},
		{"unknown field", me, "POST /todos", "", `{"title":"a","owner":"someone-else"}`, nil, 400},
		{"wrong type", me, "POST /todos", "", `{"title":5}`, nil, 400},
		{"blank title", me, "POST /todos", "", `{"title":"   "}`, nil, 400},
		{"long title", me, "POST /todos", "", `{"title":"` + strings.Repeat("é", MaxTitle+1) + `"}`, nil, 400},
		{"oversize body", me, "POST /todos", "", `{"title":"` + strings.Repeat("a", 20<<10) + `"}`, nil, 413},
		{"missing version", me, "PUT /todos/{id}", id, `{"title":"a","done":true}`, nil, 400},
		{"missing done", me, "PUT /todos/{id}", id, `{"title":"a","version":1}`, nil, 400},
		{"zero version", me, "PUT /todos/{id}", id, `{"title":"a","done":true,"version":0}`, nil, 400},
		{"fractional version", me, "PUT /todos/{id}", id, `{"title":"a","done":true,"version":1.5}`, nil, 400},
		{"bad id", me, "GET /todos/{id}", "not-an-id", "", nil, 400},
		{"lower-case id", me, "GET /todos/{id}", strings.ToLower(id), "", nil, 400},
		{"overflowing id", me, "DELETE /todos/{id}", "8" + id[1:], "", nil, 400},
		{"path traversal id", me, "GET /todos/{id}", "../" + id, "", nil, 400},
		{"bad cursor", me, "GET /todos", "", "", map[string]string{"cursor": "!!"}, 400},
		{"cursor of a non-id", me, "GET /todos", "", "", map[string]string{"cursor": "aGVsbG8"}, 400},
		{"limit zero", me, "GET /todos", "", "", map[string]string{"limit": "0"}, 400},
		{"limit too big", me, "GET /todos", "", "", map[string]string{"limit": "101"}, 400},
		{"limit not a number", me, "GET /todos", "", "", map[string]string{"limit": "ten"}, 400},
		{"repeated limit", me, "GET /todos", "", "", map[string]string{"limit": "1,2"}, 400},
		{"no claims", httpapitest.Caller{ID: me.ID, Claims: map[string]string{}}, "GET /todos", "", "", nil, 401},
		{"no sub", claims(func(c map[string]string) { delete(c, "sub") }), "GET /todos", "", "", nil, 401},
		{"id token", claims(func(c map[string]string) { c["token_use"] = "id" }), "GET /todos", "", "", nil, 401},
		{"untyped token", claims(func(c map[string]string) { delete(c, "token_use") }), "GET /todos", "", "", nil, 401},
		{"odd sub", claims(func(c map[string]string) { c["sub"] = "../../etc" }), "GET /todos", "", "", nil, 401},
		{"no scopes", httpapitest.Caller{ID: me.ID, Scopes: []string{}}, "GET /todos", "", "", nil, 403},
		{"read scope writes", httpapitest.Caller{ID: me.ID, Scopes: []string{routes.TodosRead}}, "POST /todos", "", `{"title":"a"}`, nil, 403},
		{"write scope reads", httpapitest.Caller{ID: me.ID, Scopes: []string{routes.TodosWrite}}, "GET /todos/{id}", id, "", nil, 403},
		{"other area's scope", httpapitest.Caller{ID: me.ID, Scopes: []string{routes.PhotosRead}}, "GET /todos", "", "", nil, 403},
		{"no identity id", httpapitest.Caller{}, "GET /iam/todos", "", "", nil, 401},
		{"unknown route", me, "GET /photos", "", "", nil, 404},
		{"unknown route key", me, "PATCH /todos/{id}", id, "", nil, 404},
		{"default route", me, "$default", "", "", nil, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.Reset()
			resp := call(t, h, tt.caller, tt.routeKey, tt.id, tt.body, tt.query)
			if err := httpapitest.CheckError(resp, tt.want); err != nil {
				t.Fatal(err)
			}
			if calls := rec.Calls(); len(calls) != 0 {
				t.Fatalf("invalid request reached DynamoDB: %v", calls)
			}
		})
	}
}

func TestBase64Body(t *testing.T) {
	h, _ := newHandler()
	ev := httpapitest.Event(httpapitest.User(httpapitest.NewOwner()), "POST /todos", nil, nil, "eyJ0aXRsZSI6ImI2NCJ9") // {"title":"b64"}
	ev.IsBase64Encoded = true
	var td Todo
	httpapitest.Want(t, httpapitest.Do(t, h.Handle, ev), http.StatusCreated, &td)
	if td.Title != "b64" {
		t.Fatalf("title %q", td.Title)
	}
	ev.Body = "not base64!"
	httpapitest.Want(t, httpapitest.Do(t, h.Handle, ev), http.StatusBadRequest, nil)
}
