package auth

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/internal/util/weburl"
)

// Scope is an OAuth scope of the resource server, for example
// {Name: "todos.read", Description: "Read your todos"}.
type Scope struct {
	Name        string
	Description string
}

// AppClientsProps configures AppClients.
type AppClientsProps struct {
	// UserPool the clients belong to. Required.
	UserPool awscognito.IUserPool
	// ResourceServerID identifies the API in scope strings ("<id>/<scope>").
	// Default: "api".
	ResourceServerID string
	// Scopes the resource server defines; both clients may request all of
	// them plus openid, email and profile. Default: none.
	Scopes []Scope
	// CallbackURLs are where the hosted UI may send the authorization code
	// for the SPA client. Required: https, or http only for localhost.
	CallbackURLs []string
	// LogoutURLs are where the hosted UI may send the browser after sign-out.
	// Default: CallbackURLs.
	LogoutURLs []string
	// ServerCallbackURLs are the confidential client's redirect URIs (the
	// server-side authorization code exchange). Default: CallbackURLs.
	ServerCallbackURLs []string
	// AccessTokenValidity bounds how long a stolen or revoked access token
	// still works: JWT authorizers check signatures, not revocation.
	// Default: 15 minutes (range 5 minutes to 1 day).
	AccessTokenValidity time.Duration
	// IDTokenValidity, like AccessTokenValidity. Default: 15 minutes.
	IDTokenValidity time.Duration
	// RefreshTokenValidity is how long a session lasts without signing in
	// again; refresh tokens are revocable. Default: 30 days (1 hour to 10 years).
	RefreshTokenValidity time.Duration
	// NoServerClient skips the confidential client. Default: false (create it).
	NoServerClient bool
}

// AppClients is the resource server and the app clients of a pool: a public
// SPA client (authorization code with PKCE, no secret) and a confidential
// server client (authorization code, client secret sent with Basic auth).
// Both allow SRP and refresh-token sign-in, revoke tokens on sign-out and
// answer the same for unknown and known users.
type AppClients struct {
	// Construct groups the resources below in the construct tree; pass it,
	// not this struct, where a scope is wanted.
	Construct constructs.Construct
	// ResourceServer defines the API's scopes.
	ResourceServer awscognito.UserPoolResourceServer
	// SPA is the public browser client: no secret, authorization code only.
	SPA awscognito.UserPoolClient
	// Server is the confidential client; nil with NoServerClient.
	Server awscognito.UserPoolClient

	serverID string
}

