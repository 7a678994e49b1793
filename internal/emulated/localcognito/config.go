package localcognito

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtsign"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
)

// Token lifetimes Cognito gives an app client that does not set its own.
const (
	DefaultAccessTokenValidity  = time.Hour
	DefaultIDTokenValidity      = time.Hour
	DefaultRefreshTokenValidity = 30 * 24 * time.Hour
)

// DefaultTriggerTimeout is how long a trigger may run: Cognito waits five
// seconds for a Lambda trigger before failing the operation.
const DefaultTriggerTimeout = 5 * time.Second

// Explicit auth flows an app client can allow, as named in
// ExplicitAuthFlows of CreateUserPoolClient.
const (
	AllowUserPasswordAuth      = "ALLOW_USER_PASSWORD_AUTH"
	AllowRefreshTokenAuth      = "ALLOW_REFRESH_TOKEN_AUTH"
	AllowUserSRPAuth           = "ALLOW_USER_SRP_AUTH"
	AllowCustomAuth            = "ALLOW_CUSTOM_AUTH"
	AllowAdminUserPasswordAuth = "ALLOW_ADMIN_USER_PASSWORD_AUTH"
	AllowUserAuth              = "ALLOW_USER_AUTH"
)

// defaultAuthFlows are what Cognito allows a client created without
// ExplicitAuthFlows. USER_PASSWORD_AUTH is not among them, so a client that
// forgets to allow it fails here as it would in AWS.
var defaultAuthFlows = []string{AllowUserSRPAuth, AllowCustomAuth, AllowRefreshTokenAuth}

var knownAuthFlows = []string{
	AllowUserPasswordAuth, AllowRefreshTokenAuth, AllowUserSRPAuth,
	AllowCustomAuth, AllowAdminUserPasswordAuth, AllowUserAuth,
}

// Config configures a Server. Only PoolID, BaseURL, Credentials and at
// least one client are required; every other zero value means Cognito's
// default.
type Config struct {
	// PoolID is the user pool id, "<region>_<id>", e.g. us-east-1_local.
	PoolID string
	// Region of the pool; empty means the prefix of PoolID.
	Region string
	// BaseURL is where the server is reached, scheme and host only, e.g.
	// http://127.0.0.1:9229. Tokens are issued by BaseURL + "/" + PoolID.
	BaseURL string
	// UsernameAttributes are "email" and/or "phone_number". When set, users
	// sign up with one of them as the username; Cognito then stores a UUID
	// (the sub) as the username and the email or phone number is how they
	// sign in.
	UsernameAttributes []string
	// AutoVerifiedAttributes are "email" and/or "phone_number": sign-up
	// sends a code to verify one of them and confirm the user. With none,
	// users stay unconfirmed until an administrator confirms them.
	AutoVerifiedAttributes []string
	// KeepOriginal are "email" and/or "phone_number": attributes whose old
	// value stays in effect until a changed value is verified
	// (AttributesRequireVerificationBeforeUpdate). Each must be
	// auto-verified.
	KeepOriginal []string
	// RequiredAttributes must be given at sign-up, e.g. "email".
	RequiredAttributes []string
	// CustomAttributes the pool declares, with their prefix: custom:company.
	CustomAttributes []string
	// PasswordPolicy; the zero value means DefaultPasswordPolicy.
	PasswordPolicy PasswordPolicy
	// Clients are the pool's app clients.
	Clients []Client
	// Domain is the prefix of the pool's Cognito domain (UserPoolDomain),
	// whose OAuth 2.0 endpoints and sign-in pages package hostedui serves
	// at BaseURL in front of the Server, and which the discovery document
	// names. Empty means the pool has no domain: no /oauth2 endpoints, as
	// in Cognito.
	Domain string
	// ResourceServers declare the custom scopes clients may be allowed,
	// "<identifier>/<scope>".
	ResourceServers []ResourceServer
	// Groups are the pool's groups at start; CreateGroup and DeleteGroup
	// change them. Empty means none.
	Groups []Group
	// Triggers are the pool's Lambda triggers.
	Triggers Triggers
	// TriggerTimeout bounds one trigger call; zero means
	// DefaultTriggerTimeout.
	TriggerTimeout time.Duration
	// AccountRecovery are the channels ForgotPassword may send a code
	// through, in order of preference (AccountRecoverySetting):
	// RecoverVerifiedEmail, RecoverVerifiedPhone, or RecoverAdminOnly alone.
	// Empty means Cognito's behaviour without the setting: a verified phone
	// number first, then a verified email address.
	AccountRecovery []string
	// MFA is the pool's MfaConfiguration: MFAOff (the zero value, Cognito's
	// default), MFAOptional or MFAOn. TOTP (software token) is the only
	// factor this pool offers.
	MFA string
	// FirstAuthFactors are the first factors of choice-based sign-in
	// (USER_AUTH), the pool's AllowedFirstAuthFactors: PASSWORD, EMAIL_OTP,
	// SMS_OTP, WEB_AUTHN. Empty means PASSWORD only, Cognito's default.
	FirstAuthFactors []string
	// WebAuthn is the pool's passkey relying party. The zero value has
	// none.
	WebAuthn WebAuthnConfig
	// CodeSink receives every message carrying a code or temporary
	// password, in place of the email or SMS Cognito would send. Nil logs
	// the message.
	CodeSink func(username, destination, medium, message string)
	// Now is the pool's clock; nil means time.Now.
	Now func() time.Time
	// Credentials verify the SigV4 signatures of admin operations, which
	// AWS allows only to IAM principals. The signature's clock is the wall
	// clock, not Now: clients sign with the time they live in.
	Credentials sigv4.Credentials
	// Logger; nil means slog.Default().
	Logger *slog.Logger
	// SigningKey is the key the pool signs its tokens with and publishes
	// in its JWKS; nil generates a 2048-bit RSA key, as every new pool has
	// its own. Pools that need not differ (a test's, each generation about
	// 60 ms of CPU) can share one. LoadState replaces it with the saved key.
	SigningKey *jwtsign.Key
}

