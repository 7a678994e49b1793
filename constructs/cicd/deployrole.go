// Package cicd provides GitHubDeployRole: the IAM role a GitHub Actions
// workflow assumes through GitHub's OIDC provider (no stored AWS keys) to
// deploy CDK stacks. The role may do one thing, assume the CDK bootstrap
// roles of its account and region, which hold the deploy permissions; and
// only jobs of the named repository running in the named GitHub
// environments may assume it.
//
// # Examples
//
// NewGitHubDeployRole:
// A deploy role for a repository's production environment, in an account
// that already has GitHub's OIDC provider.
//
//	app := awscdk.NewApp(nil)
//	stack := awscdk.NewStack(app, jsii.String("CiStack"), nil)
//	provider := awsiam.OidcProviderNative_FromOidcProviderArn(stack, jsii.String("GitHub"),
//		jsii.String("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"))
//
//	cicd.NewGitHubDeployRole(stack, "Deploy", &cicd.GitHubDeployRoleProps{
//		Repository:   "acme/shop",
//		Environments: []string{"production"},
//		Provider:     provider,
//	})
//
//	template := assertions.Template_FromStack(stack, nil)
//	fmt.Println(len(*template.FindResources(jsii.String("AWS::IAM::OIDCProvider"), nil)), "new providers")
//	for _, r := range *template.FindResources(jsii.String("AWS::IAM::Role"), nil) {
//		trust := (*r)["Properties"].(map[string]any)["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[0]
//		condition, _ := json.Marshal(trust.(map[string]any)["Condition"])
//		fmt.Println(string(condition))
//	}
//	// Output:
//	// 0 new providers
//	// {"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":["repo:acme/shop:environment:production"]}}
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
	// Environments are the GitHub environments (for example "dev", "prod")
	// whose jobs may assume the role; jobs outside an environment, pull
	// requests included, may not. Required: at least one.
	Environments []string
	// Provider is the account's GitHub OIDC provider, when it exists already
	// (an account has at most one per issuer). Default: a new provider.
	Provider awsiam.IOidcProvider
	// BootstrapQualifier of the CDK bootstrap stack the workflow deploys
	// through. Default: "hnb659fds", the CDK's default.
	BootstrapQualifier string
	// MaxSession is the longest session the role grants. Default: 1 hour
	// (range 1 to 12 hours).
	MaxSession time.Duration
}

var (
	repository  = regexp.MustCompile(`^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}$`)
	environment = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,255}$`)
	qualifier   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,10}$`)
)

// Validate reports every problem with the props.
func (p *GitHubDeployRoleProps) Validate() error {
	var errs []error
	if !repository.MatchString(p.Repository) {
		errs = append(errs, fmt.Errorf("Repository %q: want owner/name", p.Repository))
	}
	if len(p.Environments) == 0 {
		errs = append(errs, errors.New("Environments: at least one is required; jobs outside an environment may not deploy"))
	}
	for _, e := range p.Environments {
		if !environment.MatchString(e) {
			errs = append(errs, fmt.Errorf("Environments: %q is not a GitHub environment name a token's sub can carry", e))
		}
	}
	if p.BootstrapQualifier != "" && !qualifier.MatchString(p.BootstrapQualifier) {
		errs = append(errs, fmt.Errorf("BootstrapQualifier %q: want up to 10 letters, digits, _ or -", p.BootstrapQualifier))
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

func (r *GitHubDeployRole) newRole(p GitHubDeployRoleProps) awsiam.Role {
	subjects := make([]string, len(p.Environments))
	for i, e := range p.Environments {
		subjects[i] = fmt.Sprintf("repo:%s:environment:%s", p.Repository, e)
	}
	trust := awsiam.NewWebIdentityPrincipal(r.Provider.OidcProviderArn(), &map[string]any{
		"StringEquals": map[string]any{
			GitHubIssuer + ":aud": Audience,
			GitHubIssuer + ":sub": subjects,
		},
	})
	var roles []*string
	for _, kind := range BootstrapRoles {
		roles = append(roles, awscdk.Fn_Sub(jsii.String(fmt.Sprintf(
			"arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-%s-%s-${AWS::AccountId}-${AWS::Region}", p.BootstrapQualifier, kind)), nil))
	}
	return awsiam.NewRole(r.Construct, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:          trust,
		Description:        jsii.String("GitHub Actions deploys of " + p.Repository + ": assumes the CDK bootstrap roles, nothing else"),
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
