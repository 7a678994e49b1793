package cicd_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/cicd"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/cdktest"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

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
	fmt.Println(len(cdktest.Resources(stack, "AWS::IAM::OIDCProvider")), "new providers")
	role := cdktest.One(stack, "AWS::IAM::Role")
	trust := role.Properties["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)
	fmt.Println(cdktest.JSON(trust["Condition"]))
	policy := role.Properties["Policies"].([]any)[0].(map[string]any)["PolicyDocument"].(map[string]any)
	deploy := policy["Statement"].([]any)[0].(map[string]any)["Resource"].([]any)[0]
	fmt.Println(cdktest.JSON(deploy))
	// Output:
	// 0 new providers
	// {"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:acme/shop:environment:production"}}
	// {"Fn::Sub":"arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-shopprod-deploy-role-${AWS::AccountId}-${AWS::Region}"}
}