// Account recovery channels, as AccountRecoverySetting names them.
const (
	RecoverVerifiedEmail = "verified_email"
	RecoverVerifiedPhone = "verified_phone_number"
	RecoverAdminOnly     = "admin_only"
)

// MFA configurations, as MfaConfiguration names them.
const (
	MFAOff      = "OFF"
	MFAOptional = "OPTIONAL"
	MFAOn       = "ON"
)

// Client is an app client of the pool.
type Client struct {
	ID string
	// Name is the client's ClientName; it only labels the client.
	Name string
	// Secret, when set, makes the client confidential: requests must carry
	// a SECRET_HASH computed with it.
	Secret string
	// ExplicitAuthFlows are ALLOW_* flow names; empty means Cognito's
	// default for new clients (SRP, custom and refresh, not password).
	ExplicitAuthFlows []string
	// Token lifetimes; zero means the Default*Validity constants.
	AccessTokenValidity  time.Duration
	IDTokenValidity      time.Duration
	RefreshTokenValidity time.Duration
	// AuthSessionValidity is how long a sign-in's challenge session lasts
	// (Cognito: 3 to 15 minutes); zero means Cognito's default, 3 minutes.
	AuthSessionValidity time.Duration
	// ReadAttributes are the attributes the client may read, in ID tokens
	// and GetUser; WriteAttributes those a user may set through it (SignUp,
	// UpdateUserAttributes). Empty means every attribute, Cognito's default.
	ReadAttributes, WriteAttributes []string
	// LegacyUserExistenceErrors is PreventUserExistenceErrors LEGACY: the
	// client answers UserNotFoundException for a user that does not
	// exist. The zero value is ENABLED, which hides whether a user exists.
	LegacyUserExistenceErrors bool
	// OAuth is the client's hosted UI (managed login) configuration; the
	// zero value allows no OAuth flow.
	OAuth OAuthClient
	// RefreshTokenRotation, when set, makes every refresh hand out a new
	// refresh token (refresh.go). Nil: no rotation.
	RefreshTokenRotation *RefreshTokenRotation
}

