package auth_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
	"github.com/portcullis-cdk/portcullis/constructs/internal/cdktest"
)

// The CLI client signs users in with their password and nothing else: no
// secret, USER_PASSWORD_AUTH and refresh only, no OAuth flow or redirect,
// and the other clients' short tokens, revocation and user existence
// errors. It joins the audience and the grants like the others.
func TestCLIClient(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	users := auth.NewUserPool(stack, "Users", nil)
	clients := auth.NewAppClients(stack, "Clients", &auth.AppClientsProps{
		UserPool:            users.Pool,
		ResourceServerID:    "orders",
		Scopes:              []auth.Scope{{Name: "read", Description: "Read orders"}, {Name: "write", Description: "Write orders"}},
		CLIScopes:           []string{"read"},
		CallbackURLs:        []string{"https://app.example.com/callback"},
		ServerCallbackURLs:  []string{"https://app.example.com/server/callback"},
		AccessTokenValidity: 20 * time.Minute,
		CLIClient:           true,
	})
	if got := *clients.CLI.Node().Path(); got != "S/Clients/CLI" {
		t.Fatalf("CLI client at %s, want S/Clients/CLI", got)
	}
	resources := cdktest.Resources(stack, "AWS::Cognito::UserPoolClient")
	cli := resources[*stack.GetLogicalId(clients.CLI.Node().DefaultChild().(awscdk.CfnElement))].Properties
	spa := resources[*stack.GetLogicalId(clients.SPA.Node().DefaultChild().(awscdk.CfnElement))].Properties
	want := map[string]string{
		"GenerateSecret":                  "false",
		"ExplicitAuthFlows":               `["ALLOW_USER_PASSWORD_AUTH","ALLOW_REFRESH_TOKEN_AUTH"]`,
		"AllowedOAuthFlowsUserPoolClient": "false",
		"AllowedOAuthFlows":               "null",
		"AllowedOAuthScopes":              "null",
		"CallbackURLs":                    "null",
		"LogoutURLs":                      "null",
		"PreventUserExistenceErrors":      `"ENABLED"`,
		"EnableTokenRevocation":           "true",
		"AccessTokenValidity":             "20",
		"RefreshTokenRotation":            "null",
	}
	for prop, w := range want {
		if got := cdktest.JSON(cli[prop]); got != w {
			t.Errorf("CLI client %s = %s, want %s", prop, got, w)
		}
	}
	for _, prop := range []string{"IdTokenValidity", "RefreshTokenValidity", "AuthSessionValidity", "TokenValidityUnits", "ReadAttributes", "WriteAttributes"} {
		if got, spas := cdktest.JSON(cli[prop]), cdktest.JSON(spa[prop]); got != spas {
			t.Errorf("CLI client %s = %s, want the SPA's %s", prop, got, spas)
		}
	}
	grants := clients.Grants()
	if len(grants) != 3 || *grants[2].ClientID != *clients.CLI.UserPoolClientId() || !slices.Equal(grants[2].Scopes, []string{"orders/read"}) {
		t.Errorf("grants %+v, want the CLI client's last with orders/read", grants)
	}
	if ids := clients.ClientIDs(); len(ids) != 3 {
		t.Errorf("%d client ids, want the CLI client's among 3", len(ids))
	}
}
