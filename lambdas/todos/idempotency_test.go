package todos

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
	"github.com/portcullis-cdk/portcullis/lambdas/idempotency"
)

// post sends POST <prefix>/todos with an Idempotency-Key.
func post(t *testing.T, h *Handler, c httpapitest.Caller, prefix, key, body string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	ev := httpapitest.Event(c, "POST "+prefix+"/todos", nil, nil, body)
	ev.Headers["idempotency-key"] = key
	return httpapitest.Do(t, h.Handle, ev)
}

// todoWrites counts the writes to the todos table among recorded calls:
// every PutItem except the idempotency record's claim, which is the first.
func count(ops []string, op string) int {
	n := 0
	for _, o := range ops {
		if o == op {
			n++
		}
	}
	return n
}

func listCount(t *testing.T, h *Handler, c httpapitest.Caller, prefix string) int {
	t.Helper()
	var l List
	httpapitest.Want(t, call(t, h, c, "GET "+prefix+"/todos", "", "", map[string]string{"limit": "100"}), http.StatusOK, &l)
	return len(l.Items)
}

func TestIdempotencyKey(t *testing.T) {
	for _, prefix := range []string{"", routes.IAMPrefix} {
		t.Run("prefix "+prefix, func(t *testing.T) {
			h, rec := newHandler()
			me := httpapitest.User(httpapitest.NewOwner())
			other := httpapitest.User(httpapitest.NewOwner())
			if prefix != "" {
				me, other = httpapitest.User(httpapitest.NewIdentity()), httpapitest.User(httpapitest.NewIdentity())
			}

			// The first request: the claim, the todo, the stored answer.
			rec.Reset()
			first := post(t, h, me, prefix, "key-1", `{"title":"once"}`)
			var a Todo
			httpapitest.Want(t, first, http.StatusCreated, &a)
			if got, want := rec.Ops(), []string{"dynamodb:PutItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}; !slices.Equal(got, want) {
				t.Fatalf("first request made %v, want %v", got, want)
			}
			if first.Headers[idempotency.ReplayedHeader] != "" {
				t.Fatal("first answer marked replayed")
			}

			// A repeat replays it and writes nothing: the claim fails and
			// the record is read (dynalite returns no item with the failure).
			rec.Reset()
			again := post(t, h, me, prefix, "key-1", `{"title":"once"}`)
			if again.StatusCode != http.StatusCreated || again.Body != first.Body || again.Headers[idempotency.ReplayedHeader] != "true" {
				t.Fatalf("repeat: %d %v %s, want the first answer %s replayed", again.StatusCode, again.Headers, again.Body, first.Body)
			}
			if got := rec.Ops(); count(got, "dynamodb:PutItem") != 1 || count(got, "dynamodb:UpdateItem") != 0 || count(got, "dynamodb:DeleteItem") != 0 {
				t.Fatalf("repeat made %v, want only the refused claim and a read", got)
			}
			if n := listCount(t, h, me, prefix); n != 1 {
				t.Fatalf("%d todos after a repeated create, want 1", n)
			}

			// The same key with another body is a conflict.
			resp := post(t, h, me, prefix, "key-1", `{"title":"twice"}`)
			httpapitest.Want(t, resp, http.StatusConflict, nil)
			if !strings.Contains(resp.Body, idempotency.CodeKeyReused) {
				t.Fatalf("different body: %s", resp.Body)
			}

			// Another user's same key is theirs.
			var b Todo
			httpapitest.Want(t, post(t, h, other, prefix, "key-1", `{"title":"once"}`), http.StatusCreated, &b)
			if b.ID == a.ID {
				t.Fatal("another user's key replayed the first user's todo")
			}

			// A request that fails releases its key: fixing the body and
			// retrying with the same key creates the todo.
			httpapitest.Want(t, post(t, h, me, prefix, "key-2", `{"title":""}`), http.StatusBadRequest, nil)
			httpapitest.Want(t, post(t, h, me, prefix, "key-2", `{"title":"fixed"}`), http.StatusCreated, nil)

			// Concurrent repeats make one todo; the others replay it or
			// are told it is in progress.
			before := listCount(t, h, me, prefix)
			var wg sync.WaitGroup
			statuses := make([]int, 8)
			bodies := make([]string, 8)
			for i := range statuses {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := post(t, h, me, prefix, "key-3", `{"title":"race"}`)
					statuses[i], bodies[i] = r.StatusCode, r.Body
				}()
			}
			wg.Wait()
			created := ""
			for i, s := range statuses {
				switch {
				case s == http.StatusCreated && created == "":
					created = bodies[i]
				case s == http.StatusCreated && bodies[i] != created:
					t.Fatalf("two different todos for one key: %s and %s", created, bodies[i])
				case s == http.StatusConflict && strings.Contains(bodies[i], idempotency.CodeInProgress):
				case s != http.StatusCreated:
					t.Fatalf("concurrent repeat: %d %s", s, bodies[i])
				}
			}
			if n := listCount(t, h, me, prefix); n != before+1 {
				t.Fatalf("%d todos after 8 concurrent repeats, want %d", n, before+1)
			}
		})
	}
}

func TestIdempotencyKeyLimits(t *testing.T) {
	h, _ := newHandler()
	me := httpapitest.User(httpapitest.NewOwner())
	for _, key := range []string{"", strings.Repeat("k", idempotency.MaxKeyLen+1), "has space", "tab\tkey", "ключ"} {
		httpapitest.Want(t, post(t, h, me, "", key, `{"title":"t"}`), http.StatusBadRequest, nil)
	}
	httpapitest.Want(t, post(t, h, me, "", strings.Repeat("k", idempotency.MaxKeyLen), `{"title":"t"}`), http.StatusCreated, nil)
	if n := listCount(t, h, me, ""); n != 1 {
		t.Fatalf("%d todos, want 1 (refused keys create nothing)", n)
	}
}
