package stage

import (
	"errors"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/portcullis-cdk/portcullis/constructs/cicd"
	"github.com/portcullis-cdk/portcullis/contract"
)

// GitHubStackName is the stack of the GitHub deploy roles in account:
// "<project>-github" for stages that name no account, else
// "<project>-github-<account>".
func GitHubStackName(project, account string) string {
	if account == "" {
		return project + "-github"
	}
	return project + "-github-" + account
}

// DeployRoleOutput is the output holding the ARN of a stage's deploy role:
// the AWS_DEPLOY_ROLE_ARN variable of the stage's GitHub environment.
func DeployRoleOutput(stageName string) string { return title(stageName) + "DeployRoleArn" }

// CheckIsolated refuses stages of one project whose deploys could reach each
// other: stages that share an account must name distinct bootstrap
// qualifiers (a bootstrap's deploy role deploys any stack of its account),
// and either every stage names its Account or none does (a stack without one
// lands in whatever account deploys it, so two could meet unnoticed).
func CheckIsolated(stages []Config) error {
	var errs []error
	byAccount := map[string]map[string]string{} // account -> qualifier -> stage
	pinned := 0
	for _, c := range stages {
		if c.Account != "" {
			pinned++
		}
		q := byAccount[c.Account]
		if q == nil {
			q = map[string]string{}
			byAccount[c.Account] = q
		}
		if other, ok := q[c.Qualifier()]; ok {
			errs = append(errs, fmt.Errorf("stages %q and %q: BootstrapQualifier %q in the same account; give each stage its own qualifier or account", other, c.Name, c.Qualifier()))
		}
		q[c.Qualifier()] = c.Name
	}
	if pinned != 0 && pinned != len(stages) {
		errs = append(errs, fmt.Errorf("project %q: %d of %d stages name an Account; name it in every stage or in none", stages[0].Project, pinned, len(stages)))
	}
	return errors.Join(errs...)
}

// NewGitHub builds the stacks `make github-oidc` deploys once per account:
// GitHub's OIDC provider and, for each stage of the project in that
// account, a role that only repository's jobs in the GitHub environment
// named after the stage may assume (.github/workflows/deploy.yml), and that
// may assume only that stage's bootstrap roles. It returns the roles by
// stage name.
func NewGitHub(scope constructs.Construct, project, repository string) (map[string]*cicd.GitHubDeployRole, error) {
	var stages []Config
	for _, c := range Stages() {
		if c.Project == project {
			stages = append(stages, c)
		}
	}
	if len(stages) == 0 {
		return nil, fmt.Errorf("project %q has no stages", project)
	}
	if err := CheckIsolated(stages); err != nil {
		return nil, err
	}
	var accounts []string
	byAccount := map[string][]Config{}
	for _, c := range stages {
		if byAccount[c.Account] == nil {
			accounts = append(accounts, c.Account)
		}
		byAccount[c.Account] = append(byAccount[c.Account], c)
	}
	roles := map[string]*cicd.GitHubDeployRole{}
	for _, account := range accounts {
		if err := newGitHubStack(scope, project, repository, account, byAccount[account], roles); err != nil {
			return nil, err
		}
	}
	return roles, nil
}

// newGitHubStack is one account's stack: one provider, a role per stage.
func newGitHubStack(scope constructs.Construct, project, repository, account string, stages []Config, roles map[string]*cicd.GitHubDeployRole) error {
	props := make([]*cicd.GitHubDeployRoleProps, len(stages))
	for i, c := range stages {
		props[i] = &cicd.GitHubDeployRoleProps{
			Repository:         repository,
			Environment:        c.Name,
			BootstrapQualifier: c.Qualifier(),
			BootstrapRegion:    c.Region,
		}
		if err := props[i].Validate(); err != nil {
			return fmt.Errorf("stage %q: %w", c.Name, err)
		}
	}
	var env *awscdk.Environment
	if account != "" {
		env = &awscdk.Environment{Account: jsii.String(account)}
	}
	name := GitHubStackName(project, account)
	stack := awscdk.NewStack(scope, jsii.String(name), &awscdk.StackProps{
		StackName:   jsii.String(name),
		Env:         env,
		Description: jsii.String(fmt.Sprintf("%s: the roles GitHub Actions of %s assume to deploy each stage", contract.Brand, repository)),
	})
	awscdk.Tags_Of(stack).Add(jsii.String("project"), jsii.String(project), nil)
	for i, c := range stages {
		if i > 0 {
			// An account has one provider per issuer: the first role's.
			props[i].Provider = roles[stages[0].Name].Provider
		}
		r := cicd.NewGitHubDeployRole(stack, title(c.Name)+"Deploy", props[i])
		roles[c.Name] = r
		awscdk.NewCfnOutput(stack, jsii.String(DeployRoleOutput(c.Name)), &awscdk.CfnOutputProps{
			Description: jsii.String(fmt.Sprintf("role-to-assume of the %s environment: its AWS_DEPLOY_ROLE_ARN variable", c.Name)),
			Value:       r.Role.RoleArn(),
		})
	}
	awscdk.Aspects_Of(stack).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	return nil
}
