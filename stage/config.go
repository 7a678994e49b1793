// Package stage composes one Portcullis stage (dev, prod, ...) from the
// constructs in constructs/, and holds the typed configuration of every
// known stage. app.go only picks stages and synthesizes them; tests build
// the very same stacks through New.
package stage

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
	"github.com/portcullis-cdk/portcullis/constructs/auth/attr"
	"github.com/portcullis-cdk/portcullis/constructs/golambda"
	"github.com/portcullis-cdk/portcullis/constructs/monitoring"
	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/contract/userattr"
	"github.com/portcullis-cdk/portcullis/internal/util/weburl"
)

// Removal says what happens to stateful resources (user pool, tables,
// buckets) when the stack is deleted or a resource is replaced.
type Removal int

const (
	// Retain keeps them, and protects the user pool from deletion. The zero
	// value, so a stage that says nothing keeps its users and data.
	Retain Removal = iota
	// Destroy deletes them with the stack: for stages whose data is disposable.
	Destroy
)

func (r Removal) String() string {
	switch r {
	case Retain:
		return "retain"
	case Destroy:
		return "destroy"
	}
	return fmt.Sprintf("Removal(%d)", int(r))
}

// Config is everything that differs between stages. Zero values are the
// secure defaults where one exists (Retain, MFA required, Plus plan); the
// rest are required and checked by Validate.
type Config struct {
	// Project names the application; stacks are "<Project>-<Name>".
	Project string
	// Name of the stage: 2-16 lower-case letters and digits, starting with a letter.
	Name string
	// Production stages may not use localhost URLs, must Retain and must
	// require MFA.
	Production bool
	// SignIn selects email and/or phone-number sign-in.
	SignIn auth.SignIn
	// MFA is required or optional (TOTP).
	MFA auth.MFA
	// Plan is the Cognito feature plan; threat protection needs auth.PlanPlus.
	Plan auth.Plan
	// Removal of stateful resources on stack deletion.
	Removal Removal
	// CallbackURLs of the SPA: where the hosted UI returns the
	// authorization code. https, or http://localhost in non-production stages.
	CallbackURLs []string
	// LogoutURLs of the SPA. Default: CallbackURLs.
	LogoutURLs []string
	// ServerCallbackURLs are the confidential client's redirect URIs: the
	// server-side app's own, which exchanges the code with the client
	// secret. Required; https, or http://localhost in non-production stages.
	ServerCallbackURLs []string
	// DomainPrefix of the Cognito-hosted domain; unique per region.
	// Default: "<Project>-<Name>".
	DomainPrefix string
	// AccessTokenValidity and IDTokenValidity: see auth.AppClientsProps.
	AccessTokenValidity time.Duration
	IDTokenValidity     time.Duration
	// RefreshTokenValidity: see auth.AppClientsProps.
	RefreshTokenValidity time.Duration
	// AuthSessionValidity is how long one sign-in may take between its
	// challenges; a first sign-in where MFA is required enrols TOTP within
	// it. Default: 10 minutes (Cognito allows 3 to 15).
	AuthSessionValidity time.Duration
	// SPAScopes and ServerScopes are the API scopes (contract/routes names,
	// "todos.read") each app client may request, which are also the scopes
	// the pre token generation trigger adds to that client's SDK sign-in
	// tokens. A client the stage does not know gets none. Default: every
	// API scope.
	SPAScopes    []string
	ServerScopes []string
	// CLIClient adds an app client without a secret that signs users in
	// with USER_PASSWORD_AUTH, the flow of `aws cognito-idp initiate-auth`,
	// which the SPA and server clients do not allow (they prove the
	// password by SRP). Its id is the stack output CliClientId; its tokens
	// get the SPAScopes. Default: false, no such client (dev turns it on).
	CLIClient bool
	// Email is the Amazon SES sender of sign-up and password-reset email.
	// Required in a stage that retains its users (Removal Retain): Cognito's
	// default sender has a small daily quota and is not for production.
	// Default: nil, Cognito's default sender.
	Email *auth.SESEmail
	// AllowedEmailDomains, when set, limits self sign-up to email addresses
	// at these domains (the pre sign-up trigger). Default: any domain.
	AllowedEmailDomains []string
	// AllowedCallingCodes are the country calling codes ("+1", "+61") of
	// the phone numbers a user may sign up with (the pre sign-up trigger).
	// Every phone number at sign-up costs a verification SMS, and sign-ups
	// with premium-rate numbers abroad are how SMS pumping bills a stage.
	// Default: none, so a phone number at sign-up is refused; a stage with
	// phone-only sign-in must name at least one. See docs/security.md.
	AllowedCallingCodes []string
	// Quotas bound what one user stores (each field's zero value is its
	// default, DefaultQuotas); over one, the API answers 409
	// quota_exceeded. See docs/security.md for the direct DynamoDB path,
	// which they cannot bound.
	Quotas Quotas
	// Groups are the pool's Cognito groups, the users' authorization roles
	// (tokens carry them in cognito:groups; an administrator adds users).
	// Profile attributes such as custom:role_name authorize nothing.
	// Default: ["admins"]; set an empty, non-nil slice for none.
	Groups []string
	// LogRetentionDays of every function and access log group; a value
	// CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...).
	LogRetentionDays int
	// ThrottleRate (requests per second) and ThrottleBurst of the API.
	ThrottleRate  float64
	ThrottleBurst int
	// AlarmEmail subscribes an address to the stage's alarm topic. Default:
	// none (subscribe a chat or paging integration to the topic instead).
	AlarmEmail string
	// Alarms are the thresholds of the stage's alarms. Default: see
	// monitoring.Thresholds (any error, throttle or system error; 1% 5xx;
	// p99 latency 2 s).
	Alarms monitoring.Thresholds
	// Web is the app's CloudFront distribution. Default: no custom domain.
	Web Web
	// Account and Region pin the stack to an environment. Default: empty,
	// an environment-agnostic stack that synthesizes without credentials.
	Account string
	Region  string
	// BootstrapQualifier names the CDK bootstrap the stage deploys through
	// (`cdk bootstrap --qualifier`): its deploy role deploys any stack of
	// its account, so stages of a project that share an account each have
	// their own, and the stage's GitHub deploy role may assume only its
	// stage's (see NewGitHub; CheckIsolated). Up to 10 lower-case letters,
	// digits or hyphens. Default: "hnb659fds", the CDK's default bootstrap.
	BootstrapQualifier string
}

