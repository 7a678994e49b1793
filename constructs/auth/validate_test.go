package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/auth/attr"
)

func TestUserPoolPropsValidate(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	existing := awscognito.UserPool_FromUserPoolId(stack, jsii.String("E"), jsii.String("eu-west-1_AbCdEf123"))
	cases := []struct {
		name  string
		props UserPoolProps
		want  string // "" means valid
	}{
		{"zero value", UserPoolProps{}, ""},
		{"existing with a domain", UserPoolProps{Existing: existing, DomainPrefix: "acme-orders"}, ""},
		{"existing and new", UserPoolProps{Existing: existing, SignIn: SignInPhone}, "Existing is set"},
		{"existing with triggers", UserPoolProps{Existing: existing, Triggers: Triggers{PreTokenGenerationName: "f"}}, "not both"},
		{"phone", UserPoolProps{SignIn: SignInPhone, MFA: MFAOptional, Plan: PlanEssentials}, ""},
		{"bad sign-in", UserPoolProps{SignIn: 3}, "SignIn 3"},
		{"bad MFA", UserPoolProps{MFA: -1}, "MFA -1"},
		{"bad plan", UserPoolProps{Plan: 5}, "Plan 5"},
		{"short password", UserPoolProps{PasswordMinLength: 6}, "PasswordMinLength 6"},
		{"reserved domain word", UserPoolProps{DomainPrefix: "aws-login"}, `"aws-login": Cognito reserves the word "aws"`},
		{"domain ends with hyphen", UserPoolProps{DomainPrefix: "login-"}, `"login-"`},
		{"custom attribute name", UserPoolProps{CustomAttributes: []attr.Custom{{Name: "Bad Name", MaxLen: 10}}}, `"Bad Name"`},
		{"custom attribute twice", UserPoolProps{CustomAttributes: []attr.Custom{{Name: "company", MaxLen: 10}, {Name: "company", MaxLen: 20}}}, `"company" declared twice`},
		{"custom attribute length", UserPoolProps{CustomAttributes: []attr.Custom{{Name: "x", MaxLen: 5000}}}, "MaxLen 5000"},
		{"SES sender", UserPoolProps{Email: &SESEmail{From: "no-reply@acme.io", VerifiedIdentity: "acme.io", ConfigurationSet: "mail", Region: "eu-west-1"}}, ""},
		{"SES sender not an address", UserPoolProps{Email: &SESEmail{From: "acme.io"}}, `Email.From "acme.io"`},
		{"SES identity of another domain", UserPoolProps{Email: &SESEmail{From: "a@acme.io", VerifiedIdentity: "other.io"}}, `Email.VerifiedIdentity "other.io"`},
		{"SES configuration set", UserPoolProps{Email: &SESEmail{From: "a@acme.io", ConfigurationSet: "bad set"}}, `Email.ConfigurationSet "bad set"`},
		{"SES region", UserPoolProps{Email: &SESEmail{From: "a@acme.io", Region: "moon"}}, `Email.Region "moon"`},
		{"trigger name without trigger", UserPoolProps{Triggers: Triggers{PreTokenGenerationName: "fn"}}, `PreTokenGenerationName "fn": no PreTokenGeneration function`},
		{"passkeys with MFA required", UserPoolProps{SignInPolicy: &SignInPolicy{Passkeys: true, PasskeyRelyingPartyID: "app.example.com"}}, ""},
		{"every factor", UserPoolProps{SignIn: SignInEmailOrPhone, MFA: MFAOptional, SignInPolicy: &SignInPolicy{EmailOTP: true, SMSOTP: true, Passkeys: true, PasskeyRelyingPartyID: "localhost", PasskeyUserVerification: UserVerificationPreferred}}, ""},
		{"lite plan", UserPoolProps{Plan: PlanLite, MFA: MFAOptional, SignInPolicy: &SignInPolicy{EmailOTP: true}}, "need the Essentials or Plus feature plan, not Plan lite"},
		{"lite plan password only", UserPoolProps{Plan: PlanLite, SignInPolicy: &SignInPolicy{}}, ""},
		{"otp with MFA required", UserPoolProps{SignInPolicy: &SignInPolicy{EmailOTP: true}}, "no one-time-code first factor in a pool that requires MFA"},
		{"sms otp without sms", UserPoolProps{MFA: MFAOptional, SignInPolicy: &SignInPolicy{SMSOTP: true}}, "the pool sends no SMS"},
		{"passkeys unverified with MFA required", UserPoolProps{SignInPolicy: &SignInPolicy{Passkeys: true, PasskeyRelyingPartyID: "app.example.com", PasskeyUserVerification: UserVerificationPreferred}}, "only with UserVerificationRequired"},
		{"passkeys without relying party", UserPoolProps{SignInPolicy: &SignInPolicy{Passkeys: true}}, "PasskeyRelyingPartyID: required"},
		{"relying party a URL", UserPoolProps{SignInPolicy: &SignInPolicy{Passkeys: true, PasskeyRelyingPartyID: "https://app.example.com"}}, `PasskeyRelyingPartyID "https://app.example.com"`},
		{"bad user verification", UserPoolProps{SignInPolicy: &SignInPolicy{Passkeys: true, PasskeyRelyingPartyID: "a.io", PasskeyUserVerification: 7}}, "PasskeyUserVerification 7"},
	}
	for _, c := range cases {
		err := c.props.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestAppClientsPropsValidate(t *testing.T) {
	ok := []string{"https://app.example.com/cb"}
	cases := []struct {
		name  string
		props AppClientsProps
		want  string
	}{
		{"no pool", AppClientsProps{CallbackURLs: ok}, "UserPool is required"},
		{"no callbacks", AppClientsProps{}, "CallbackURLs: at least one"},
		{"server client without its own callbacks", AppClientsProps{CallbackURLs: ok}, "ServerCallbackURLs: at least one"},
		{"http server callback", AppClientsProps{CallbackURLs: ok, ServerCallbackURLs: []string{"http://example.com/cb"}}, `"http://example.com/cb": want https`},
		{"scope with slash", AppClientsProps{CallbackURLs: ok, Scopes: []Scope{{Name: "a/b", Description: "x"}}}, `scope "a/b"`},
		{"scope without description", AppClientsProps{CallbackURLs: ok, Scopes: []Scope{{Name: "read"}}}, `scope "read": Description is required`},
		{"duplicate scope", AppClientsProps{CallbackURLs: ok, Scopes: []Scope{{"r", "x"}, {"r", "y"}}}, `scope "r" declared twice`},
		{"http logout", AppClientsProps{CallbackURLs: ok, LogoutURLs: []string{"http://example.com/"}}, `"http://example.com/": want https`},
		{"access token 1 minute", AppClientsProps{CallbackURLs: ok, AccessTokenValidity: time.Minute}, "AccessTokenValidity 1m0s"},
		{"refresh 30 minutes", AppClientsProps{CallbackURLs: ok, RefreshTokenValidity: 30 * time.Minute}, "RefreshTokenValidity 30m0s"},
		{"auth session 2 minutes", AppClientsProps{CallbackURLs: ok, AuthSessionValidity: 2 * time.Minute}, "AuthSessionValidity 2m0s: want 3m..15m"},
		{"unknown client scope", AppClientsProps{CallbackURLs: ok, Scopes: []Scope{{"r", "x"}}, ServerScopes: []string{"w"}}, `ServerScopes "w": not one of the Scopes`},
		{"unknown attribute", AppClientsProps{CallbackURLs: ok, ReadAttributes: []string{"shoe_size"}}, `ReadAttributes "shoe_size"`},
		{"scopes without a resource server", AppClientsProps{CallbackURLs: ok, Scopes: []Scope{{"r", "x"}}}, "ResourceServerID is required with Scopes"},
		{"users verifying themselves", AppClientsProps{CallbackURLs: ok, WriteAttributes: []string{"email_verified"}}, `WriteAttributes "email_verified": only Cognito`},
		{"grace over a minute", AppClientsProps{CallbackURLs: ok, SPARefreshTokenRotation: &RefreshTokenRotation{GracePeriod: 61 * time.Second}}, "SPARefreshTokenRotation.GracePeriod 1m1s"},
		{"unknown CLI scope", AppClientsProps{CallbackURLs: ok, CLIClient: true, Scopes: []Scope{{"r", "x"}}, CLIScopes: []string{"w"}}, `CLIScopes "w": not one of the Scopes`},
		{"CLI scopes without the CLI client", AppClientsProps{CallbackURLs: ok, CLIScopes: []string{}}, "CLIScopes: set without CLIClient"},
		{"grace in milliseconds", AppClientsProps{CallbackURLs: ok, SPARefreshTokenRotation: &RefreshTokenRotation{GracePeriod: 1500 * time.Millisecond}}, "want whole seconds"},
	}
	for _, c := range cases {
		err := c.props.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestRedirectURLs(t *testing.T) {
	for u, valid := range map[string]bool{
		"https://app.example.com/callback": true,
		"http://localhost:5173/callback":   true,
		"http://127.0.0.1/cb":              true,
		"http://[::1]:8080/":               true,
		"http://app.example.com/callback":  false,
		"https://app.example.com/#/cb":     false,
		"app.example.com/callback":         false,
		"myapp://callback":                 false,
		"":                                 false,
	} {
		if err := ValidateRedirectURL(u); (err == nil) != valid {
			t.Errorf("ValidateRedirectURL(%q) = %v, want valid=%v", u, err, valid)
		}
	}
}

func TestIdentityPoolPropsValidate(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	pool := awscognito.UserPool_FromUserPoolId(stack, jsii.String("E"), jsii.String("eu-west-1_AbCdEf123"))
	client := awscognito.UserPoolClient_FromUserPoolClientId(stack, jsii.String("C"), jsii.String("client"))
	id := "eu-west-1:11111111-2222-3333-4444-555555555555"
	for _, c := range []struct {
		name  string
		props IdentityPoolProps
		want  string // "" means valid
	}{
		{"new", IdentityPoolProps{UserPool: pool, Clients: []awscognito.IUserPoolClient{client}}, ""},
		{"existing", IdentityPoolProps{ExistingID: id}, ""},
		{"no clients", IdentityPoolProps{UserPool: pool}, "Clients: at least one"},
		{"existing and new", IdentityPoolProps{ExistingID: id, UserPool: pool}, "ExistingID is set"},
		{"bad id", IdentityPoolProps{ExistingID: "pool-1"}, `ExistingID "pool-1"`},
	} {
		err := c.props.Validate()
		if (c.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Validate() = %v, want %q", c.name, err, c.want)
		}
	}
}
