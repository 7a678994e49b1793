package auth

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/auth/attr"
	"github.com/portcullis-cdk/portcullis/constructs/internal/nag"
	"github.com/portcullis-cdk/portcullis/constructs/internal/override"
)

// SignIn selects the verified attribute(s) users sign in with. The attribute
// becomes the pool's username attribute, is required at sign-up (except in
// SignInEmailOrPhone, where either one is), is verified by a code sent over
// its channel, and is the channel for account recovery.
type SignIn int

const (
	// SignInEmail: sign in with an email address, verified by an emailed code.
	SignInEmail SignIn = iota
	// SignInPhone: sign in with a phone number, verified by an SMS code.
	SignInPhone
	// SignInEmailOrPhone: either one; each is verified over its own channel.
	SignInEmailOrPhone
)

func (s SignIn) String() string {
	switch s {
	case SignInEmail:
		return "email"
	case SignInPhone:
		return "phone"
	case SignInEmailOrPhone:
		return "email-or-phone"
	}
	return fmt.Sprintf("SignIn(%d)", int(s))
}

func (s SignIn) email() bool { return s == SignInEmail || s == SignInEmailOrPhone }
func (s SignIn) phone() bool { return s == SignInPhone || s == SignInEmailOrPhone }

// MFA selects whether a second factor (TOTP from an authenticator app) is
// required or offered.
type MFA int

const (
	// MFARequired: every user enrols a TOTP app at first sign-in.
	MFARequired MFA = iota
	// MFAOptional: users may enrol a TOTP app; sign-in does not demand it.
	MFAOptional
)

func (m MFA) String() string {
	switch m {
	case MFARequired:
		return "required"
	case MFAOptional:
		return "optional"
	}
	return fmt.Sprintf("MFA(%d)", int(m))
}

// Plan is the Cognito feature plan. Threat protection (adaptive
// authentication, compromised-credential checks) needs PlanPlus.
type Plan int

const (
	// PlanPlus: Essentials plus threat protection, enforced (full function).
	PlanPlus Plan = iota
	// PlanEssentials: managed login, access-token customisation, no threat
	// protection. Cheaper; meant for non-production stages.
	PlanEssentials
	// PlanLite: password and SRP sign-in only, no choice-based sign-in
	// (SignInPolicy), no threat protection.
	PlanLite
)

func (p Plan) String() string {
	switch p {
	case PlanPlus:
		return "plus"
	case PlanEssentials:
		return "essentials"
	case PlanLite:
		return "lite"
	}
	return fmt.Sprintf("Plan(%d)", int(p))
}

// Triggers are the Lambda functions a pool invokes. Every field is optional.
type Triggers struct {
	PreSignUp        awslambda.IFunction
	CustomMessage    awslambda.IFunction
	PostConfirmation awslambda.IFunction
	// PreTokenGeneration receives version 2 events, which may change the
	// access token too (claims and scopes), not only the ID token.
	PreTokenGeneration awslambda.IFunction
	// PreTokenGenerationName is the physical name (FunctionName) of
	// PreTokenGeneration. When set, the pool names the function by an ARN
	// built from it instead of referencing the function resource, so the
	// function's environment may name the pool's app clients (which depend
	// on the pool) without a circular dependency. Default: none (the pool
	// references the function).
	PreTokenGenerationName string
}

// SESEmail is the Amazon SES sender of a pool's email. Cognito's default
// sender allows a few dozen messages a day and is not meant for production.
type SESEmail struct {
	// From is the sender address, for example "no-reply@example.com".
	// Required.
	From string
	// FromName is the display name of the sender. Default: none.
	FromName string
	// VerifiedIdentity is the SES identity that may send as From: the
	// domain of From, or From itself. Default: From (an address identity).
	VerifiedIdentity string
	// ConfigurationSet is an SES configuration set to send with (event
	// publishing, dedicated IPs). Default: none.
	ConfigurationSet string
	// Region where the identity is verified. Required when the stack's
	// region is not known at synth time (an environment-agnostic stack);
	// otherwise default: the stack's region.
	Region string
}

