package localcognito

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
	"github.com/portcullis-cdk/portcullis/internal/protocol/srp"
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
	// whose OAuth 2.0 endpoints and sign-in pages this server serves at
	// BaseURL. Empty means the pool has no domain: no /oauth2 endpoints,
	// as in Cognito.
	Domain string
	// ResourceServers declare the custom scopes clients may be allowed,
	// "<identifier>/<scope>".
	ResourceServers []ResourceServer
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

var (
	poolIDPattern   = regexp.MustCompile(`^([\w-]+)_[0-9a-zA-Z]+$`)
	clientIDPattern = regexp.MustCompile(`^[\w+]{1,128}$`)
	customPattern   = regexp.MustCompile(`^custom:[\w-]{1,20}$`)
)

// standardAttributes are the OpenID Connect attributes every pool has.
var standardAttributes = []string{
	"address", "birthdate", "email", "email_verified", "family_name", "gender",
	"given_name", "locale", "middle_name", "name", "nickname", "phone_number",
	"phone_number_verified", "picture", "preferred_username", "profile",
	"updated_at", "website", "zoneinfo",
}

// pool is the validated configuration.
type pool struct {
	id, region     string
	srpPool        string // the pool name SRP proofs are bound to
	issuer         string
	usernameAttrs  []string
	autoVerified   []string
	keepOriginal   []string
	recovery       []string
	mfa            string
	required       []string
	schema         map[string]bool // every attribute name the pool knows, but sub
	policy         PasswordPolicy
	clientsMu      sync.RWMutex // CreateUserPoolClient and DeleteUserPoolClient change clients
	clients        map[string]*Client
	domain         string
	resourceScopes map[string]bool // "<identifier>/<scope>"
	triggers       Triggers
	triggerTimeout time.Duration
	sink           func(username, destination, medium, message string)
	now            func() time.Time
	// wall is the clock TOTP codes are checked against (matchTOTP).
	wall  func() time.Time
	creds sigv4.Credentials
	log   *slog.Logger
}

