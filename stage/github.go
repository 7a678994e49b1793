package stage

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/portcullis-cdk/portcullis/constructs/cicd"
)

// GitHubStackName is the stack of the GitHub deploy role, "<project>-github".
func GitHubStackName(project string) string { return project + "-github" }

// NewGitHub builds the stack `make github-oidc` deploys once per account and
// region: GitHub's OIDC provider and the role the workflow
// (.github/workflows/deploy.yml) assumes, for repository's jobs in a GitHub
// environment named after one of the project's stages.
func NewGitHub(scope constructs.Construct, project, repository string) (*cicd.GitHubDeployRole, error) {
	var envs []string
	for _, c := range Stages() {
		if c.Project == project {
			envs = append(envs, c.Name)
		}
	}
	props := &cicd.GitHubDeployRoleProps{Repository: repository, Environments: envs}
	if err := props.Validate(); err != nil {
		return nil, fmt.Errorf("project %q: %w", project, err)
	}
	stack := awscdk.NewStack(scope, jsii.String(GitHubStackName(project)), &awscdk.StackProps{
		StackName:   jsii.String(GitHubStackName(project)),
		Description: jsii.String(fmt.Sprintf("Portcullis: the role GitHub Actions of %s assume to deploy the stages", repository)),
	})
	awscdk.Tags_Of(stack).Add(jsii.String("project"), jsii.String(project), nil)
	r := cicd.NewGitHubDeployRole(stack, "GitHub", props)
	awscdk.NewCfnOutput(stack, jsii.String("DeployRoleArn"), &awscdk.CfnOutputProps{
		Description: jsii.String("role-to-assume of the workflow: the AWS_DEPLOY_ROLE_ARN variable of each GitHub environment"),
		Value:       r.Role.RoleArn(),
	})
	awscdk.Aspects_Of(stack).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	return r, nil
}