var resourceServerID = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]{1,256}$`)
var scopeName = regexp.MustCompile(`^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$`)

// Validate reports every problem with the props, each naming its value.
func (p *AppClientsProps) Validate() error {
	var errs []error
	if p.UserPool == nil {
		errs = append(errs, errors.New("UserPool is required"))
	}
	if p.ResourceServerID != "" && !resourceServerID.MatchString(p.ResourceServerID) {
		errs = append(errs, fmt.Errorf("ResourceServerID %q: want 1-256 printable characters without quotes or backslashes", p.ResourceServerID))
	}
	seen := map[string]bool{}
	for _, s := range p.Scopes {
		if !scopeName.MatchString(s.Name) {
			errs = append(errs, fmt.Errorf("scope %q: want 1-256 printable characters without '/', quotes or backslashes", s.Name))
		}
		if s.Description == "" {
			errs = append(errs, fmt.Errorf("scope %q: Description is required", s.Name))
		}
		if seen[s.Name] {
			errs = append(errs, fmt.Errorf("scope %q declared twice", s.Name))
		}
		seen[s.Name] = true
	}
	if len(p.CallbackURLs) == 0 {
		errs = append(errs, errors.New("CallbackURLs: at least one is required for the authorization code flow"))
	}
	for _, list := range [][]string{p.CallbackURLs, p.LogoutURLs, p.ServerCallbackURLs} {
		for _, u := range list {
			if err := ValidateRedirectURL(u); err != nil {
				errs = append(errs, err)
			}
		}
	}
	errs = append(errs, ValidateTokenValidity(p.AccessTokenValidity, p.IDTokenValidity, p.RefreshTokenValidity))
	return errors.Join(errs...)
}

// ValidateTokenValidity reports whether Cognito accepts the token
// lifetimes; zero means the default and is always accepted.
func ValidateTokenValidity(access, id, refresh time.Duration) error {
	errs := []error{
		validity("AccessTokenValidity", access, 5*time.Minute, 24*time.Hour),
		validity("IDTokenValidity", id, 5*time.Minute, 24*time.Hour),
		validity("RefreshTokenValidity", refresh, time.Hour, 3650*24*time.Hour),
	}
	if refresh != 0 && refresh <= max(access, id) {
		errs = append(errs, fmt.Errorf("RefreshTokenValidity %v: must be longer than the access and ID token validity", refresh))
	}
	return errors.Join(errs...)
}

func validity(name string, d, lo, hi time.Duration) error {
	if d != 0 && (d < lo || d > hi) {
		return fmt.Errorf("%s %v: want %v..%v", name, d, lo, hi)
	}
	return nil
}

// ValidateRedirectURL reports whether Cognito accepts u as a callback or
// sign-out URL: absolute, no fragment, https unless the host is localhost.
func ValidateRedirectURL(u string) error { return weburl.ValidateRedirect(u) }

// IsLocalhost reports whether u points at the local machine.
func IsLocalhost(u string) bool { return weburl.IsLocalhost(u) }

func (p *AppClientsProps) withDefaults() AppClientsProps {
	out := *p
	if out.ResourceServerID == "" {
		out.ResourceServerID = "api"
	}
	if out.LogoutURLs == nil {
		out.LogoutURLs = out.CallbackURLs
	}
	if out.ServerCallbackURLs == nil {
		out.ServerCallbackURLs = out.CallbackURLs
	}
	if out.AccessTokenValidity == 0 {
		out.AccessTokenValidity = 15 * time.Minute
	}
	if out.IDTokenValidity == 0 {
		out.IDTokenValidity = 15 * time.Minute
	}
	if out.RefreshTokenValidity == 0 {
		out.RefreshTokenValidity = 30 * 24 * time.Hour
	}
	return out
}

// NewAppClients creates the resource server and the app clients. It panics
// if props do not validate; call props.Validate first to handle the error.
func NewAppClients(scope constructs.Construct, id string, props *AppClientsProps) *AppClients {
	if props == nil {
		props = &AppClientsProps{}
	}
	if err := props.Validate(); err != nil {
		panic(fmt.Errorf("auth.NewAppClients %q: %w", id, err))
	}
	p := props.withDefaults()
	this := constructs.NewConstruct(scope, jsii.String(id))

	scopes := make([]awscognito.ResourceServerScope, len(p.Scopes))
	for i, s := range p.Scopes {
		scopes[i] = awscognito.NewResourceServerScope(&awscognito.ResourceServerScopeProps{
			ScopeName:        jsii.String(s.Name),
			ScopeDescription: jsii.String(s.Description),
		})
	}
	server := awscognito.NewUserPoolResourceServer(this, jsii.String("ResourceServer"), &awscognito.UserPoolResourceServerProps{
		UserPool:   p.UserPool,
		Identifier: jsii.String(p.ResourceServerID),
		Scopes:     &scopes,
	})
	oauthScopes := []awscognito.OAuthScope{awscognito.OAuthScope_OPENID(), awscognito.OAuthScope_EMAIL(), awscognito.OAuthScope_PROFILE()}
	for _, s := range p.Scopes {
		// Plain strings rather than tokens keep the template readable; the
		// dependency below orders the clients after the scopes they name.
		oauthScopes = append(oauthScopes, awscognito.OAuthScope_Custom(jsii.String(p.ResourceServerID+"/"+s.Name)))
	}

	client := func(id string, secret bool, callbacks []string) awscognito.UserPoolClient {
		return awscognito.NewUserPoolClient(this, jsii.String(id), &awscognito.UserPoolClientProps{
			UserPool:       p.UserPool,
			GenerateSecret: jsii.Bool(secret),
			// SRP never sends the password; refresh is implied by any flow.
			AuthFlows: &awscognito.AuthFlow{UserSrp: jsii.Bool(true)},
			OAuth: &awscognito.OAuthSettings{
				// Authorization code only: the implicit grant puts tokens in
				// URLs and browser history. The SPA adds PKCE (code_challenge),
				// which Cognito then verifies at the token endpoint.
				Flows:        &awscognito.OAuthFlows{AuthorizationCodeGrant: jsii.Bool(true)},
				Scopes:       &oauthScopes,
				CallbackUrls: jsii.Strings(callbacks...),
				LogoutUrls:   jsii.Strings(p.LogoutURLs...),
			},
			SupportedIdentityProviders: &[]awscognito.UserPoolClientIdentityProvider{awscognito.UserPoolClientIdentityProvider_COGNITO()},
			PreventUserExistenceErrors: jsii.Bool(true),
			EnableTokenRevocation:      jsii.Bool(true),
			AccessTokenValidity:        duration(p.AccessTokenValidity),
			IdTokenValidity:            duration(p.IDTokenValidity),
			RefreshTokenValidity:       duration(p.RefreshTokenValidity),
			AuthSessionValidity:        awscdk.Duration_Minutes(jsii.Number(3)),
		})
	}

	c := &AppClients{Construct: this, ResourceServer: server, serverID: p.ResourceServerID}
	c.SPA = client(contract.SPAClient, false, p.CallbackURLs)
	c.SPA.Node().AddDependency(server)
	if !p.NoServerClient {
		c.Server = client(contract.ServerClient, true, p.ServerCallbackURLs)
		c.Server.Node().AddDependency(server)
	}
	return c
}

// duration converts to a CDK duration in whole minutes, the unit Cognito
// token validities are rendered in.
func duration(d time.Duration) awscdk.Duration {
	return awscdk.Duration_Minutes(jsii.Number(d.Minutes()))
}

// ClientIDs are the ids of every client made, the audience of a JWT authorizer.
func (c *AppClients) ClientIDs() []*string {
	ids := []*string{c.SPA.UserPoolClientId()}
	if c.Server != nil {
		ids = append(ids, c.Server.UserPoolClientId())
	}
	return ids
}

// ScopeName is the full scope string a token carries for a scope of this
// resource server, "<resource server id>/<name>".
func (c *AppClients) ScopeName(name string) string { return c.serverID + "/" + name }
