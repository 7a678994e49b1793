package pretokengen

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/lambdas/routes"
	"github.com/portcullis-cdk/portcullis/lambdas/schema"
)

func event(source string, scopes ...string) events.CognitoEventUserPoolsPreTokenGenV2_0 {
	var ev events.CognitoEventUserPoolsPreTokenGenV2_0
	ev.TriggerSource = source
	ev.Version = "2"
	ev.Request.Scopes = scopes
	return ev
}

func TestAddsAPIScopesToAPIFlowTokens(t *testing.T) {
	all := []string{routes.FullScope(routes.TodosRead), routes.FullScope(routes.TodosWrite)}
	h := New(append(all, " ", all[0]))
	cases := []struct {
		name string
		ev   events.CognitoEventUserPoolsPreTokenGenV2_0
		want []string
	}{
		{"password sign-in", event("TokenGeneration_Authentication", userAdminScope), all},
		{"new password challenge", event("TokenGeneration_NewPasswordChallenge", userAdminScope), all},
		{"refresh of an API-flow session", event("TokenGeneration_RefreshTokens", userAdminScope, all[0]), all[1:]},
		{"hosted UI keeps the client's request", event("TokenGeneration_HostedAuth", "openid", all[0]), nil},
		{"refresh of a hosted UI session", event("TokenGeneration_RefreshTokens", "openid", "email"), nil},
		{"already complete", event("TokenGeneration_Authentication", userAdminScope, all[0], all[1]), nil},
	}
	for _, c := range cases {
		got, err := h.Handle(context.Background(), c.ev)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if add := got.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ScopesToAdd; !slices.Equal(add, c.want) {
			t.Errorf("%s: scopesToAdd = %v, want %v", c.name, add, c.want)
		}
	}
}

// TestResponseShape pins the JSON Cognito reads: a trigger that answers in
// the wrong shape is ignored without an error.
func TestResponseShape(t *testing.T) {
	t.Setenv(schema.APIScopesEnv, "portcullis/todos.read")
	got, _ := FromEnv(os.Getenv).Handle(context.Background(), event("TokenGeneration_Authentication", userAdminScope))
	raw, _ := json.Marshal(got.Response)
	var shape struct {
		Details struct {
			Access struct {
				ScopesToAdd []string `json:"scopesToAdd"`
			} `json:"accessTokenGeneration"`
		} `json:"claimsAndScopeOverrideDetails"`
	}
	if err := json.Unmarshal(raw, &shape); err != nil || !slices.Equal(shape.Details.Access.ScopesToAdd, []string{"portcullis/todos.read"}) {
		t.Errorf("response %s does not carry claimsAndScopeOverrideDetails.accessTokenGeneration.scopesToAdd", raw)
	}
}
