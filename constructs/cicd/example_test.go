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
// that already has GitHub's OIDC provider; production was bootstrapped with
// its own qualifier (cdk bootstrap --qualifier shopprod).
func ExampleNewGitHubDeployRole() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("CiStack"), nil)
	provider := awsiam.OidcProviderNative_FromOidcProviderArn(stack, jsii.String("GitHub"),
		jsii.String("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"))

	cicd.NewGitHubDeployRole(stack, "Deploy", &cicd.GitHubDeployRoleProps{
		Repository:         "acme/shop",
		Environment:        "production",
		Provider:           provider,
		BootstrapQualifier: "shopprod",
	})

	template := assertions.Template_FromStack(stack, nil)
	fmt.Println(len(*template.FindResources(jsii.String("AWS::IAM::OIDCProvider"), nil)), "new providers")
	for _, r := range *template.FindResources(jsii.String("AWS::IAM::Role"), nil) {
		role := (*r)["Properties"].(map[string]any)
		trust := role["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[0]
		condition, _ := json.Marshal(trust.(map[string]any)["Condition"])
		fmt.Println(string(condition))
		policy := role["Policies"].([]any)[0].(map[string]any)["PolicyDocument"].(map[string]any)
		deploy, _ := json.Marshal(policy["Statement"].([]any)[0].(map[string]any)["Resource"].([]any)[0])
		fmt.Println(string(deploy))
	}
	// Output:
	// 0 new providers
	// {"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:acme/shop:environment:production"}}
	// {"Fn::Sub":"arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-shopprod-deploy-role-${AWS::AccountId}-${AWS::Region}"}
}
