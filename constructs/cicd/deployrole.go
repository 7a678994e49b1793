// Package cicd provides GitHubDeployRole: the IAM role a GitHub Actions
// workflow assumes through GitHub's OIDC provider (no stored AWS keys) to
// deploy CDK stacks. The role may do one thing, assume the CDK bootstrap
// roles of one bootstrap (a qualifier in an account and region), which hold
// the deploy permissions; and only jobs of the named repository running in
// the one named GitHub environment may assume it.
//
// Make one role per environment, each with its own bootstrap: a bootstrap's
// deploy role deploys any stack in its account, so two environments sharing
// a deploy role or a bootstrap share a trust boundary, and a job of the
// environment without required reviewers (dev) could deploy the one with
// them (prod). Give each environment its own qualifier (`cdk bootstrap
// --qualifier`, the stack synthesizer's Qualifier) or, better for
// production, its own account.
//
// The logical ids of the resources this package makes, and the properties
// whose change would replace a stateful one, stay the same in every release
// that CHANGELOG.md does not mark breaking, so such an upgrade never
// replaces a resource of your stack: testdata/logical-ids.json records them
// and a test fails on any change. A breaking release (a new major version;
// before v1, a new minor) names each resource it changes.
//
// # Examples
//
// NewGitHubDeployRole:
// A deploy role for a repository's production environment, in an account
// that already has GitHub's OIDC provider; production was bootstrapped with
// its own qualifier (cdk bootstrap --qualifier shopprod).
//
//	app := awscdk.NewApp(nil)
//	stack := awscdk.NewStack(app, jsii.String("CiStack"), nil)
//	provider := awsiam.OidcProviderNative_FromOidcProviderArn(stack, jsii.String("GitHub"),
//		jsii.String("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"))
//
//	cicd.NewGitHubDeployRole(stack, "Deploy", &cicd.GitHubDeployRoleProps{
//		Repository:         "acme/shop",
//		Environment:        "production",
//		Provider:           provider,
//		BootstrapQualifier: "shopprod",
//	})
//
//	template := assertions.Template_FromStack(stack, nil)
//	fmt.Println(len(*template.FindResources(jsii.String("AWS::IAM::OIDCProvider"), nil)), "new providers")
//	for _, r := range *template.FindResources(jsii.String("AWS::IAM::Role"), nil) {
//		role := (*r)["Properties"].(map[string]any)
//		trust := role["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[0]
//		condition, _ := json.Marshal(trust.(map[string]any)["Condition"])
//		fmt.Println(string(condition))
//		policy := role["Policies"].([]any)[0].(map[string]any)["PolicyDocument"].(map[string]any)
//		deploy, _ := json.Marshal(policy["Statement"].([]any)[0].(map[string]any)["Resource"].([]any)[0])
//		fmt.Println(string(deploy))
//	}
//	// Output:
//	// 0 new providers
//	// {"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:acme/shop:environment:production"}}
//	// {"Fn::Sub":"arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-shopprod-deploy-role-${AWS::AccountId}-${AWS::Region}"}
package cicd

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// GitHubIssuer is the issuer of GitHub Actions' OIDC tokens, and Audience
// the audience aws-actions/configure-aws-credentials asks them for.
const (
	GitHubIssuer = "token.actions.githubusercontent.com"
	Audience     = "sts.amazonaws.com"
)

// BootstrapRoles are the roles `cdk bootstrap` creates, by their name part:
// cdk-<qualifier>-<kind>-<account>-<region>.
var BootstrapRoles = []string{"deploy-role", "file-publishing-role", "image-publishing-role", "lookup-role"}

// GitHubDeployRoleProps configures a GitHubDeployRole.
type GitHubDeployRoleProps struct {
	// Repository whose workflows may assume the role: "owner/name". Required.
	Repository string
	// Environment is the GitHub environment (for example "prod") whose jobs
	// may assume the role; jobs of other environments, jobs outside an
	// environment and pull requests may not. Required.
	Environment string
	// Provider is the account's GitHub OIDC provider, when it exists already
	// (an account has at most one per issuer). Default: a new provider.
	Provider awsiam.IOidcProvider
	// BootstrapQualifier of the CDK bootstrap the environment deploys
	// through: the role may assume only that bootstrap's roles. Default:
	// "hnb659fds", the CDK's default; give each environment that shares an
	// account its own.
	BootstrapQualifier string
	// BootstrapRegion is the region of that bootstrap. Default: the region
	// of the stack the role is in.
	BootstrapRegion string
	// MaxSession is the longest session the role grants. Default: 1 hour
	// (range 1 to 12 hours).
	MaxSession time.Duration
}