// canRead reports whether the client may read attribute name; sub is
// always readable.
func (c *Client) canRead(name string) bool {
	return name == attrSub || len(c.ReadAttributes) == 0 || slices.Contains(c.ReadAttributes, name)
}

// canWrite reports whether users may set attribute name through the client.
func (c *Client) canWrite(name string) bool {
	return len(c.WriteAttributes) == 0 || slices.Contains(c.WriteAttributes, name)
}

// PasswordPolicy is the pool's password policy.
type PasswordPolicy struct {
	MinLength        int
	RequireUppercase bool
	RequireLowercase bool
	RequireNumbers   bool
	RequireSymbols   bool
	// TemporaryPasswordValidity is how long a temporary password set by an
	// administrator can be used; zero means seven days.
	TemporaryPasswordValidity time.Duration
}

// DefaultPasswordPolicy is Cognito's default: at least eight characters
// with upper and lower case letters, digits and symbols; temporary
// passwords last seven days.
var DefaultPasswordPolicy = PasswordPolicy{
	MinLength:                 8,
	RequireUppercase:          true,
	RequireLowercase:          true,
	RequireNumbers:            true,
	RequireSymbols:            true,
	TemporaryPasswordValidity: 7 * 24 * time.Hour,
}

// Triggers are the pool's Lambda triggers, with the signatures of
// aws-lambda-go handlers so the deployed handlers can be used as they are.
// A nil trigger is not configured.
type Triggers struct {
	PreSignUp          func(context.Context, events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error)
	CustomMessage      func(context.Context, events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error)
	PostConfirmation   func(context.Context, events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error)
	PreTokenGeneration func(context.Context, events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error)
}

func (c *Client) normalize() error {
	if !clientIDPattern.MatchString(c.ID) {
		return fmt.Errorf("client id %q: want 1-128 letters, digits, _ or +", c.ID)
	}
	if len(c.ExplicitAuthFlows) == 0 {
		c.ExplicitAuthFlows = defaultAuthFlows
	}
	for _, f := range c.ExplicitAuthFlows {
		if !slices.Contains(knownAuthFlows, f) {
			return fmt.Errorf("client %q: auth flow %q: want one of %s", c.ID, f, strings.Join(knownAuthFlows, ", "))
		}
	}
	if c.AccessTokenValidity == 0 {
		c.AccessTokenValidity = DefaultAccessTokenValidity
	}
	if c.IDTokenValidity == 0 {
		c.IDTokenValidity = DefaultIDTokenValidity
	}
	if c.RefreshTokenValidity == 0 {
		c.RefreshTokenValidity = DefaultRefreshTokenValidity
	}
	// Cognito's bounds: access and ID tokens 5 minutes to a day, refresh
	// tokens an hour to ten years.
	if c.AccessTokenValidity < 5*time.Minute || c.AccessTokenValidity > 24*time.Hour ||
		c.IDTokenValidity < 5*time.Minute || c.IDTokenValidity > 24*time.Hour {
		return fmt.Errorf("client %q: access and ID token validity must be 5m..24h", c.ID)
	}
	if c.RefreshTokenValidity < time.Hour || c.RefreshTokenValidity > 3650*24*time.Hour {
		return fmt.Errorf("client %q: refresh token validity must be 1h..3650 days", c.ID)
	}
	if c.AuthSessionValidity == 0 {
		c.AuthSessionValidity = sessionValidity
	}
	if c.AuthSessionValidity < 3*time.Minute || c.AuthSessionValidity > 15*time.Minute {
		return fmt.Errorf("client %q: auth session validity %v: want 3m..15m", c.ID, c.AuthSessionValidity)
	}
	return c.validateRotation()
}

func (c *Client) allows(flow string) bool { return slices.Contains(c.ExplicitAuthFlows, flow) }
