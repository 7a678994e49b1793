package profile

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
)

func putProfile(t *testing.T, r Record) {
	t.Helper()
	av, err := attributevalue.MarshalMap(r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.DynamoDB(nil).PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String(schema.Profiles.Name), Item: av,
	}); err != nil {
		t.Fatal(err)
	}
}

func TestGroups(t *testing.T) {
	for claim, want := range map[string][]string{
		"":                 {},
		"[]":               {},
		"[admins]":         {"admins"},
		"[admins editors]": {"admins", "editors"},
		`["admins","ops"]`: {"admins", "ops"},
		"admins":           {"admins"},
	} {
		if got := Groups(claim); !slices.Equal(got, want) || got == nil {
			t.Errorf("Groups(%q) = %#v, want %#v", claim, got, want)
		}
	}
}

func TestMe(t *testing.T) {
	h, rec := newHandler()
	withRecord, withoutRecord := httpapitest.NewOwner(), httpapitest.NewOwner()
	stored := Record{
		Owner: withRecord, Email: "ada@example.com", PhoneNumber: "+61400000000", Name: "Ada",
		Company: "ACME", RoleName: "Inventor", CreatedAt: "2026-01-01T00:00:00.000Z",
	}
	putProfile(t, stored)

	tests := []struct {
		name   string
		claims map[string]string
		want   Me
	}{
		{
			name:   "claims and record",
			claims: httpapitest.Claims(withRecord, routes.FullScope(routes.ProfileRead), routes.FullScope(routes.TodosRead)),
			want: Me{
				Sub: withRecord, Username: "user-" + withRecord, ClientID: "testclient",
				Scopes:   []string{"portcullis/profile.read", "portcullis/todos.read"},
				AuthTime: "2026-01-01T00:00:00Z", Groups: []string{}, Record: stored, HasProfile: true,
			},
		},
		{
			// The claim as API Gateway's JWT authorizer passes a list.
			name: "groups from cognito:groups",
			claims: func() map[string]string {
				c := httpapitest.Claims(withRecord, routes.FullScope(routes.ProfileRead))
				c["cognito:groups"] = "[admins editors]"
				return c
			}(),
			want: Me{
				Sub: withRecord, Username: "user-" + withRecord, ClientID: "testclient",
				Scopes:   []string{"portcullis/profile.read"},
				AuthTime: "2026-01-01T00:00:00Z", Groups: []string{"admins", "editors"}, Record: stored, HasProfile: true,
			},
		},
		{
			name: "claims only, cognito:username, odd auth_time",
			claims: map[string]string{
				"sub": withoutRecord, "token_use": "access", "scope": "portcullis/profile.read",
				"cognito:username": "grace", "auth_time": "yesterday",
			},
			want: Me{Sub: withoutRecord, Username: "grace", Scopes: []string{"portcullis/profile.read"}, Groups: []string{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.Reset()
			var got Me
			ev := httpapitest.Event(httpapitest.Caller{Claims: tt.claims}, "GET /me", nil, nil, "")
			httpapitest.Want(t, httpapitest.Do(t, h.Handle, ev), http.StatusOK, &got)
			tt.want.Record.Owner = "" // not part of the answer
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
			if calls := rec.Ops(); !slices.Equal(calls, []string{"dynamodb:GetItem"}) {
				t.Fatalf("calls %v", calls)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	h, rec := newHandler()
	sub := httpapitest.NewOwner()
	tests := []struct {
		name   string
		caller httpapitest.Caller
		route  string
		want   int
	}{
		{"id token", httpapitest.Caller{Claims: map[string]string{"sub": sub, "token_use": "id", "email": "x@example.com"}}, "GET /me", 401},
		{"no claims", httpapitest.Caller{Claims: map[string]string{}}, "GET /me", 401},
		{"no profile scope", httpapitest.Caller{ID: sub, Scopes: []string{routes.TodosRead}}, "GET /me", 403},
		{"other route", httpapitest.User(sub), "GET /random", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.Reset()
			resp := httpapitest.Do(t, h.Handle, httpapitest.Event(tt.caller, tt.route, nil, nil, ""))
			if err := httpapitest.CheckError(resp, tt.want); err != nil {
				t.Fatal(err)
			}
			if len(rec.Calls()) != 0 {
				t.Fatalf("refused request reached DynamoDB: %v", rec.Calls())
			}
		})
	}
}

// TestAWSCalls prints the calls of GET /me with -v.
func TestAWSCalls(t *testing.T) {
	h, rec := newHandler()
	resp := httpapitest.Do(t, h.Handle, httpapitest.Event(httpapitest.User(httpapitest.NewOwner()), "GET /me", nil, nil, ""))
	httpapitest.Want(t, resp, http.StatusOK, nil)
	if got := rec.Ops(); !slices.Equal(got, []string{"dynamodb:GetItem"}) {
		t.Fatalf("GET /me made %v", got)
	}
	t.Logf("\n%-48s %s\n%-48s %d: %s", "endpoint", "AWS calls", "GET /me", len(rec.Ops()), strings.Join(rec.Ops(), ", "))
}

// FuzzMe sends arbitrary claims: no token content may produce a 5xx.
func FuzzMe(f *testing.F) {
	h, _ := newHandler()
	f.Add(httpapitest.NewOwner(), "access", "portcullis/profile.read", "bob", "1700000000")
	f.Add("", "id", "", "", "")
	f.Add("us-east-1:x", "access", "portcullis/profile.read portcullis/profile.read", "", "-1")
	f.Add("a\x00b", "access", "portcullis/profile.read", "\xff", "99999999999999999999")
	f.Fuzz(func(t *testing.T, sub, tokenUse, scope, username, authTime string) {
		claims := map[string]string{"sub": sub, "token_use": tokenUse, "scope": scope, "username": username, "auth_time": authTime}
		resp, err := h.Handle(t.Context(), httpapitest.Event(httpapitest.Caller{Claims: claims}, "GET /me", nil, nil, ""))
		if err != nil {
			t.Fatal(err)
		}
		if err := httpapitest.CheckResponse(resp); err != nil {
			t.Fatal(err)
		}
	})
}
