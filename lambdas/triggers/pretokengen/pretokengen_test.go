package pretokengen

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
)

func event(source, clientID string, scopes ...string) events.CognitoEventUserPoolsPreTokenGenV2_0 {
	var ev events.CognitoEventUserPoolsPreTokenGenV2_0
	ev.TriggerSource = source
	ev.Version = "2"
	ev.CallerContext.ClientID = clientID
	ev.Request.Scopes = scopes
	return ev
}

func TestScopesPerClient(t *testing.T) {
	read, write := routes.FullScope(routes.TodosRead), routes.FullScope(routes.TodosWrite)
	profile := routes.FullScope(routes.ProfileRead)
	h := New(map[string][]string{
		"spa":    {read, write, " ", read},
		"server": {profile},
		"none":   nil,
	})
	// A caller controls client metadata; naming a granted client there
	// must not change what a foreign client receives.
	spoofed := event("TokenGeneration_Authentication", "foreign", userAdminScope)
	spoofed.Request.ClientMetadata = map[string]string{"clientId": "spa"}

	cases := []struct {
		name string
		ev   events.CognitoEventUserPoolsPreTokenGenV2_0
		want []string
	}{
		{"known client, password sign-in", event("TokenGeneration_Authentication", "spa", userAdminScope), []string{read, write}},
		{"known client, new password challenge", event("TokenGeneration_NewPasswordChallenge", "spa", userAdminScope), []string{read, write}},
		{"known client, refresh of an API-flow session", event("TokenGeneration_RefreshTokens", "spa", userAdminScope, read), []string{write}},
		{"another known client gets its own grant only", event("TokenGeneration_Authentication", "server", userAdminScope), []string{profile}},
		{"known client granted nothing", event("TokenGeneration_Authentication", "none", userAdminScope), nil},
		{"unknown client", event("TokenGeneration_Authentication", "added-later", userAdminScope), nil},
		{"no client id", event("TokenGeneration_Authentication", "", userAdminScope), nil},
		{"foreign client naming a known one in its metadata", spoofed, nil},
		{"hosted UI keeps the client's request", event("TokenGeneration_HostedAuth", "spa", "openid", read), nil},
		{"refresh of a hosted UI session", event("TokenGeneration_RefreshTokens", "spa", "openid", "email"), nil},
		// The SPA's hosted-UI request names aws.cognito.signin.user.admin
		// (profile edits need it); asking for fewer API scopes gets fewer.
		{"hosted UI with the user admin scope gets what it asked for", event("TokenGeneration_HostedAuth", "spa", "openid", userAdminScope, read), nil},
		{"hosted UI with the user admin scope alone", event("TokenGeneration_HostedAuth", "spa", userAdminScope), nil},
		{"refresh of a hosted UI session with the user admin scope", event("TokenGeneration_RefreshTokens", "spa", "openid", "profile", userAdminScope, read), nil},
		{"already complete", event("TokenGeneration_Authentication", "spa", userAdminScope, read, write), nil},
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

func TestFromEnv(t *testing.T) {
	for _, c := range []struct {
		name, value string
		ok          bool
		spa         []string
	}{
		{"unset grants nothing", "", true, nil},
		{"grants", `{"spa":["portcullis/todos.read"]}`, true, []string{"portcullis/todos.read"}},
		{"not JSON", "portcullis/todos.read", false, nil},
		{"wrong shape", `{"spa":"portcullis/todos.read"}`, false, nil},
	} {
		h, err := FromEnv(func(k string) string {
			if k == schema.ClientScopesEnv {
				return c.value
			}
			return ""
		})
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v, want ok %v", c.name, err, c.ok)
			continue
		}
		if err == nil && !slices.Equal(h.grants["spa"], c.spa) {
			t.Errorf("%s: spa grant %v, want %v", c.name, h.grants["spa"], c.spa)
		}
	}
}

// TestCallerClaim: every access token, whatever the flow, carries the
// caller's hash (as the API functions log it), never the sub itself.
func TestCallerClaim(t *testing.T) {
	h := New(nil)
	for _, source := range []string{"TokenGeneration_Authentication", "TokenGeneration_HostedAuth", "TokenGeneration_RefreshTokens"} {
		ev := event(source, "spa", "openid")
		ev.Request.UserAttributes = map[string]string{"sub": "11111111-2222-4333-8444-555555555555"}
		got, err := h.Handle(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		claims := got.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ClaimsToAddOrOverride
		if len(claims) != 1 || claims[httpapi.CallerClaim] != httpapi.OwnerHash("11111111-2222-4333-8444-555555555555") {
			t.Errorf("%s: claims %v, want only %s = the sub's hash", source, claims, httpapi.CallerClaim)
		}
	}
}

// TestResponseShape pins the JSON Cognito reads: a trigger that answers in
// the wrong shape is ignored without an error.
func TestResponseShape(t *testing.T) {
	t.Setenv(schema.ClientScopesEnv, `{"spa":["portcullis/todos.read"]}`)
	h, err := FromEnv(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := h.Handle(context.Background(), event("TokenGeneration_Authentication", "spa", userAdminScope))
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
