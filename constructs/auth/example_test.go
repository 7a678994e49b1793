package auth_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
)

// A platform team adds a phone-number user pool to a stack of its own app.
func ExampleNewUserPool() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)

	users := auth.NewUserPool(stack, "Users", &auth.UserPoolProps{
		SignIn:       auth.SignInPhone,
		DomainPrefix: "acme-accounts",
	})
	_ = users.Pool // the awscognito.UserPool, for anything the construct does not set

	template := assertions.Template_FromStack(stack, nil)
	for _, r := range *template.FindResources(jsii.String("AWS::Cognito::UserPool"), nil) {
		pool := (*r)["Properties"].(map[string]any)
		fmt.Println("username:", pool["UsernameAttributes"])
		fmt.Println("verified by:", pool["AutoVerifiedAttributes"])
		fmt.Println("MFA:", pool["MfaConfiguration"], pool["EnabledMfas"])
		fmt.Println("deletion protection:", pool["DeletionProtection"])
	}
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
		ServerCallbackURLs:  []string{"https://shop.example.com/server/callback"},
		AccessTokenValidity: 10 * time.Minute,
	})
	fmt.Println("scope:", clients.ScopeName("read"))

	template := assertions.Template_FromStack(stack, nil)
	for _, r := range *template.FindResources(jsii.String("AWS::Cognito::UserPoolClient"), nil) {
		client := (*r)["Properties"].(map[string]any)
		fmt.Println("secret:", client["GenerateSecret"] == true, "flows:", client["AllowedOAuthFlows"],
			"access token minutes:", client["AccessTokenValidity"])
	}
	// Unordered output:
	// scope: orders/read
	// secret: false flows: [code] access token minutes: 10
	// secret: true flows: [code] access token minutes: 10
}

// Temporary AWS credentials that reach only the caller's own items.
func ExampleNewIdentityPool() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)
	users := auth.NewUserPool(stack, "Users", nil)
	clients := auth.NewAppClients(stack, "Clients", &auth.AppClientsProps{
		UserPool:       users.Pool,
		CallbackURLs:   []string{"https://app.example.com/callback"},
		NoServerClient: true,
	})
	table := awsdynamodb.NewTableV2(stack, jsii.String("Notes"), &awsdynamodb.TablePropsV2{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("owner"), Type: awsdynamodb.AttributeType_STRING},
	})

	identity := auth.NewIdentityPool(stack, "Identity", &auth.IdentityPoolProps{
		UserPool: users.Pool,
		Clients:  []awscognito.IUserPoolClient{clients.SPA},
	})
	identity.GrantOwnItems(table, nil, "dynamodb:GetItem", "dynamodb:Query")

	template := assertions.Template_FromStack(stack, nil)
	for _, r := range *template.FindResources(jsii.String("AWS::Cognito::IdentityPool"), nil) {
		fmt.Println("unauthenticated identities:", (*r)["Properties"].(map[string]any)["AllowUnauthenticatedIdentities"])
	}
	for _, r := range *template.FindResources(jsii.String("AWS::IAM::Policy"), nil) {
		statement := (*r)["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any)[0]
		condition, _ := json.Marshal(statement.(map[string]any)["Condition"])
		fmt.Println(string(condition))
	}
	// Output:
	// unauthenticated identities: false
	// {"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${cognito-identity.amazonaws.com:sub}"]}}
}