var (
	repository  = regexp.MustCompile(`^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}$`)
	environment = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,255}$`)
	qualifier   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,10}$`)
	region      = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$`)
)

// Validate reports every problem with the props.
func (p *GitHubDeployRoleProps) Validate() error {
	var errs []error
	if !repository.MatchString(p.Repository) {
		errs = append(errs, fmt.Errorf("Repository %q: want owner/name", p.Repository))
	}
	switch {
	case p.Environment == "":
		errs = append(errs, errors.New("Environment: required; jobs outside an environment may not deploy"))
	case !environment.MatchString(p.Environment):
		errs = append(errs, fmt.Errorf("Environment %q: not a GitHub environment name a token's sub can carry", p.Environment))
	}
	if p.BootstrapQualifier != "" && !qualifier.MatchString(p.BootstrapQualifier) {
		errs = append(errs, fmt.Errorf("BootstrapQualifier %q: want up to 10 letters, digits, _ or -", p.BootstrapQualifier))
	}
	if p.BootstrapRegion != "" && !region.MatchString(p.BootstrapRegion) {
		errs = append(errs, fmt.Errorf("BootstrapRegion %q: want a region name such as eu-west-1", p.BootstrapRegion))
	}
	if p.MaxSession != 0 && (p.MaxSession < time.Hour || p.MaxSession > 12*time.Hour) {
		errs = append(errs, fmt.Errorf("MaxSession %v: want 1h to 12h", p.MaxSession))
	}
	return errors.Join(errs...)
}

// GitHubDeployRole is the OIDC provider (new or given) and the role.
type GitHubDeployRole struct {
	// Construct groups the resources below; pass it where a scope is wanted.
	Construct constructs.Construct
	// Provider is GitHub's OIDC provider in the account.
	Provider awsiam.IOidcProvider
	// Role is what the workflow assumes (role-to-assume).
	Role awsiam.Role
}

// NewGitHubDeployRole creates the role, and the provider unless props name
// one. It panics if props do not validate; call props.Validate first to
// handle the error.
func NewGitHubDeployRole(scope constructs.Construct, id string, props *GitHubDeployRoleProps) *GitHubDeployRole {
	if props == nil {
		props = &GitHubDeployRoleProps{}
	}
	if err := props.Validate(); err != nil {
		panic(fmt.Errorf("cicd.NewGitHubDeployRole %q: %w", id, err))
	}
	p := *props
	if p.BootstrapQualifier == "" {
		p.BootstrapQualifier = "hnb659fds"
	}
	if p.MaxSession == 0 {
		p.MaxSession = time.Hour
	}
	r := &GitHubDeployRole{Construct: constructs.NewConstruct(scope, jsii.String(id)), Provider: p.Provider}
	if r.Provider == nil {
		// GitHub's certificate is trusted by IAM's own CA library, so no
		// thumbprint is pinned (AWS ignores it for this issuer).
		r.Provider = awsiam.NewOidcProviderNative(r.Construct, jsii.String("Provider"), &awsiam.OidcProviderNativeProps{
			Url:       jsii.String("https://" + GitHubIssuer),
			ClientIds: jsii.Strings(Audience),
		})
	}
	r.Role = r.newRole(p)
	return r
}

// Subject is the sub claim of GitHub's OIDC token for a job of repository
// running in environment.
func Subject(repository, environment string) string {
	return fmt.Sprintf("repo:%s:environment:%s", repository, environment)
}

func (r *GitHubDeployRole) newRole(p GitHubDeployRoleProps) awsiam.Role {
	trust := awsiam.NewWebIdentityPrincipal(r.Provider.OidcProviderArn(), &map[string]any{
		"StringEquals": map[string]any{
			GitHubIssuer + ":aud": Audience,
			GitHubIssuer + ":sub": Subject(p.Repository, p.Environment),
		},
	})
	region := "${AWS::Region}"
	if p.BootstrapRegion != "" {
		region = p.BootstrapRegion
	}
	var roles []*string
	for _, kind := range BootstrapRoles {
		roles = append(roles, awscdk.Fn_Sub(jsii.String(fmt.Sprintf(
			"arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-%s-%s-${AWS::AccountId}-%s", p.BootstrapQualifier, kind, region)), nil))
	}
	return awsiam.NewRole(r.Construct, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy: trust,
		Description: jsii.String(fmt.Sprintf("GitHub Actions deploys of %s, environment %s: assumes the CDK bootstrap roles of qualifier %s, nothing else",
			p.Repository, p.Environment, p.BootstrapQualifier)),
		MaxSessionDuration: awscdk.Duration_Seconds(jsii.Number(p.MaxSession.Seconds())),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"AssumeCdkBootstrapRoles": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Actions:   jsii.Strings("sts:AssumeRole"),
					Resources: &roles,
				})},
			}),
		},
	})
}