var (
	sesAddress = regexp.MustCompile(`^[^@\s]+@(([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})$`)
	sesConfig  = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	awsRegion  = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$`)
	lambdaName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
)

// Validate reports every problem with the sender, each naming its value.
func (e *SESEmail) Validate() error {
	var errs []error
	m := sesAddress.FindStringSubmatch(e.From)
	if m == nil {
		errs = append(errs, fmt.Errorf("Email.From %q: want an email address such as no-reply@example.com", e.From))
	}
	if e.VerifiedIdentity != "" && m != nil && e.VerifiedIdentity != e.From && e.VerifiedIdentity != m[1] {
		errs = append(errs, fmt.Errorf("Email.VerifiedIdentity %q: want the address %q or its domain %q", e.VerifiedIdentity, e.From, m[1]))
	}
	if e.ConfigurationSet != "" && !sesConfig.MatchString(e.ConfigurationSet) {
		errs = append(errs, fmt.Errorf("Email.ConfigurationSet %q: want 1-64 letters, digits, _ or -", e.ConfigurationSet))
	}
	if e.Region != "" && !awsRegion.MatchString(e.Region) {
		errs = append(errs, fmt.Errorf("Email.Region %q: want a region name such as eu-west-1", e.Region))
	}
	return errors.Join(errs...)
}

// UserPoolProps configures a UserPool. The zero value (or nil) is a secure
// pool: email sign-in, required TOTP MFA, Plus plan with threat protection
// enforced, retained on stack deletion and protected from deletion.
type UserPoolProps struct {
	// Existing is a user pool the team already has (for example
	// awscognito.UserPool_FromUserPoolId), wrapped instead of creating one:
	// the construct adds only the Cognito domain (DomainPrefix) to it, and
	// ProviderName and IssuerURL are derived from it. Every other prop
	// describes a new pool and must be unset with it. Default: nil (a new
	// pool).
	Existing awscognito.IUserPool
	// Name of the pool. Default: generated by CloudFormation.
	Name string
	// SignIn selects the username attribute(s). Default: SignInEmail.
	// Changing it later replaces the pool (and loses every user).
	SignIn SignIn
	// MFA is required or optional; TOTP is the only second factor, since
	// SMS codes are phishable and cost money per message. Default: MFARequired.
	MFA MFA
	// Plan is the feature plan. Default: PlanPlus, with threat protection in
	// full-function (enforced) mode.
	Plan Plan
	// Ephemeral marks a pool whose users may be lost: it is destroyed with the
	// stack and not deletion-protected. Default: false (RETAIN + deletion
	// protection), which is what any stage with real users needs.
	Ephemeral bool
	// SMSExternalID is the sts:ExternalId Cognito must present to assume the
	// SMS role. Default: a value unique to this construct's path, stable
	// across synths. It is not a secret; it pins the role to this pool's use.
	SMSExternalID string
	// CustomAttributes declared by the pool, for example
	// attr.Custom{Name: "company", MaxLen: 256, Mutable: true}. Default:
	// none. Adding one later updates the pool; removing or changing one
	// replaces it.
	CustomAttributes []attr.Custom
	// PasswordMinLength is the shortest password accepted. All four
	// character classes are always required. Default: 12 (range 8..99).
	PasswordMinLength int
	// Triggers are the Lambda triggers. Default: none.
	Triggers Triggers
	// DomainPrefix, when set, creates a Cognito-hosted domain
	// https://<prefix>.auth.<region>.amazoncognito.com for the hosted UI and
	// the OAuth endpoints. It must be unique in the region. Default: none.
	DomainPrefix string
	// VerificationSubject is the subject of the emailed verification code
	// when no CustomMessage trigger is set. Default: "Your verification code".
	VerificationSubject string
	// Email sends the pool's email (codes, invitations) through Amazon SES.
	// Default: nil, Cognito's default sender, whose daily quota is small and
	// meant for development.
	Email *SESEmail
	// PoolOverrides are L2 props the construct does not set itself (for
	// example DeviceTracking or UserInvitation), merged into the ones it makes: the escape hatch
	// for what it does not decide. Setting one it does set panics, naming
	// it. Default: nil.
	PoolOverrides *awscognito.UserPoolProps
	// SignInPolicy adds one-time codes and passkeys to the password as first
	// factors of choice-based sign-in (app clients with SPAUserAuth).
	// Default: nil, password only.
	SignInPolicy *SignInPolicy
}

// UserPool is a Cognito user pool with its SMS role and optional domain.
type UserPool struct {
	// Construct groups the resources below in the construct tree; pass it,
	// not this struct, where a scope is wanted.
	Construct constructs.Construct
	// Pool is the user pool, new or Existing.
	Pool awscognito.IUserPool
	// Created is the new user pool (the same as Pool), for what only a new
	// pool offers (AddTrigger, its L1 through Node().DefaultChild()); nil
	// with Existing.
	Created awscognito.UserPool
	// SMSRole is the role Cognito assumes, presenting SMSExternalID, to send
	// verification codes through Amazon SNS. Nil when the pool sends no SMS
	// (email sign-in: TOTP is the only second factor).
	SMSRole awsiam.Role
	// Domain is the Cognito-hosted domain; nil without DomainPrefix.
	Domain awscognito.UserPoolDomain
	// FirstAuthFactors are the first factors of choice-based sign-in the
	// pool allows, as its template's AllowedFirstAuthFactors names them:
	// "PASSWORD", then "EMAIL_OTP", "SMS_OTP" and "WEB_AUTHN" as the
	// SignInPolicy (or PoolOverrides) adds them. A front end offers the
	// sign-in choices it names. Nil with Existing: the pool's policy is
	// not known at synthesis.
	FirstAuthFactors []string
}

var domainPrefix = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// Validate reports every problem with the props, each naming its value.
func (p *UserPoolProps) Validate() error {
	var errs []error
	if p.Existing != nil && p.describesNewPool() {
		errs = append(errs, errors.New("Existing is set: give either an existing pool (with DomainPrefix at most) "+
			"or the props of a new one, not both"))
	}
	if p.SignIn < SignInEmail || p.SignIn > SignInEmailOrPhone {
		errs = append(errs, fmt.Errorf("SignIn %d: want SignInEmail, SignInPhone or SignInEmailOrPhone", int(p.SignIn)))
	}
	if p.MFA < MFARequired || p.MFA > MFAOptional {
		errs = append(errs, fmt.Errorf("MFA %d: want MFARequired or MFAOptional", int(p.MFA)))
	}
	if p.Plan < PlanPlus || p.Plan > PlanLite {
		errs = append(errs, fmt.Errorf("Plan %d: want PlanPlus, PlanEssentials or PlanLite", int(p.Plan)))
	}
	errs = append(errs, p.SignInPolicy.validate(p.Plan, p.MFA, p.needsSMS()))
	if p.PasswordMinLength != 0 && (p.PasswordMinLength < 8 || p.PasswordMinLength > 99) {
		errs = append(errs, fmt.Errorf("PasswordMinLength %d: want 8..99", p.PasswordMinLength))
	}
	if err := ValidateDomainPrefix(p.DomainPrefix); p.DomainPrefix != "" && err != nil {
		errs = append(errs, err)
	}
	if p.Email != nil {
		errs = append(errs, p.Email.Validate())
	}
	if n := p.Triggers.PreTokenGenerationName; n != "" {
		if !lambdaName.MatchString(n) {
			errs = append(errs, fmt.Errorf("Triggers.PreTokenGenerationName %q: want 1-64 letters, digits, _ or -", n))
		}
		if p.Triggers.PreTokenGeneration == nil {
			errs = append(errs, fmt.Errorf("Triggers.PreTokenGenerationName %q: no PreTokenGeneration function", n))
		}
	}
	seen := map[string]bool{}
	for _, c := range p.CustomAttributes {
		if err := c.Validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[c.Name] {
			errs = append(errs, fmt.Errorf("custom attribute %q declared twice", c.Name))
		}
		seen[c.Name] = true
	}
	return errors.Join(errs...)
}

// describesNewPool reports whether any prop other than Existing and
// DomainPrefix is set.
func (p *UserPoolProps) describesNewPool() bool {
	return p.Name != "" || p.SignIn != SignInEmail || p.MFA != MFARequired || p.Plan != PlanPlus || p.Ephemeral ||
		p.SMSExternalID != "" || p.CustomAttributes != nil || p.PasswordMinLength != 0 || p.Triggers != (Triggers{}) ||
		p.VerificationSubject != "" || p.Email != nil || p.PoolOverrides != nil || p.SignInPolicy != nil
}

// ValidateDomainPrefix reports whether Cognito accepts prefix as the label of
// a Cognito-hosted domain.
func ValidateDomainPrefix(prefix string) error {
	if !domainPrefix.MatchString(prefix) {
		return fmt.Errorf("domain prefix %q: want 1-63 lower-case letters, digits or hyphens, not starting or ending with a hyphen", prefix)
	}
	for _, reserved := range []string{"aws", "amazon", "cognito"} {
		if strings.Contains(prefix, reserved) {
			return fmt.Errorf("domain prefix %q: Cognito reserves the word %q", prefix, reserved)
		}
	}
	return nil
}

// withDefaults returns a copy of p with every unset prop given its default.
func (p *UserPoolProps) withDefaults(scope constructs.Construct) UserPoolProps {
	out := UserPoolProps{}
	if p != nil {
		out = *p
	}
	if out.PasswordMinLength == 0 {
		out.PasswordMinLength = 12
	}
	if out.SMSExternalID == "" {
		out.SMSExternalID = *awscdk.Names_UniqueId(scope)
	}
	if out.VerificationSubject == "" {
		out.VerificationSubject = "Your verification code"
	}
	return out
}

// NewUserPool creates a user pool. It panics if props do not validate, as
// CDK constructors do; call props.Validate first to handle the error.
func NewUserPool(scope constructs.Construct, id string, props *UserPoolProps) *UserPool {
	this := constructs.NewConstruct(scope, jsii.String(id))
	if props != nil && props.Existing != nil {
		if err := props.Validate(); err != nil {
			panic(fmt.Errorf("auth.NewUserPool %q: %w", id, err))
		}
		u := &UserPool{Construct: this, Pool: props.Existing}
		u.addDomain(props.DomainPrefix)
		return u
	}
	p := props.withDefaults(this)
	if err := p.Validate(); err != nil {
		panic(fmt.Errorf("auth.NewUserPool %q: %w", id, err))
	}
	smsRole := newSMSRole(this, p)
	l2 := poolProps(p, smsRole)
	if err := override.Merge(l2, p.PoolOverrides); err != nil {
		panic(fmt.Errorf("auth.NewUserPool %q: PoolOverrides: %w", id, err))
	}
	pool := awscognito.NewUserPool(this, jsii.String("Pool"), l2)
	passkeyFactorConfiguration(pool, p.SignInPolicy, p.MFA)
	addPreTokenGeneration(this, pool, p.Triggers)

	u := &UserPool{Construct: this, Pool: pool, Created: pool, SMSRole: smsRole, FirstAuthFactors: firstAuthFactors(l2)}
	u.addDomain(p.DomainPrefix)
	return u
}

// addDomain gives the pool its Cognito-hosted domain, if prefix is set.
func (u *UserPool) addDomain(prefix string) {
	if prefix != "" {
		u.Domain = u.Pool.AddDomain(jsii.String("Domain"), &awscognito.UserPoolDomainOptions{
			CognitoDomain: &awscognito.CognitoDomainOptions{DomainPrefix: jsii.String(prefix)},
		})
	}
}

// poolProps are the L2 props of the pool p describes, sending SMS with
// smsRole (nil: none).
func poolProps(p UserPoolProps, smsRole awsiam.Role) *awscognito.UserPoolProps {
	var name *string
	if p.Name != "" {
		name = jsii.String(p.Name)
	}
	props := &awscognito.UserPoolProps{
		UserPoolName:      name,
		SelfSignUpEnabled: jsii.Bool(true),
		SignInAliases: &awscognito.SignInAliases{
			Email: jsii.Bool(p.SignIn.email()),
			Phone: jsii.Bool(p.SignIn.phone()),
		},
		SignInCaseSensitive: jsii.Bool(false),
		AutoVerify: &awscognito.AutoVerifiedAttrs{
			Email: jsii.Bool(p.SignIn.email()),
			Phone: jsii.Bool(p.SignIn.phone()),
		},
		// Until a changed email or phone number is verified, the old one stays
		// the sign-in and recovery channel, so a typo cannot lock a user out
		// and an unverified address cannot take the account over.
		KeepOriginal: &awscognito.KeepOriginalAttrs{
			Email: jsii.Bool(p.SignIn.email()),
			Phone: jsii.Bool(p.SignIn.phone()),
		},
		// No StandardAttributes: their Schema entries carry no
		// AttributeDataType, and with one in the template every later update
		// of the pool, even of its messages, fails with "Invalid
		// AttributeDataType input" (aws-cdk issue 8585). Every pool has the
		// standard attributes, mutable; the sign-in attribute is the
		// username, so a user cannot lack it.
		CustomAttributes: customAttributes(p.CustomAttributes),
		PasswordPolicy: &awscognito.PasswordPolicy{
			MinLength:            jsii.Number(float64(p.PasswordMinLength)),
			RequireDigits:        jsii.Bool(true),
			RequireLowercase:     jsii.Bool(true),
			RequireUppercase:     jsii.Bool(true),
			RequireSymbols:       jsii.Bool(true),
			TempPasswordValidity: awscdk.Duration_Days(jsii.Number(3)),
		},
		AccountRecovery:              p.accountRecovery(),
		Mfa:                          p.mfa(),
		MfaSecondFactor:              &awscognito.MfaSecondFactor{Otp: jsii.Bool(true), Sms: jsii.Bool(false)},
		FeaturePlan:                  awscognito.FeaturePlan_PLUS,
		StandardThreatProtectionMode: awscognito.StandardThreatProtectionMode_FULL_FUNCTION,
		UserVerification: &awscognito.UserVerificationConfig{
			EmailStyle:   awscognito.VerificationEmailStyle_CODE,
			EmailSubject: jsii.String(p.VerificationSubject),
			EmailBody:    jsii.String("Your verification code is {####}"),
			SmsMessage:   jsii.String("Your verification code is {####}"),
		},
		EnableSmsRole:      jsii.Bool(smsRole != nil),
		DeletionProtection: jsii.Bool(!p.Ephemeral),
		RemovalPolicy:      p.removalPolicy(),
		LambdaTriggers: &awscognito.UserPoolTriggers{
			PreSignUp:        p.Triggers.PreSignUp,
			CustomMessage:    p.Triggers.CustomMessage,
			PostConfirmation: p.Triggers.PostConfirmation,
		},
	}
	if smsRole != nil {
		props.SmsRole = smsRole
		props.SmsRoleExternalId = jsii.String(p.SMSExternalID)
	}
	if p.Email != nil {
		props.Email = sesEmail(p.Email)
	}
	if p.Plan != PlanPlus {
		// Only Plus has threat protection; CloudFormation rejects any mode.
		props.FeaturePlan = awscognito.FeaturePlan_ESSENTIALS
		if p.Plan == PlanLite {
			props.FeaturePlan = awscognito.FeaturePlan_LITE
		}
		props.StandardThreatProtectionMode = ""
	}
	configureSignInPolicy(props, p.SignInPolicy)
	return props
}

// customAttributes declares each attribute as a string of 1 to MaxLen
// characters.
func customAttributes(list []attr.Custom) *map[string]awscognito.ICustomAttribute {
	custom := map[string]awscognito.ICustomAttribute{}
	for _, c := range list {
		custom[c.Name] = awscognito.NewStringAttribute(&awscognito.StringAttributeProps{
			MinLen:  jsii.Number(1),
			MaxLen:  jsii.Number(float64(c.MaxLen)),
			Mutable: jsii.Bool(c.Mutable),
		})
	}
	return &custom
}

// accountRecovery recovers an account through the verified sign-in channel.
func (p *UserPoolProps) accountRecovery() awscognito.AccountRecovery {
	return map[SignIn]awscognito.AccountRecovery{
		SignInEmail:        awscognito.AccountRecovery_EMAIL_ONLY,
		SignInPhone:        awscognito.AccountRecovery_PHONE_ONLY_WITHOUT_MFA,
		SignInEmailOrPhone: awscognito.AccountRecovery_EMAIL_AND_PHONE_WITHOUT_MFA,
	}[p.SignIn]
}

func (p *UserPoolProps) mfa() awscognito.Mfa {
	if p.MFA == MFAOptional {
		return awscognito.Mfa_OPTIONAL
	}
	return awscognito.Mfa_REQUIRED
}

func (p *UserPoolProps) removalPolicy() awscdk.RemovalPolicy {
	if p.Ephemeral {
		return awscdk.RemovalPolicy_DESTROY
	}
	return awscdk.RemovalPolicy_RETAIN
}

// needsSMS reports whether the pool can send text messages: phone sign-in
// and phone verification do; SMS MFA is never enabled (TOTP only).
func (p *UserPoolProps) needsSMS() bool { return p.SignIn.phone() }

// newSMSRole is the role Cognito publishes SMS with, or nil when the pool
// sends none. It may publish to phone numbers only: SMS to a number has no
// ARN (so Resource '*'), and every topic ARN is denied.
func newSMSRole(scope constructs.Construct, p UserPoolProps) awsiam.Role {
	if !p.needsSMS() {
		return nil
	}
	role := awsiam.NewRole(scope, jsii.String("SMSRole"), &awsiam.RoleProps{
		Description: jsii.String("Cognito sends verification codes through SNS with this role"),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("cognito-idp.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{
				// The external ID alone keeps another pool's configuration from
				// borrowing this role; the account condition narrows it to ours.
				"StringEquals": map[string]any{
					"sts:ExternalId":    p.SMSExternalID,
					"aws:SourceAccount": awscdk.Stack_Of(scope).Account(),
				},
			},
		}),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"sns-publish": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{
					awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
						Actions:   jsii.Strings("sns:Publish"),
						Resources: jsii.Strings("*"),
					}),
					awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
						Effect:    awsiam.Effect_DENY,
						Actions:   jsii.Strings("sns:Publish"),
						Resources: jsii.Strings("arn:" + *awscdk.Aws_PARTITION() + ":sns:*:*:*"),
					}),
				},
			}),
		},
	})
	nag.Suppress(role, []nag.Suppression{{
		ID:        "AwsSolutions-IAM5",
		AppliesTo: []any{"Resource::*"},
		Reason:    "SMS messages are published to phone numbers, which have no ARN: sns:Publish for SMS takes Resource '*' (Cognito developer guide, SMS message settings). A second statement denies every topic ARN, and only Cognito can assume the role, presenting the external ID.",
	}}, true)
	return role
}

// sesEmail is the pool's email configuration for an SES sender.
func sesEmail(e *SESEmail) awscognito.UserPoolEmail {
	opt := &awscognito.UserPoolSESOptions{FromEmail: jsii.String(e.From)}
	if e.FromName != "" {
		opt.FromName = jsii.String(e.FromName)
	}
	if e.VerifiedIdentity != "" && e.VerifiedIdentity != e.From {
		opt.SesVerifiedDomain = jsii.String(e.VerifiedIdentity)
	}
	if e.ConfigurationSet != "" {
		opt.ConfigurationSetName = jsii.String(e.ConfigurationSet)
	}
	if e.Region != "" {
		opt.SesRegion = jsii.String(e.Region)
	}
	return awscognito.UserPoolEmail_WithSES(opt)
}

// addPreTokenGeneration wires the version 2 pre token generation trigger,
// by name when t.PreTokenGenerationName is set (see Triggers).
func addPreTokenGeneration(scope constructs.Construct, pool awscognito.UserPool, t Triggers) {
	switch {
	case t.PreTokenGeneration == nil:
	case t.PreTokenGenerationName == "":
		pool.AddTrigger(awscognito.UserPoolOperation_PRE_TOKEN_GENERATION_CONFIG(), t.PreTokenGeneration, awscognito.LambdaVersion_V2_0)
	default:
		arn := awscdk.Stack_Of(scope).FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("lambda"),
			Resource:     jsii.String("function"),
			ResourceName: jsii.String(t.PreTokenGenerationName),
			ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})
		cfn := pool.Node().DefaultChild().(awscognito.CfnUserPool)
		cfn.AddPropertyOverride(jsii.String("LambdaConfig.PreTokenGenerationConfig"), map[string]any{
			"LambdaArn":     arn,
			"LambdaVersion": "V2_0",
		})
		t.PreTokenGeneration.AddPermission(jsii.String("CognitoInvoke"), &awslambda.Permission{
			Principal: awsiam.NewServicePrincipal(jsii.String("cognito-idp.amazonaws.com"), nil),
			SourceArn: pool.UserPoolArn(),
		})
	}
}

// ProviderName is the pool's issuer host and path,
// cognito-idp.<region>.amazonaws.com/<pool id>, as identity pools name it.
func (u *UserPool) ProviderName() *string { return u.Pool.UserPoolProviderName() }

// IssuerURL is the pool's token issuer, https://cognito-idp.<region>.amazonaws.com/<pool id>,
// the value JWT authorizers check the iss claim against.
func (u *UserPool) IssuerURL() *string { return IssuerURL(u.Pool) }

// IssuerURL is the token issuer of any pool, new or imported.
func IssuerURL(pool awscognito.IUserPool) *string {
	return awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://"), pool.UserPoolProviderName()})
}
