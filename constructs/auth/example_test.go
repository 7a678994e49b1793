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

// A team's existing pool: the construct adds the hosted domain, and app
// clients and JWT authorizers trust the issuer derived from it.
func ExampleNewUserPool_existing() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)
	existing := awscognito.UserPool_FromUserPoolId(stack, jsii.String("Corporate"), jsii.String("eu-west-1_AbCdEf123"))

	users := auth.NewUserPool(stack, "Users", &auth.UserPoolProps{Existing: existing, DomainPrefix: "acme-orders"})
	auth.NewAppClients(stack, "Clients", &auth.AppClientsProps{
		UserPool:       users.Pool,
		CallbackURLs:   []string{"https://orders.example.com/callback"},
		NoServerClient: true,
	})
	issuer, _ := json.Marshal(stack.Resolve(users.IssuerURL()))
	fmt.Println(string(issuer))

	template := assertions.Template_FromStack(stack, nil)
	fmt.Println(len(*template.FindResources(jsii.String("AWS::Cognito::UserPool"), nil)), "new pools")
	for _, typ := range []string{"AWS::Cognito::UserPoolDomain", "AWS::Cognito::UserPoolClient"} {
		for _, r := range *template.FindResources(jsii.String(typ), nil) {
			fmt.Println(typ, "in", (*r)["Properties"].(map[string]any)["UserPoolId"])
		}
	}
	// Unordered output:
	// {"Fn::Join":["",["https://cognito-idp.",{"Ref":"AWS::Region"},".",{"Ref":"AWS::URLSuffix"},"/eu-west-1_AbCdEf123"]]}
	// 0 new pools
	// AWS::Cognito::UserPoolDomain in eu-west-1_AbCdEf123
	// AWS::Cognito::UserPoolClient in eu-west-1_AbCdEf123
}

// The authenticated role for an identity pool the team already has: the
// construct makes the role and its grants, and the team attaches it where
// the pool's roles are managed.
func ExampleNewIdentityPool_existing() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)
	table := awsdynamodb.Table_FromTableName(stack, jsii.String("Notes"), jsii.String("notes"))

	identity := auth.NewIdentityPool(stack, "Identity", &auth.IdentityPoolProps{
		ExistingID: "eu-west-1:11111111-2222-3333-4444-555555555555",
	})
	identity.GrantOwnItems(table, nil, "dynamodb:GetItem")
	_ = identity.AuthenticatedRole.RoleArn() // attach as the pool's authenticated role

	template := assertions.Template_FromStack(stack, nil)
	for _, typ := range []string{"AWS::Cognito::IdentityPool", "AWS::Cognito::IdentityPoolRoleAttachment"} {
		fmt.Println(len(*template.FindResources(jsii.String(typ), nil)), typ)
	}
	for _, r := range *template.FindResources(jsii.String("AWS::IAM::Role"), nil) {
		trust := (*r)["Properties"].(map[string]any)["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[0]
		aud, _ := json.Marshal(trust.(map[string]any)["Condition"].(map[string]any)["StringEquals"])
		fmt.Println(string(aud))
	}
	// Output:
	// 0 AWS::Cognito::IdentityPool
	// 0 AWS::Cognito::IdentityPoolRoleAttachment
	// {"cognito-identity.amazonaws.com:aud":"eu-west-1:11111111-2222-3333-4444-555555555555"}
}
