package random

import (
	"net/http"
	"testing"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
)

func TestRandom(t *testing.T) {
	h := New()
	me := httpapitest.User(httpapitest.NewOwner())
	seen := map[int]bool{}
	for range 5000 {
		var n Number
		httpapitest.Want(t, httpapitest.Do(t, h.Handle, httpapitest.Event(me, "GET /random", nil, nil, "")), http.StatusOK, &n)
		if n.RandomNumber < 0 || n.RandomNumber > Max {
			t.Fatalf("randomNumber %d out of 0..%d", n.RandomNumber, Max)
		}
		seen[n.RandomNumber] = true
	}
	// 5000 draws miss a given value with probability (100/101)^5000 ~ 3e-22.
	if len(seen) != Max+1 {
		t.Fatalf("saw %d distinct values, want all %d", len(seen), Max+1)
	}
}

func TestBounds(t *testing.T) {
	// The bounds themselves, whatever the generator draws.
	for _, n := range []int{0, Max} {
		h := New()
		h.intN = func(int) int { return n }
		var got Number
		httpapitest.Want(t, httpapitest.Do(t, h.Handle, httpapitest.Event(httpapitest.User("u"), "GET /random", nil, nil, "")), http.StatusOK, &got)
		if got.RandomNumber != n {
			t.Fatalf("got %d, want %d", got.RandomNumber, n)
		}
	}
}

func TestRefused(t *testing.T) {
	h := New()
	tests := []struct {
		name   string
		caller httpapitest.Caller
		want   int
	}{
		{"id token", httpapitest.Caller{Claims: map[string]string{"sub": "u", "token_use": "id"}}, 401},
		{"no token", httpapitest.Caller{Claims: map[string]string{}}, 401},
		{"no scope", httpapitest.Caller{ID: "u", Scopes: []string{routes.TodosRead}}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := httpapitest.Do(t, h.Handle, httpapitest.Event(tt.caller, "GET /random", nil, nil, ""))
			if err := httpapitest.CheckError(resp, tt.want); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestAWSCalls: GET /random calls nothing; the handler holds no AWS client.
func TestAWSCalls(t *testing.T) {
	t.Logf("\n%-48s %s\n%-48s %d", "endpoint", "AWS calls", "GET /random", 0)
}

// FuzzRandom sends arbitrary route keys, claims, bodies and query strings.
func FuzzRandom(f *testing.F) {
	h := New()
	f.Add("GET /random", "u", "access", "portcullis/profile.read", "", "")
	f.Add("GET /random", "u", "access", "portcullis/profile.read", `{"x":1}`, "a=b")
	f.Add("POST /random", "", "id", "", "", "")
	f.Fuzz(func(t *testing.T, routeKey, sub, tokenUse, scope, body, query string) {
		claims := map[string]string{"sub": sub, "token_use": tokenUse, "scope": scope}
		ev := httpapitest.Event(httpapitest.Caller{Claims: claims}, routeKey, nil, map[string]string{"q": query}, body)
		resp, err := h.Handle(t.Context(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if err := httpapitest.CheckResponse(resp); err != nil {
			t.Fatal(err)
		}
	})
}
