package auth

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/auth/attr"
	"github.com/portcullis-cdk/portcullis/constructs/internal/override"
	"github.com/portcullis-cdk/portcullis/constructs/internal/weburl"
)

// Scope is an OAuth scope of the resource server, for example
// {Name: "todos.read", Description: "Read your todos"}.
type Scope struct {
	Name        string
	Description string
}

// AppClientsProps configures AppClients. Only UserPool and CallbackURLs are
// required; nothing of any one app is a default.
type AppClientsProps struct {
	// UserPool the clients belong to: a pool of this stack or an existing
	// one (awscognito.UserPool_FromUserPoolId). Required.
	UserPool awscognito.IUserPool
	// ResourceServerID identifies the API in scope strings ("<id>/<scope>"),
	// for example "orders". Required with Scopes.
	ResourceServerID string
	// Scopes the resource server defines. Default: none, and then no
	// resource server is made.
	Scopes []Scope
	// SPAScopes and ServerScopes name the Scopes each client may request
	// (besides openid, email and profile), and so the API scopes Grants
	// reports for it. Default: every scope in Scopes.
	SPAScopes    []string
	ServerScopes []string
	// CLIClient adds a third public client (no secret) for command-line
	// tools and scripts: `aws cognito-idp initiate-auth --auth-flow
	// USER_PASSWORD_AUTH` sends the password itself to Cognito over TLS
	// (SRP, which the other clients use, never sends it but needs code to
	// compute its proofs). It allows that flow and refresh only, no OAuth
	// flow (the hosted UI never serves it), and shares the other clients'
	// token validities, token revocation and user existence errors.
	// Default: false (no such client).
	CLIClient bool
	// CLIScopes name the Scopes the CLI client may be granted, as
	// SPAScopes. Default: every scope in Scopes.
	CLIScopes []string
	// ReadAttributes are the user attributes the clients may read (in ID
	// tokens and GetUser), as Cognito names them ("email",
	// "custom:company"); a custom attribute must be one the pool declares.
	// Default: DefaultReadAttributes.
	ReadAttributes []string
	// WriteAttributes are the attributes a signed-in user may set through
	// the clients (SignUp, UpdateUserAttributes); anything else only an
	// administrator sets. Default: DefaultWriteAttributes.
	WriteAttributes []string
	// CallbackURLs are where the hosted UI may send the authorization code
	// for the SPA client. Required: https, or http only for localhost.
	CallbackURLs []string
	// LogoutURLs are where the hosted UI may send the browser after sign-out.
	// Default: CallbackURLs.
	LogoutURLs []string
	// ServerCallbackURLs are the confidential client's redirect URIs (the
	// server-side authorization code exchange): the server app's own, never
	// the SPA's, whose page would receive a code only the server can
	// redeem. Required unless NoServerClient.
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
	// AuthSessionValidity is how long the session of one sign-in lasts
	// between its challenges: a user who must enrol TOTP at first sign-in
	// scans a QR code and types a code within it. Default: 10 minutes
	// (Cognito allows 3 to 15).
	AuthSessionValidity time.Duration
	// NoServerClient skips the confidential client. Default: false (create it).
	NoServerClient bool
	// SPAUserAuth lets the SPA client sign users in with choice-based
	// sign-in (USER_AUTH): the pool's SignInPolicy factors (one-time codes,
	// passkeys) and the password, by SRP or as such. Default: false (SRP
	// only).
	SPAUserAuth bool
	// SPARefreshTokenRotation makes the SPA client rotate refresh tokens:
	// every refresh returns a new one and the old one stops working after
	// the grace period, so a stolen refresh token is usable once at most.
	// The client then refreshes with GetTokensFromRefreshToken, not
	// REFRESH_TOKEN_AUTH. Default: nil, no rotation.
	SPARefreshTokenRotation *RefreshTokenRotation
	// SPAConstructID, ServerConstructID and CLIConstructID are the
	// construct ids of the clients below this construct; a client's logical
	// id derives from its id, so changing one replaces the client (and its
	// id). Default: "SPA", "Server" and "CLI".
	SPAConstructID    string
	ServerConstructID string
	CLIConstructID    string
	// ClientOverrides are L2 props the construct does not set itself (for
	// example AnalyticsConfiguration or UserPoolClientName), merged into the ones it makes: the escape hatch
	// for what it does not decide. Setting one it does set panics, naming
	// it. Default: nil.
	ClientOverrides *awscognito.UserPoolClientProps
}