// Quotas are per-user limits, counted without a scan (lambdas/quota).
type Quotas struct {
	// Todos a user may have. Default: 1,000.
	Todos int64
	// Photos a user may have (completed uploads). Default: 1,000.
	Photos int64
	// PhotoBytes is the total size of a user's photos. Default: 1 GiB.
	PhotoBytes int64
}

// DefaultQuotas are the quotas of a stage that sets none.
func DefaultQuotas() Quotas { return Quotas{Todos: 1000, Photos: 1000, PhotoBytes: 1 << 30} }

// quotas is Config.Quotas with each zero field defaulted.
func (c Config) quotas() Quotas {
	q, d := c.Quotas, DefaultQuotas()
	if q.Todos == 0 {
		q.Todos = d.Todos
	}
	if q.Photos == 0 {
		q.Photos = d.Photos
	}
	if q.PhotoBytes == 0 {
		q.PhotoBytes = d.PhotoBytes
	}
	return q
}

// DefaultBootstrapQualifier is the qualifier of `cdk bootstrap` without
// --qualifier.
const DefaultBootstrapQualifier = "hnb659fds"

// Qualifier is the stage's BootstrapQualifier or the CDK's default.
func (c Config) Qualifier() string {
	if c.BootstrapQualifier != "" {
		return c.BootstrapQualifier
	}
	return DefaultBootstrapQualifier
}

