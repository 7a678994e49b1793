package cicd_test

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/cicd"
)

// A deploy role for a repository's production environment, in an account
// that already has GitHub's OIDC provider.
func ExampleNewGitHubDeployRole() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("CiStack"), nil)
	provider := awsiam.OidcProviderNative_FromOidcProviderArn(stack, jsii.String("GitHub"),
		jsii.String("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"))

	cicd.NewGitHubDeployRole(stack, "Deploy", &cicd.GitHubDeployRoleProps{
		Repository:   "acme/shop",
		Environments: []string{"production"},
		Provider:     provider,
	})

	template := assertions.Template_FromStack(stack, nil)
	fmt.Println(len(*template.FindResources(jsii.String("AWS::IAM::OIDCProvider"), nil)), "new providers")
	for _, r := range *template.FindResources(jsii.String("AWS::IAM::Role"), nil) {
		trust := (*r)["Properties"].(map[string]any)["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[0]
		condition, _ := json.Marshal(trust.(map[string]any)["Condition"])
		fmt.Println(string(condition))
	}
	// Output:
	// 0 new providers
	// {"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":["repo:acme/shop:environment:production"]}}
}
