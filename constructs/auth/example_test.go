package auth_test

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
	"github.com/portcullis-cdk/portcullis/internal/cdkapp"
)

func TestMain(m *testing.M) {
	code := m.Run()
	cdkapp.Close()
	os.Exit(code)
}

// resources returns the Properties of every resource of type typ in stack,
// as JSON, for the examples to print.
func resources(stack awscdk.Stack, typ string) []map[string]any {
	found := assertions.Template_FromStack(stack, nil).FindResources(jsii.String(typ), nil)
	var out []map[string]any
	for _, r := range *found {
		raw, _ := json.Marshal(r)
		var res struct{ Properties map[string]any }
		_ = json.Unmarshal(raw, &res)
		out = append(out, res.Properties)
	}
	return out
}

// A platform team adds a phone-number user pool to a stack of its own app.
func ExampleNewUserPool() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)

	users := auth.NewUserPool(stack, "Users", &auth.UserPoolProps{
		SignIn:       auth.SignInPhone,
		DomainPrefix: "acme-accounts",
	})
	_ = users.Pool // the awscognito.UserPool, for anything the construct does not set

	pool := resources(stack, "AWS::Cognito::UserPool")[0]
	fmt.Println("username:", pool["UsernameAttributes"])
	fmt.Println("verified by:", pool["AutoVerifiedAttributes"])
	fmt.Println("MFA:", pool["MfaConfiguration"], pool["EnabledMfas"])
	fmt.Println("deletion protection:", pool["DeletionProtection"])
	// Output:
	// username: [phone_number]
	// verified by: [phone_number]
	// MFA: ON [SOFTWARE_TOKEN_MFA]
	// deletion protection: ACTIVE
}

// App clients for an existing pool: a browser SPA and a server-side client.
func ExampleNewAppClients() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)
	users := auth.NewUserPool(stack, "Users", nil)

	clients := auth.NewAppClients(stack, "Clients", &auth.AppClientsProps{
		UserPool:            users.Pool,
		ResourceServerID:    "orders",
		Scopes:              []auth.Scope{{Name: "read", Description: "Read orders"}},
		CallbackURLs:        []string{"https://shop.example.com/callback"},
		AccessTokenValidity: 10 * time.Minute,
	})
	fmt.Println("scope:", clients.ScopeName("read"))

	for _, c := range resources(stack, "AWS::Cognito::UserPoolClient") {
		fmt.Println(c["ClientName"], "secret:", c["GenerateSecret"] == true, "flows:", c["AllowedOAuthFlows"], "access token minutes:", c["AccessTokenValidity"])
	}
	// Unordered output:
	// scope: orders/read
	// <nil> secret: false flows: [code] access token minutes: 10
	// <nil> secret: true flows: [code] access token minutes: 10
}

// Temporary AWS credentials that reach only the caller's own items.
func ExampleNewIdentityPool() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)
	users := auth.NewUserPool(stack, "Users", nil)
	clients := auth.NewAppClients(stack, "Clients", &auth.AppClientsProps{
		UserPool:     users.Pool,
		CallbackURLs: []string{"https://app.example.com/callback"},
	})
	table := awsdynamodb.NewTableV2(stack, jsii.String("Notes"), &awsdynamodb.TablePropsV2{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("owner"), Type: awsdynamodb.AttributeType_STRING},
	})

	identity := auth.NewIdentityPool(stack, "Identity", &auth.IdentityPoolProps{
		UserPool: users.Pool,
		Clients:  []awscognito.IUserPoolClient{clients.SPA},
	})
	identity.GrantOwnItems(table, "dynamodb:GetItem", "dynamodb:Query")

	pool := resources(stack, "AWS::Cognito::IdentityPool")[0]
	fmt.Println("unauthenticated identities:", pool["AllowUnauthenticatedIdentities"])
	policy := resources(stack, "AWS::IAM::Policy")[0]
	raw, _ := json.Marshal(policy["PolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)["Condition"])
	fmt.Println(string(raw))
	// Output:
	// unauthenticated identities: false
	// {"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${cognito-identity.amazonaws.com:sub}"]}}
}