// Stages are the known stages, in the order `make synth` builds them.
// Add a stage here; Validate runs on every entry in the tests.
func Stages() []Config {
	return []Config{
		{
			Project:              contract.Project,
			Name:                 "dev",
			SignIn:               auth.SignInEmailOrPhone,
			MFA:                  auth.MFAOptional,
			Plan:                 auth.PlanEssentials,
			Removal:              Destroy,
			CallbackURLs:         []string{"http://localhost:5173/callback"},
			LogoutURLs:           []string{"http://localhost:5173/"},
			ServerCallbackURLs:   []string{"http://localhost:8000/oauth2/callback"},
			AccessTokenValidity:  60 * time.Minute,
			IDTokenValidity:      60 * time.Minute,
			RefreshTokenValidity: 7 * 24 * time.Hour,
			// The sign-in `make dev` prints: aws cognito-idp initiate-auth.
			CLIClient: true,
			// The numbers of the local tests (+1 555) and of the phone
			// sign-up walkthrough (+61); name your users' countries.
			AllowedCallingCodes: []string{"+1", "+61"},
			LogRetentionDays:    7,
			ThrottleRate:        20,
			ThrottleBurst:       40,
			// Developers break dev on purpose; a single error is not news.
			Alarms: monitoring.Thresholds{FunctionErrors: 5, APIServerErrorPercent: 5},
			// cdk bootstrap --qualifier portdev: dev's deploy role cannot
			// reach prod's bootstrap, nor another app's default one.
			BootstrapQualifier: "portdev",
		},
		{
			Project:      contract.Project,
			Name:         "prod",
			Production:   true,
			SignIn:       auth.SignInEmail,
			MFA:          auth.MFARequired,
			Plan:         auth.PlanPlus,
			Removal:      Retain,
			CallbackURLs: []string{"https://app.example.com/callback"},
			LogoutURLs:   []string{"https://app.example.com/"},
			// The server-side app's own callback, never the SPA's page.
			ServerCallbackURLs: []string{"https://app.example.com/server/oauth2/callback"},
			Web: Web{
				Domain:         "app.example.com",
				CertificateARN: "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000",
				// The API answers only on api.app.example.com, behind the
				// distribution: a certificate in the stage's region.
				APICertificateARN: "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000001",
			},
			AccessTokenValidity:  15 * time.Minute,
			IDTokenValidity:      15 * time.Minute,
			RefreshTokenValidity: 30 * 24 * time.Hour,
			// Placeholders: deploying prod is refused until they name your
			// front end and your SES identity (CheckDeployable).
			Email: &auth.SESEmail{
				From:             "no-reply@app.example.com",
				FromName:         contract.Brand,
				VerifiedIdentity: "app.example.com",
				Region:           "us-east-1",
			},
			LogRetentionDays: 90,
			ThrottleRate:     100,
			ThrottleBurst:    200,
			// cdk bootstrap --qualifier portprod (better still: prod in its
			// own Account).
			BootstrapQualifier: "portprod",
		},
	}
}

// Lookup returns the known stage called name.
func Lookup(name string) (Config, error) {
	var names []string
	for _, c := range Stages() {
		if c.Name == name {
			return c, nil
		}
		names = append(names, c.Name)
	}
	return Config{}, fmt.Errorf("unknown stage %q: known stages are %s", name, strings.Join(names, ", "))
}

// Select returns the stages named by the "stage" context value: one name,
// or every known stage when the value is empty.
func Select(name string) ([]Config, error) {
	if name == "" {
		return Stages(), nil
	}
	c, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	return []Config{c}, nil
}

// StackName is the CloudFormation stack name, "<Project>-<Name>".
func (c Config) StackName() string { return c.Project + "-" + c.Name }

