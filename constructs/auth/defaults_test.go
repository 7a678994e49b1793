package auth_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
	"github.com/portcullis-cdk/portcullis/constructs/internal/cdktest"
)

// Nothing of any one app is a default: a pool from zero-value props
// declares no custom attribute, and clients given only a pool and callback
// URLs read and write standard attributes only, with no resource server.
// The same stack passes CloudFormation's validation in the app's gates
// (test/library_test.go).
func TestZeroValuePropsAreNeutral(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	users := auth.NewUserPool(stack, "Users", nil)
	clients := auth.NewAppClients(stack, "Clients", &auth.AppClientsProps{
		UserPool:           users.Pool,
		CallbackURLs:       []string{"https://app.example.com/callback"},
		ServerCallbackURLs: []string{"https://app.example.com/server/callback"},
	})

	if schema := cdktest.One(stack, "AWS::Cognito::UserPool").Properties["Schema"]; schema != nil {
		t.Errorf("pool Schema %s, want no custom attribute", cdktest.JSON(schema))
	}
	if n := len(cdktest.Resources(stack, "AWS::Cognito::UserPoolResourceServer")); n != 0 || clients.ResourceServer != nil {
		t.Errorf("%d resource servers without Scopes", n)
	}
	for id, c := range cdktest.Resources(stack, "AWS::Cognito::UserPoolClient") {
		for prop, want := range map[string][]string{
			"ReadAttributes":  auth.DefaultReadAttributes(),
			"WriteAttributes": auth.DefaultWriteAttributes(),
		} {
			var got []string
			for _, a := range c.Properties[prop].([]any) {
				got = append(got, a.(string))
			}
			slices.Sort(got)
			want = slices.Sorted(slices.Values(want))
			if !slices.Equal(got, want) {
				t.Errorf("%s %s = %v, want %v", id, prop, got, want)
			}
		}
	}
	if len(clients.Grants()) != 2 || len(clients.Grants()[0].Scopes) != 0 || clients.CLI != nil {
		t.Errorf("grants %+v, CLI client %v: want two clients without API scopes, and no CLI client", clients.Grants(), clients.CLI)
	}
}

// The construct ids of the clients come from props, so an app keeps the
// logical ids of clients it made before.
func TestClientConstructIDs(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	users := auth.NewUserPool(stack, "Users", nil)
	clients := auth.NewAppClients(stack, "Clients", &auth.AppClientsProps{
		UserPool:           users.Pool,
		CallbackURLs:       []string{"https://app.example.com/callback"},
		ServerCallbackURLs: []string{"https://app.example.com/server/callback"},
		SPAConstructID:     "Browser",
		ServerConstructID:  "Backend",
	})
	if got := *clients.SPA.Node().Path(); got != "S/Clients/Browser" {
		t.Errorf("SPA client at %s", got)
	}
	if got := *clients.Server.Node().Path(); got != "S/Clients/Backend" {
		t.Errorf("server client at %s", got)
	}
}

// PoolOverrides reach what the construct does not decide, and never undo
// what it does.
func TestPoolOverrides(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	auth.NewUserPool(stack, "Users", &auth.UserPoolProps{PoolOverrides: &awscognito.UserPoolProps{
		DeviceTracking: &awscognito.DeviceTracking{ChallengeRequiredOnNewDevice: jsii.Bool(true), DeviceOnlyRememberedOnUserPrompt: jsii.Bool(true)},
	}})
	if got := cdktest.JSON(cdktest.One(stack, "AWS::Cognito::UserPool").Properties["DeviceConfiguration"]); !strings.Contains(got, `"ChallengeRequiredOnNewDevice":true`) {
		t.Errorf("DeviceConfiguration %s, want the override's", got)
	}

	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "Mfa, SelfSignUpEnabled: set by the construct") {
			t.Errorf("panic %v, want one naming Mfa and SelfSignUpEnabled", r)
		}
	}()
	auth.NewUserPool(stack, "Weakened", &auth.UserPoolProps{PoolOverrides: &awscognito.UserPoolProps{
		Mfa: awscognito.Mfa_OFF, SelfSignUpEnabled: jsii.Bool(false),
	}})
}
