package auth

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/jsii-runtime-go"
)

// UserVerification is what a passkey sign-in demands of the authenticator
// beyond presence: a PIN, a fingerprint or a face (the WebAuthn UV flag).
type UserVerification int

const (
	// UserVerificationRequired: every passkey registration and sign-in must
	// verify the user. A passkey then counts as two factors, so it may be a
	// first factor of a pool that requires MFA.
	UserVerificationRequired UserVerification = iota
	// UserVerificationPreferred: authenticators verify the user where they
	// can; a security key without a PIN still signs in (Cognito's default).
	UserVerificationPreferred
)

func (u UserVerification) String() string {
	switch u {
	case UserVerificationRequired:
		return "required"
	case UserVerificationPreferred:
		return "preferred"
	}
	return fmt.Sprintf("UserVerification(%d)", int(u))
}

// SignInPolicy is the first factors of choice-based sign-in (the USER_AUTH
// flow of an app client that allows it): a password is always one of them;
// the fields add the others. The zero value adds none.
type SignInPolicy struct {
	// EmailOTP lets users sign in with a one-time code sent to their email
	// address. Needs the Essentials or Plus plan, and a pool that does not
	// require MFA (Cognito offers no one-time-code first factor then).
	// Default: false.
	EmailOTP bool
	// SMSOTP lets users sign in with a one-time code sent by SMS. Needs
	// what EmailOTP needs, and a pool that sends SMS (phone sign-in).
	// Default: false.
	SMSOTP bool
	// Passkeys lets users register passkeys (WebAuthn) once signed in, and
	// sign in with them. Needs the Essentials or Plus plan, and
	// PasskeyRelyingPartyID. In a pool that requires MFA, only with
	// UserVerificationRequired (the passkey then satisfies MFA).
	// Default: false.
	Passkeys bool
	// PasskeyRelyingPartyID is the WebAuthn relying party: the host name of
	// the app that asks for passkeys, or a parent domain of it (not a
	// public suffix). Passkeys are bound to it: changing it makes every
	// user register again. A token (a distribution's domain name) is
	// accepted. Required with Passkeys.
	PasskeyRelyingPartyID string
	// PasskeyUserVerification is what a passkey must prove besides presence.
	// Default: UserVerificationRequired.
	PasskeyUserVerification UserVerification
}

// rpID is a host name: a WebAuthn relying party id is one.
var rpID = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)

// passwordless reports whether the policy adds any factor besides a password.
func (s *SignInPolicy) passwordless() bool {
	return s != nil && (s.EmailOTP || s.SMSOTP || s.Passkeys)
}

// validate reports every problem with the policy in a pool of the given
// plan, MFA setting and SMS ability, as Cognito and CloudFormation would
// refuse it at deployment.
func (s *SignInPolicy) validate(plan Plan, mfa MFA, sendsSMS bool) error {
	if s == nil {
		return nil
	}
	var errs []error
	if s.passwordless() && plan == PlanLite {
		errs = append(errs, fmt.Errorf("SignInPolicy: one-time codes and passkeys need the Essentials or Plus feature plan, not Plan %v", plan))
	}
	if mfa == MFARequired && (s.EmailOTP || s.SMSOTP) {
		errs = append(errs, fmt.Errorf("SignInPolicy EmailOTP %v, SMSOTP %v: Cognito offers no one-time-code first factor in a pool that requires MFA (MFA %v)", s.EmailOTP, s.SMSOTP, mfa))
	}
	if s.SMSOTP && !sendsSMS {
		errs = append(errs, errors.New("SignInPolicy SMSOTP: the pool sends no SMS (sign-in by email only)"))
	}
	if s.PasskeyUserVerification < UserVerificationRequired || s.PasskeyUserVerification > UserVerificationPreferred {
		errs = append(errs, fmt.Errorf("SignInPolicy PasskeyUserVerification %d: want UserVerificationRequired or UserVerificationPreferred", int(s.PasskeyUserVerification)))
	}
	if !s.Passkeys {
		return errors.Join(errs...)
	}
	if mfa == MFARequired && s.PasskeyUserVerification != UserVerificationRequired {
		errs = append(errs, fmt.Errorf("SignInPolicy Passkeys with PasskeyUserVerification %v: a pool that requires MFA accepts passkeys only with UserVerificationRequired", s.PasskeyUserVerification))
	}
	id := s.PasskeyRelyingPartyID
	switch {
	case id == "":
		errs = append(errs, errors.New("SignInPolicy PasskeyRelyingPartyID: required with Passkeys (the app's host name)"))
	case *awscdk.Token_IsUnresolved(jsii.String(id)):
	case len(id) > 63 || !rpID.MatchString(id):
		errs = append(errs, fmt.Errorf("SignInPolicy PasskeyRelyingPartyID %q: want a lower-case host name of at most 63 characters, such as app.example.com", id))
	}
	return errors.Join(errs...)
}

// configureSignInPolicy sets the pool's first factors and passkey relying
// party from the policy; nil leaves Cognito's default (password only).
func configureSignInPolicy(props *awscognito.UserPoolProps, s *SignInPolicy) {
	if !s.passwordless() {
		return
	}
	props.SignInPolicy = &awscognito.SignInPolicy{
		AllowedFirstAuthFactors: &awscognito.AllowedFirstAuthFactors{
			Password: jsii.Bool(true),
			EmailOtp: jsii.Bool(s.EmailOTP),
			SmsOtp:   jsii.Bool(s.SMSOTP),
			Passkey:  jsii.Bool(s.Passkeys),
		},
	}
	if !s.Passkeys {
		return
	}
	props.PasskeyRelyingPartyId = jsii.String(s.PasskeyRelyingPartyID)
	props.PasskeyUserVerification = awscognito.PasskeyUserVerification_REQUIRED
	if s.PasskeyUserVerification == UserVerificationPreferred {
		props.PasskeyUserVerification = awscognito.PasskeyUserVerification_PREFERRED
	}
}

// firstAuthFactors are the first factors the pool's L2 props allow, named
// and ordered as CDK writes AllowedFirstAuthFactors; a pool without a
// sign-in policy allows the password only.
func firstAuthFactors(props *awscognito.UserPoolProps) []string {
	out := []string{"PASSWORD"}
	if props.SignInPolicy == nil || props.SignInPolicy.AllowedFirstAuthFactors == nil {
		return out
	}
	f := props.SignInPolicy.AllowedFirstAuthFactors
	for _, factor := range []struct {
		on   *bool
		name string
	}{{f.EmailOtp, "EMAIL_OTP"}, {f.SmsOtp, "SMS_OTP"}, {f.Passkey, "WEB_AUTHN"}} {
		if factor.on != nil && *factor.on {
			out = append(out, factor.name)
		}
	}
	return out
}

// passkeyFactorConfiguration lets a verified passkey stand for two factors
// in a pool that requires MFA, as Cognito requires for passkeys to be a
// first factor there.
func passkeyFactorConfiguration(pool awscognito.UserPool, s *SignInPolicy, mfa MFA) {
	if s == nil || !s.Passkeys || mfa != MFARequired {
		return
	}
	// An override, not the L1 setter: CDK's L2 has no prop for it, and
	// the L1 property is newer than the library's CDK floor.
	cfn := pool.Node().DefaultChild().(awscognito.CfnUserPool)
	cfn.AddPropertyOverride(jsii.String("WebAuthnFactorConfiguration"), jsii.String("MULTI_FACTOR_WITH_USER_VERIFICATION"))
}