// DefaultReadAttributes are what the clients read by default: the name and
// the contact channels with their verified flags, standard attributes every
// pool has.
func DefaultReadAttributes() []string {
	return []string{attr.Email, attr.EmailVerified, attr.PhoneNumber, attr.PhoneVerified, attr.Name}
}

// DefaultWriteAttributes are what users may change themselves by default:
// their name, and email address and phone number (which Cognito verifies
// again with a code). An attribute that grants something (a role, a tenant)
// must never be writable: a user could grant it to themselves.
func DefaultWriteAttributes() []string {
	return []string{attr.Email, attr.PhoneNumber, attr.Name}
}

// AppClients is the resource server and the app clients of a pool: a public
// SPA client (authorization code with PKCE, no secret) and a confidential
// server client (authorization code, client secret sent with Basic auth).
// Both allow SRP and refresh-token sign-in, revoke tokens on sign-out and
// answer the same for unknown and known users. With CLIClient, a third
// public client signs command-line users in with their password.
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
	// CLI is the public USER_PASSWORD_AUTH client; nil without CLIClient.
	CLI awscognito.UserPoolClient

	serverID string
	grants   []Grant
}

// Grant is the API scopes one client may request.
type Grant struct {
	// ClientID is the client's id (a token until deployment).
	ClientID *string
	// Scopes are full scope strings, "<resource server id>/<name>".
	Scopes []string
}

