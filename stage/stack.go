package stage

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
	"github.com/portcullis-cdk/portcullis/lambdas/routes"
)

// Stack is one deployed stage and the constructs it is made of, exposed so
// tests and extensions can reach every resource.
type Stack struct {
	// Stack is the CloudFormation stack; pass it where a scope is wanted.
	Stack    awscdk.Stack
	Config   Config
	Users    *auth.UserPool
	Clients  *auth.AppClients
	Identity *auth.IdentityPool
}

// New validates cfg and builds its stage as a stack of scope (usually the
// app), with cdk-nag's AwsSolutions checks attached.
func New(scope constructs.Construct, cfg Config) (*Stack, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var env *awscdk.Environment
	if cfg.Account != "" || cfg.Region != "" {
		env = &awscdk.Environment{}
		if cfg.Account != "" {
			env.Account = jsii.String(cfg.Account)
		}
		if cfg.Region != "" {
			env.Region = jsii.String(cfg.Region)
		}
	}
	stack := awscdk.NewStack(scope, jsii.String(cfg.StackName()), &awscdk.StackProps{
		StackName:   jsii.String(cfg.StackName()),
		Env:         env,
		Description: jsii.String(fmt.Sprintf("Portcullis %s stage: sign-in, API, data and storage", cfg.Name)),
	})
	awscdk.Tags_Of(stack).Add(jsii.String("project"), jsii.String(cfg.Project), nil)
	awscdk.Tags_Of(stack).Add(jsii.String("stage"), jsii.String(cfg.Name), nil)

	s := &Stack{Stack: stack, Config: cfg}
	s.addAuth()
	s.addOutputs()

	awscdk.Aspects_Of(stack).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	s.suppressNagFindings()
	return s, nil
}

func (s *Stack) addAuth() {
	cfg := s.Config
	poolProps := cfg.userPoolProps()
	s.Users = auth.NewUserPool(s.Stack, "Users", &poolProps)
	s.Clients = auth.NewAppClients(s.Stack, "Clients", &auth.AppClientsProps{
		UserPool:             s.Users.Pool,
		ResourceServerID:     routes.ResourceServerID,
		Scopes:               scopes(),
		CallbackURLs:         cfg.CallbackURLs,
		LogoutURLs:           cfg.LogoutURLs,
		AccessTokenValidity:  cfg.AccessTokenValidity,
		IDTokenValidity:      cfg.IDTokenValidity,
		RefreshTokenValidity: cfg.RefreshTokenValidity,
	})
	s.Identity = auth.NewIdentityPool(s.Stack, "Identity", &auth.IdentityPoolProps{
		UserPool: s.Users.Pool,
		Clients:  []awscognito.IUserPoolClient{s.Clients.SPA},
	})
}

func (s *Stack) output(id, description string, value *string) {
	awscdk.NewCfnOutput(s.Stack, jsii.String(id), &awscdk.CfnOutputProps{
		Description: jsii.String(description),
		Value:       value,
	})
}

// addOutputs exports what a front end or the smoke command needs; never a
// secret (the server client's secret stays in Cognito).
func (s *Stack) addOutputs() {
	s.output("Region", "Region of every resource of the stage", s.Stack.Region())
	s.output("UserPoolId", "Cognito user pool id", s.Users.Pool.UserPoolId())
	s.output("UserPoolIssuer", "Issuer (iss) of the pool's tokens", s.Users.IssuerURL())
	s.output("SpaClientId", "Public SPA app client id (authorization code + PKCE)", s.Clients.SPA.UserPoolClientId())
	s.output("ServerClientId", "Confidential app client id (secret in Cognito)", s.Clients.Server.UserPoolClientId())
	s.output("HostedUiUrl", "Base URL of the Cognito-hosted sign-in pages and OAuth endpoints", s.Users.Domain.BaseUrl(nil))
	s.output("IdentityPoolId", "Cognito identity pool id", s.Identity.IdentityPoolID())
}

func scopes() []auth.Scope {
	out := make([]auth.Scope, len(routes.ScopeDescriptions))
	for i, s := range routes.ScopeDescriptions {
		out[i] = auth.Scope{Name: s.Name, Description: s.Description}
	}
	return out
}