var (
	projectName = regexp.MustCompile(`^[a-z][a-z0-9-]{1,30}[a-z0-9]$`)
	stageName   = regexp.MustCompile(`^[a-z][a-z0-9]{1,15}$`)
	accountID   = regexp.MustCompile(`^[0-9]{12}$`)
	regionName  = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$`)
	// The qualifier becomes part of the bootstrap's bucket names.
	qualifierName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,9}$`)
	emailDomain   = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	// ITU-T E.164 country calling codes are one to three digits.
	callingCode = regexp.MustCompile(`^\+[1-9][0-9]{0,2}$`)
	// Cognito group names: 1-128 characters, no whitespace.
	groupName = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$`)
)

// DefaultGroups are the pool's groups when Config.Groups is nil.
func DefaultGroups() []string { return []string{"admins"} }

// groups is Config.Groups or its default.
func (c Config) groups() []string {
	if c.Groups == nil {
		return DefaultGroups()
	}
	return c.Groups
}

// cliScopes are the CLI client's scopes, the SPA's; nil without one.
func (c Config) cliScopes() []string {
	if !c.CLIClient {
		return nil
	}
	return c.SPAScopes
}

// Validate reports every problem with the configuration, each naming the
// stage, the field and the bad value.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("stage %q: "+format, append([]any{c.Name}, args...)...))
	}
	for _, section := range []func(problem){
		c.validateNames, c.validateRedirects, c.validateProduction, c.validateEnvironment,
		c.validatePoolAndLimits, c.validateSignUp, c.validateTokens, c.validateEmail,
	} {
		section(bad)
	}
	return errors.Join(errs...)
}

// problem records one thing Validate refuses, naming the field and value.
type problem func(format string, args ...any)

// validateNames: the project, the stage's name, its removal policy.
func (c Config) validateNames(bad problem) {
	if !projectName.MatchString(c.Project) {
		bad("Project %q: want 3-32 lower-case letters, digits or hyphens, starting with a letter", c.Project)
	}
	if !stageName.MatchString(c.Name) {
		bad("Name %q: want 2-16 lower-case letters or digits, starting with a letter", c.Name)
	}
	if c.Removal != Retain && c.Removal != Destroy {
		bad("Removal %d: want Retain or Destroy", int(c.Removal))
	}
}

// validateRedirects: the app clients' callback and logout URLs.
func (c Config) validateRedirects(bad problem) {
	if len(c.CallbackURLs) == 0 {
		bad("CallbackURLs: at least one is required")
	}
	if len(c.ServerCallbackURLs) == 0 {
		bad("ServerCallbackURLs: at least one is required (the confidential client's own, not the SPA's)")
	}
	for _, u := range slices.Concat(c.CallbackURLs, c.LogoutURLs, c.ServerCallbackURLs) {
		if err := auth.ValidateRedirectURL(u); err != nil {
			bad("%v", err)
		} else if c.Production && auth.IsLocalhost(u) {
			bad("redirect URL %q: localhost is not allowed in a production stage", u)
		}
	}
}

// validateProduction: what a production stage must be; the domain prefix.
func (c Config) validateProduction(bad problem) {
	if c.Production {
		if c.Removal != Retain {
			bad("Removal %v: a production stage must Retain its users and data", c.Removal)
		}
		if c.MFA != auth.MFARequired {
			bad("MFA %v: a production stage must require MFA", c.MFA)
		}
	}
	if err := auth.ValidateDomainPrefix(c.domainPrefix()); err != nil {
		bad("%v", err)
	}
}

// validateEnvironment: account, region, bootstrap, the web domain.
func (c Config) validateEnvironment(bad problem) {
	if c.Account != "" && !accountID.MatchString(c.Account) {
		bad("Account %q: want 12 digits", c.Account)
	}
	if c.Region != "" && !regionName.MatchString(c.Region) {
		bad("Region %q: want a region name such as eu-west-1", c.Region)
	}
	if c.BootstrapQualifier != "" && !qualifierName.MatchString(c.BootstrapQualifier) {
		bad("BootstrapQualifier %q: want 1-10 lower-case letters, digits or hyphens", c.BootstrapQualifier)
	}
	if err := c.Web.validate(); err != nil {
		bad("%v", err)
	}
	if arn := c.Web.APICertificateARN; c.Region != "" && arn != "" && !strings.Contains(arn, ":acm:"+c.Region+":") {
		bad("Web.APICertificateARN %q: want a certificate in the stage's region %s, where the API is", arn, c.Region)
	}
}

// validatePoolAndLimits: the user pool's props, logs and throttling.
func (c Config) validatePoolAndLimits(bad problem) {
	pool := c.userPoolProps()
	if err := pool.Validate(); err != nil {
		bad("%v", err)
	}
	if _, err := golambda.RetentionDays(c.LogRetentionDays); err != nil {
		bad("LogRetentionDays: %v", err)
	}
	if c.ThrottleRate <= 0 || c.ThrottleBurst <= 0 {
		bad("ThrottleRate %v, ThrottleBurst %d: want positive numbers", c.ThrottleRate, c.ThrottleBurst)
	}
}

// validateSignUp: who may sign up, their quotas, the pool's groups.
func (c Config) validateSignUp(bad problem) {
	for _, d := range c.AllowedEmailDomains {
		if !emailDomain.MatchString(d) {
			bad("AllowedEmailDomains %q: want a domain name such as example.com", d)
		}
	}
	if q := c.Quotas; q.Todos < 0 || q.Photos < 0 || q.PhotoBytes < 0 {
		bad("Quotas %+v: want positive numbers (zero: the default)", q)
	}
	for _, code := range c.AllowedCallingCodes {
		if !callingCode.MatchString(code) {
			bad("AllowedCallingCodes %q: want + and a country calling code of 1 to 3 digits, such as +44", code)
		}
	}
	if c.SignIn == auth.SignInPhone && len(c.AllowedCallingCodes) == 0 {
		bad("AllowedCallingCodes: none, so no one could sign up with a phone number, the stage's only sign-in")
	}
	seen := map[string]bool{}
	for _, g := range c.groups() {
		switch {
		case !groupName.MatchString(g):
			bad("Groups %q: want 1-128 characters without spaces", g)
		case seen[g]:
			bad("Groups %q: listed twice", g)
		}
		seen[g] = true
	}
}

// validateTokens: alarms, token and session validities, the clients' scopes.
func (c Config) validateTokens(bad problem) {
	alarms := monitoring.MonitorProps{Email: c.AlarmEmail, Thresholds: c.Alarms}
	if err := alarms.Validate(); err != nil {
		bad("%v", err)
	}
	if err := auth.ValidateTokenValidity(c.AccessTokenValidity, c.IDTokenValidity, c.RefreshTokenValidity); err != nil {
		bad("%v", err)
	}
	if d := c.AuthSessionValidity; d != 0 && (d < 3*time.Minute || d > 15*time.Minute) {
		bad("AuthSessionValidity %v: want 3m..15m", d)
	}
	known := map[string]bool{}
	for _, sc := range routes.ScopeDescriptions {
		known[sc.Name] = true
	}
	for _, f := range []struct {
		field string
		names []string
	}{{"SPAScopes", c.SPAScopes}, {"ServerScopes", c.ServerScopes}} {
		for _, n := range f.names {
			if !known[n] {
				bad("%s %q: not an API scope of contract/routes", f.field, n)
			}
		}
	}
}

// validateEmail: the sender of a stage that retains its users.
func (c Config) validateEmail(bad problem) {
	switch {
	case c.Email == nil && c.Removal == Retain:
		bad("Email: a stage that retains its users must send email through Amazon SES (From, VerifiedIdentity, Region): Cognito's default sender has a small daily quota and is not for production")
	case c.Email != nil && c.Email.Region == "" && c.Region == "":
		bad("Email.Region: required when the stage names no Region (the SES identity's region cannot be inferred)")
	}
}

func (c Config) domainPrefix() string {
	if c.DomainPrefix != "" {
		return c.DomainPrefix
	}
	return c.Project + "-" + c.Name
}

// preTokenGenerationName is the physical name of the pre token generation
// trigger, at most 61 characters for the longest project and stage names.
func (c Config) preTokenGenerationName() string { return c.StackName() + "-pretokengen" }

// userPoolProps converts the stage's plain settings to the user pool's props;
// New adds the triggers.
func (c Config) userPoolProps() auth.UserPoolProps {
	return auth.UserPoolProps{
		SignIn:       c.SignIn,
		MFA:          c.MFA,
		Plan:         c.Plan,
		Ephemeral:    c.Removal == Destroy,
		DomainPrefix: c.domainPrefix(),
		Email:        c.Email,
		SignInPolicy: c.signInPolicy(LocalRelyingParty),
		// The sign-up form's profile fields and the administrator's role.
		CustomAttributes: customAttributes(),
	}
}

// customAttributes are the contract's custom attributes as the library
// declares them (the same fields, so a field added on one side and not the
// other breaks the build).
func customAttributes() []attr.Custom {
	out := make([]attr.Custom, 0, len(userattr.Declared()))
	for _, c := range userattr.Declared() {
		out = append(out, attr.Custom(c))
	}
	return out
}

// customAttributeKeys are the custom attributes' names as the clients read
// and write them ("custom:company"): users see and edit every one.
func customAttributeKeys() []string {
	var out []string
	for _, c := range userattr.Declared() {
		out = append(out, c.Key())
	}
	return out
}

// LocalRelyingParty stands for the app's domain where the stage has no
// Web.Domain: the stack replaces it with the distribution's domain name,
// and the local stack serves the app on localhost.
const LocalRelyingParty = "localhost"

// signInPolicy is the stage's first factors: the password, passkeys for
// the app's domain (rp), and one-time codes over each channel users sign
// in with where the pool does not require MFA (Cognito offers no
// one-time-code first factor then). A production stage demands user
// verification, so a passkey satisfies its MFA requirement.
func (c Config) signInPolicy(rp string) *auth.SignInPolicy {
	if c.Web.Domain != "" {
		rp = c.Web.Domain
	}
	p := &auth.SignInPolicy{
		Passkeys:                true,
		PasskeyRelyingPartyID:   rp,
		PasskeyUserVerification: auth.UserVerificationPreferred,
	}
	if c.Production {
		p.PasskeyUserVerification = auth.UserVerificationRequired
	}
	if c.MFA != auth.MFARequired {
		p.EmailOTP = c.SignIn != auth.SignInPhone
		p.SMSOTP = c.SignIn != auth.SignInEmail
	}
	return p
}

// Origins are the web origins of the callback URLs and of Web.Domain: the
// front end's, which the API and the photo bucket accept browser requests
// from.
func (c Config) Origins() []string {
	var out []string
	for _, u := range append(slices.Clone(c.CallbackURLs), c.appOrigin()) {
		if o, err := weburl.Origin(u); err == nil && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}