var resourceServerID = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]{1,256}$`)
var scopeName = regexp.MustCompile(`^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$`)
var customAttribute = regexp.MustCompile(`^custom:[\w-]{1,20}$`)

// standardAttributes are the OpenID Connect attributes of every pool.
var standardAttributes = []string{
	"address", "birthdate", attr.Email, attr.EmailVerified, "family_name", "gender",
	"given_name", "locale", "middle_name", attr.Name, "nickname", attr.PhoneNumber,
	attr.PhoneVerified, "picture", "preferred_username", "profile", "updated_at",
	"website", "zoneinfo",
}

// Validate reports every problem with the props, each naming its value.
func (p *AppClientsProps) Validate() error {
	var errs []error
	if p.UserPool == nil {
		errs = append(errs, errors.New("UserPool is required"))
	}
	if len(p.Scopes) > 0 && p.ResourceServerID == "" {
		errs = append(errs, errors.New("ResourceServerID is required with Scopes"))
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
	for _, f := range []struct {
		field string
		names []string
	}{{"SPAScopes", p.SPAScopes}, {"ServerScopes", p.ServerScopes}, {"CLIScopes", p.CLIScopes}} {
		for _, n := range f.names {
			if !seen[n] {
				errs = append(errs, fmt.Errorf("%s %q: not one of the Scopes", f.field, n))
			}
		}
	}
	for _, f := range []struct {
		field string
		names []string
	}{{"ReadAttributes", p.ReadAttributes}, {"WriteAttributes", p.WriteAttributes}} {
		for _, n := range f.names {
			if !slices.Contains(standardAttributes, n) && !customAttribute.MatchString(n) {
				errs = append(errs, fmt.Errorf("%s %q: want a standard attribute name or custom:<name>", f.field, n))
			}
		}
	}
	for _, n := range p.WriteAttributes {
		if n == attr.EmailVerified || n == attr.PhoneVerified {
			errs = append(errs, fmt.Errorf("WriteAttributes %q: only Cognito (by a code) or an administrator marks a channel verified", n))
		}
	}
	if p.AuthSessionValidity != 0 && (p.AuthSessionValidity < 3*time.Minute || p.AuthSessionValidity > 15*time.Minute) {
		errs = append(errs, fmt.Errorf("AuthSessionValidity %v: want 3m..15m", p.AuthSessionValidity))
	}
	if len(p.CallbackURLs) == 0 {
		errs = append(errs, errors.New("CallbackURLs: at least one is required for the authorization code flow"))
	}
	if p.CLIScopes != nil && !p.CLIClient {
		errs = append(errs, errors.New("CLIScopes: set without CLIClient"))
	}
	if len(p.ServerCallbackURLs) == 0 && !p.NoServerClient {
		errs = append(errs, errors.New("ServerCallbackURLs: at least one is required for the confidential client (or NoServerClient)"))
	}
	for _, list := range [][]string{p.CallbackURLs, p.LogoutURLs, p.ServerCallbackURLs} {
		for _, u := range list {
			if err := ValidateRedirectURL(u); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if r := p.SPARefreshTokenRotation; r != nil && (r.GracePeriod < 0 || r.GracePeriod > time.Minute || r.GracePeriod%time.Second != 0) {
		errs = append(errs, fmt.Errorf("SPARefreshTokenRotation.GracePeriod %v: want whole seconds in 0s..60s", r.GracePeriod))
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
	if out.SPAConstructID == "" {
		out.SPAConstructID = "SPA"
	}
	if out.ServerConstructID == "" {
		out.ServerConstructID = "Server"
	}
	if out.CLIConstructID == "" {
		out.CLIConstructID = "CLI"
	}
	if out.LogoutURLs == nil {
		out.LogoutURLs = out.CallbackURLs
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
	if out.AuthSessionValidity == 0 {
		out.AuthSessionValidity = 10 * time.Minute
	}
	var all []string
	for _, s := range out.Scopes {
		all = append(all, s.Name)
	}
	if out.SPAScopes == nil {
		out.SPAScopes = all
	}
	if out.ServerScopes == nil {
		out.ServerScopes = all
	}
	if out.CLIScopes == nil {
		out.CLIScopes = all
	}
	if out.ReadAttributes == nil {
		out.ReadAttributes = DefaultReadAttributes()
	}
	if out.WriteAttributes == nil {
		out.WriteAttributes = DefaultWriteAttributes()
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
	c := &AppClients{Construct: constructs.NewConstruct(scope, jsii.String(id)), serverID: p.ResourceServerID}
	c.ResourceServer = newResourceServer(c.Construct, p)
	spaScopes, serverScopes := c.fullScopes(p.SPAScopes), c.fullScopes(p.ServerScopes)
	c.SPA = c.newClient(p, p.SPAConstructID, false, p.CallbackURLs, spaScopes, p.spaSignIn())
	c.grants = append(c.grants, Grant{ClientID: c.SPA.UserPoolClientId(), Scopes: spaScopes})
	if !p.NoServerClient {
		c.Server = c.newClient(p, p.ServerConstructID, true, p.ServerCallbackURLs, serverScopes, spaSignIn{})
		c.grants = append(c.grants, Grant{ClientID: c.Server.UserPoolClientId(), Scopes: serverScopes})
	}
	if p.CLIClient {
		c.CLI = c.newCLIClient(p)
		c.grants = append(c.grants, Grant{ClientID: c.CLI.UserPoolClientId(), Scopes: c.fullScopes(p.CLIScopes)})
	}
	return c
}

// newResourceServer defines the API's scopes, or nothing without Scopes.
func newResourceServer(scope constructs.Construct, p AppClientsProps) awscognito.UserPoolResourceServer {
	if len(p.Scopes) == 0 {
		return nil
	}
	scopes := make([]awscognito.ResourceServerScope, len(p.Scopes))
	for i, s := range p.Scopes {
		scopes[i] = awscognito.NewResourceServerScope(&awscognito.ResourceServerScopeProps{
			ScopeName:        jsii.String(s.Name),
			ScopeDescription: jsii.String(s.Description),
		})
	}
	return awscognito.NewUserPoolResourceServer(scope, jsii.String("ResourceServer"), &awscognito.UserPoolResourceServerProps{
		UserPool:   p.UserPool,
		Identifier: jsii.String(p.ResourceServerID),
		Scopes:     &scopes,
	})
}

// fullScopes are the scope strings tokens carry for names of the resource
// server's scopes.
func (c *AppClients) fullScopes(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = c.ScopeName(n)
	}
	return out
}

// newClient makes one client: the public SPA client (secret false) or the
// confidential server client, allowed apiScopes besides the OpenID ones.
func (c *AppClients) newClient(p AppClientsProps, id string, secret bool, callbacks, apiScopes []string, signIn spaSignIn) awscognito.UserPoolClient {
	oauthScopes := []awscognito.OAuthScope{awscognito.OAuthScope_OPENID(), awscognito.OAuthScope_EMAIL(), awscognito.OAuthScope_PROFILE()}
	if !secret {
		// The SPA's users edit their profile and enrol an authenticator
		// (UpdateUserAttributes, AssociateSoftwareToken) with the access
		// token, which needs this scope; the SDK sign-in flows grant it
		// anyway, the hosted UI only when the client may request it.
		oauthScopes = append(oauthScopes, awscognito.OAuthScope_COGNITO_ADMIN())
	}
	for _, s := range apiScopes {
		// Plain strings rather than tokens keep the template readable; the
		// dependency below orders the client after the scopes it names.
		oauthScopes = append(oauthScopes, awscognito.OAuthScope_Custom(jsii.String(s)))
	}
	l2 := baseClientProps(p)
	l2.GenerateSecret = jsii.Bool(secret)
	// SRP never sends the password; refresh is implied by any flow unless
	// the client rotates refresh tokens.
	l2.AuthFlows = &awscognito.AuthFlow{UserSrp: jsii.Bool(true), User: jsii.Bool(signIn.userAuth)}
	l2.RefreshTokenRotationGracePeriod = signIn.grace
	l2.OAuth = &awscognito.OAuthSettings{
		// Authorization code only: the implicit grant puts tokens in URLs
		// and browser history. The SPA adds PKCE (code_challenge), which
		// Cognito then verifies at the token endpoint.
		Flows:        &awscognito.OAuthFlows{AuthorizationCodeGrant: jsii.Bool(true)},
		Scopes:       &oauthScopes,
		CallbackUrls: jsii.Strings(callbacks...),
		LogoutUrls:   jsii.Strings(p.LogoutURLs...),
	}
	client := c.makeClient(p, id, l2)
	if c.ResourceServer != nil {
		client.Node().AddDependency(c.ResourceServer)
	}
	return client
}

// newCLIClient makes the public client of command-line sign-in:
// USER_PASSWORD_AUTH and refresh, no OAuth flow, so neither the hosted UI
// nor a redirect ever hands it a code.
func (c *AppClients) newCLIClient(p AppClientsProps) awscognito.UserPoolClient {
	l2 := baseClientProps(p)
	l2.GenerateSecret = jsii.Bool(false)
	l2.AuthFlows = &awscognito.AuthFlow{UserPassword: jsii.Bool(true)}
	l2.DisableOAuth = jsii.Bool(true)
	return c.makeClient(p, p.CLIConstructID, l2)
}

// baseClientProps are what every client shares: short token lifetimes,
// revocation on sign-out, the same answer for unknown and known users,
// and the attributes it reads and writes.
func baseClientProps(p AppClientsProps) *awscognito.UserPoolClientProps {
	return &awscognito.UserPoolClientProps{
		UserPool:                   p.UserPool,
		SupportedIdentityProviders: &[]awscognito.UserPoolClientIdentityProvider{awscognito.UserPoolClientIdentityProvider_COGNITO()},
		PreventUserExistenceErrors: jsii.Bool(true),
		EnableTokenRevocation:      jsii.Bool(true),
		AccessTokenValidity:        duration(p.AccessTokenValidity),
		IdTokenValidity:            duration(p.IDTokenValidity),
		RefreshTokenValidity:       duration(p.RefreshTokenValidity),
		AuthSessionValidity:        duration(p.AuthSessionValidity),
		ReadAttributes:             clientAttributes(p.ReadAttributes),
		WriteAttributes:            clientAttributes(p.WriteAttributes),
	}
}

// makeClient merges ClientOverrides into l2 and makes the client.
func (c *AppClients) makeClient(p AppClientsProps, id string, l2 *awscognito.UserPoolClientProps) awscognito.UserPoolClient {
	if err := override.Merge(l2, p.ClientOverrides); err != nil {
		panic(fmt.Errorf("auth.NewAppClients: ClientOverrides: %w", err))
	}
	return awscognito.NewUserPoolClient(c.Construct, jsii.String(id), l2)
}

// clientAttributes is the CDK's form of a list of attribute names.
func clientAttributes(names []string) awscognito.ClientAttributes {
	return awscognito.NewClientAttributes().WithStandardAttributes(standardMask(names)).WithCustomAttributes(customNames(names)...)
}

// RefreshTokenRotation configures refresh-token rotation of a client.
type RefreshTokenRotation struct {
	// GracePeriod is how long a rotated-out refresh token still works, for
	// a client whose refresh response was lost. Default: 0, none (range 0
	// to 60 seconds).
	GracePeriod time.Duration
}

// spaSignIn is how a client signs users in beyond SRP: choice-based
// sign-in, and refresh-token rotation (grace nil: none).
type spaSignIn struct {
	userAuth bool
	grace    awscdk.Duration
}

// spaSignIn is the SPA client's choice-based sign-in and rotation.
func (p *AppClientsProps) spaSignIn() spaSignIn {
	s := spaSignIn{userAuth: p.SPAUserAuth}
	if r := p.SPARefreshTokenRotation; r != nil {
		s.grace = awscdk.Duration_Seconds(jsii.Number(r.GracePeriod.Seconds()))
	}
	return s
}

// Grants are the API scopes each client may request, in the order the
// clients were made: what a pre token generation trigger may add to that
// client's tokens from the SDK sign-in flows.
func (c *AppClients) Grants() []Grant { return slices.Clone(c.grants) }

// standardMask selects the standard attributes among names.
func standardMask(names []string) *awscognito.StandardAttributesMask {
	m := &awscognito.StandardAttributesMask{}
	for _, n := range names {
		set := map[string]**bool{
			attr.Email: &m.Email, attr.EmailVerified: &m.EmailVerified,
			attr.PhoneNumber: &m.PhoneNumber, attr.PhoneVerified: &m.PhoneNumberVerified,
			attr.Name: &m.Fullname, "given_name": &m.GivenName, "family_name": &m.FamilyName,
			"address": &m.Address, "birthdate": &m.Birthdate, "gender": &m.Gender,
			"locale": &m.Locale, "middle_name": &m.MiddleName, "nickname": &m.Nickname,
			"picture": &m.ProfilePicture, "preferred_username": &m.PreferredUsername,
			"profile": &m.ProfilePage, "zoneinfo": &m.Timezone, "updated_at": &m.LastUpdateTime,
			"website": &m.Website,
		}[n]
		if set != nil {
			*set = jsii.Bool(true)
		}
	}
	return m
}

// customNames are the custom attributes among names, without the prefix.
func customNames(names []string) []*string {
	var out []*string
	for _, n := range names {
		if c, ok := strings.CutPrefix(n, "custom:"); ok {
			out = append(out, jsii.String(c))
		}
	}
	return out
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
	if c.CLI != nil {
		ids = append(ids, c.CLI.UserPoolClientId())
	}
	return ids
}

// ScopeName is the full scope string a token carries for a scope of this
// resource server, "<resource server id>/<name>".
func (c *AppClients) ScopeName(name string) string { return c.serverID + "/" + name }