func validate(cfg Config) (*pool, error) {
	var errs []error
	m := poolIDPattern.FindStringSubmatch(cfg.PoolID)
	if m == nil {
		errs = append(errs, fmt.Errorf("pool id %q is not <region>_<id>", cfg.PoolID))
	}
	p := &pool{
		id:             cfg.PoolID,
		region:         cfg.Region,
		usernameAttrs:  cfg.UsernameAttributes,
		autoVerified:   cfg.AutoVerifiedAttributes,
		keepOriginal:   cfg.KeepOriginal,
		recovery:       cfg.AccountRecovery,
		mfa:            cfg.MFA,
		required:       cfg.RequiredAttributes,
		policy:         cfg.PasswordPolicy,
		clients:        map[string]*Client{},
		triggers:       cfg.Triggers,
		triggerTimeout: cfg.TriggerTimeout,
		sink:           cfg.CodeSink,
		now:            cfg.Now,
		log:            cfg.Logger,
	}
	if m != nil && p.region == "" {
		p.region = m[1]
	}
	if m != nil && p.region != m[1] {
		errs = append(errs, fmt.Errorf("region %q does not match pool id %q", cfg.Region, cfg.PoolID))
	}
	if m != nil {
		// Clients take the SRP pool name to be what follows the first
		// underscore, so a region with one would not sign in.
		name, err := srp.PoolName(cfg.PoolID)
		if err != nil {
			errs = append(errs, fmt.Errorf("pool id %q: %w", cfg.PoolID, err))
		}
		p.srpPool = name
	}

	base, err := url.Parse(cfg.BaseURL)
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("base URL %q: %w", cfg.BaseURL, err))
	case base.Scheme != "http" && base.Scheme != "https", base.Host == "",
		strings.Trim(base.Path, "/") != "", base.RawQuery != "", base.Fragment != "":
		// The well-known paths are served from the root, so a base path
		// would publish an issuer whose keys cannot be found.
		errs = append(errs, fmt.Errorf("base URL %q: want http(s)://host[:port] without a path", cfg.BaseURL))
	default:
		p.issuer = base.Scheme + "://" + base.Host + "/" + cfg.PoolID
	}

	for _, a := range cfg.UsernameAttributes {
		if a != attrEmail && a != attrPhone {
			errs = append(errs, fmt.Errorf("username attribute %q: want email or phone_number", a))
		}
	}
	for _, a := range cfg.AutoVerifiedAttributes {
		if a != attrEmail && a != attrPhone {
			errs = append(errs, fmt.Errorf("auto-verified attribute %q: want email or phone_number", a))
		}
	}
	p.schema = map[string]bool{}
	for _, a := range standardAttributes {
		p.schema[a] = true
	}
	for _, a := range cfg.CustomAttributes {
		if !customPattern.MatchString(a) {
			errs = append(errs, fmt.Errorf("custom attribute %q: want custom:<name> with 1-20 letters, digits, _ or -", a))
			continue
		}
		p.schema[a] = true
	}
	for _, a := range cfg.KeepOriginal {
		if !slices.Contains(cfg.AutoVerifiedAttributes, a) {
			errs = append(errs, fmt.Errorf("keep-original attribute %q: want an auto-verified attribute (email or phone_number)", a))
		}
	}
	for _, c := range cfg.Clients {
		for _, a := range slices.Concat(c.ReadAttributes, c.WriteAttributes) {
			if !p.schema[a] {
				errs = append(errs, fmt.Errorf("client %q: attribute %q is not in the pool's schema", c.ID, a))
			}
		}
	}
	for _, a := range cfg.RequiredAttributes {
		if !p.schema[a] || strings.HasPrefix(a, "custom:") || strings.HasSuffix(a, "_verified") {
			errs = append(errs, fmt.Errorf("required attribute %q: want a standard attribute", a))
		}
	}

	if len(p.recovery) == 0 {
		p.recovery = []string{RecoverVerifiedPhone, RecoverVerifiedEmail}
	}
	for _, r := range p.recovery {
		switch {
		case r != RecoverVerifiedEmail && r != RecoverVerifiedPhone && r != RecoverAdminOnly:
			errs = append(errs, fmt.Errorf("account recovery %q: want %s, %s or %s", r, RecoverVerifiedEmail, RecoverVerifiedPhone, RecoverAdminOnly))
		case r == RecoverAdminOnly && len(p.recovery) > 1:
			errs = append(errs, fmt.Errorf("account recovery %s: must be the only mechanism", RecoverAdminOnly))
		}
	}
	if p.mfa == "" {
		p.mfa = MFAOff
	}
	if p.mfa != MFAOff && p.mfa != MFAOptional && p.mfa != MFAOn {
		errs = append(errs, fmt.Errorf("MFA %q: want %s, %s or %s", cfg.MFA, MFAOff, MFAOptional, MFAOn))
	}

	if p.policy == (PasswordPolicy{}) {
		p.policy = DefaultPasswordPolicy
	}
	if p.policy.MinLength < 6 || p.policy.MinLength > 99 {
		errs = append(errs, fmt.Errorf("password minimum length %d: want 6..99", p.policy.MinLength))
	}
	if p.policy.TemporaryPasswordValidity == 0 {
		p.policy.TemporaryPasswordValidity = DefaultPasswordPolicy.TemporaryPasswordValidity
	}

	errs = append(errs, p.validateOAuth(cfg)...)

	if len(cfg.Clients) == 0 {
		errs = append(errs, errors.New("no app clients"))
	}
	if cfg.Credentials == nil {
		errs = append(errs, errors.New("no Credentials to verify admin operations with"))
	}
	p.creds = cfg.Credentials
	for i := range cfg.Clients {
		c := cfg.Clients[i] // a copy: the caller's slice stays theirs
		if err := c.normalize(); err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := p.clients[c.ID]; dup {
			errs = append(errs, fmt.Errorf("client %q given twice", c.ID))
			continue
		}
		p.clients[c.ID] = &c
	}

	if p.triggerTimeout <= 0 {
		p.triggerTimeout = DefaultTriggerTimeout
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.wall = time.Now
	if p.log == nil {
		p.log = slog.Default()
	}
	if p.sink == nil {
		log := p.log
		p.sink = func(username, destination, medium, message string) {
			log.Info("localcognito: message", "username", username, "destination", destination, "medium", medium, "message", message)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("localcognito: %w", err)
	}
	return p, nil
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
	return nil
}

func (c *Client) allows(flow string) bool { return slices.Contains(c.ExplicitAuthFlows, flow) }

func (p *pool) usernameIsAttribute() bool { return len(p.usernameAttrs) > 0 }
