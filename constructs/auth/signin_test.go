package auth_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
	"github.com/portcullis-cdk/portcullis/constructs/internal/cdktest"
)

// A pool's FirstAuthFactors are what its template allows, whichever props
// set the sign-in policy: a front end reading them offers no choice the
// pool refuses.
func TestFirstAuthFactorsAreTheTemplates(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	passkeys := func(p *auth.SignInPolicy) *auth.SignInPolicy {
		p.Passkeys, p.PasskeyRelyingPartyID = true, "app.example.com"
		return p
	}
	pools := map[string]*auth.UserPool{}
	for _, c := range []struct {
		id    string
		props auth.UserPoolProps
		want  []string
	}{
		{"NoPolicy", auth.UserPoolProps{}, []string{"PASSWORD"}},
		{"PasswordOnly", auth.UserPoolProps{SignInPolicy: &auth.SignInPolicy{}}, []string{"PASSWORD"}},
		{"EmailCodes", auth.UserPoolProps{MFA: auth.MFAOptional, SignInPolicy: &auth.SignInPolicy{EmailOTP: true}}, []string{"PASSWORD", "EMAIL_OTP"}},
		{"Every", auth.UserPoolProps{SignIn: auth.SignInEmailOrPhone, MFA: auth.MFAOptional,
			SignInPolicy: passkeys(&auth.SignInPolicy{EmailOTP: true, SMSOTP: true, PasskeyUserVerification: auth.UserVerificationPreferred})},
			[]string{"PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"}},
		{"PasskeysWithMFA", auth.UserPoolProps{SignInPolicy: passkeys(&auth.SignInPolicy{})}, []string{"PASSWORD", "WEB_AUTHN"}},
		{"Overridden", auth.UserPoolProps{MFA: auth.MFAOptional, PoolOverrides: &awscognito.UserPoolProps{
			SignInPolicy: &awscognito.SignInPolicy{AllowedFirstAuthFactors: &awscognito.AllowedFirstAuthFactors{Password: jsii.Bool(true), EmailOtp: jsii.Bool(true)}},
		}}, []string{"PASSWORD", "EMAIL_OTP"}},
	} {
		u := auth.NewUserPool(stack, c.id, &c.props)
		if !slices.Equal(u.FirstAuthFactors, c.want) {
			t.Errorf("%s: FirstAuthFactors %v, want %v", c.id, u.FirstAuthFactors, c.want)
		}
		pools[c.id] = u
	}
	synthesized := cdktest.Resources(stack, "AWS::Cognito::UserPool")
	for id, u := range pools {
		pool := synthesized[*stack.GetLogicalId(u.Created.Node().DefaultChild().(awscdk.CfnElement))]
		inTemplate := []string{"PASSWORD"} // Cognito's default
		if sp, ok := pool.Properties["Policies"].(map[string]any)["SignInPolicy"].(map[string]any); ok {
			inTemplate = nil
			for _, f := range sp["AllowedFirstAuthFactors"].([]any) {
				inTemplate = append(inTemplate, f.(string))
			}
		}
		if !slices.Equal(u.FirstAuthFactors, inTemplate) {
			t.Errorf("%s: FirstAuthFactors %v, the template allows %v", id, u.FirstAuthFactors, inTemplate)
		}
	}
	if u := auth.NewUserPool(stack, "Existing", &auth.UserPoolProps{Existing: awscognito.UserPool_FromUserPoolId(stack, jsii.String("Imported"), jsii.String("eu-west-1_x"))}); u.FirstAuthFactors != nil {
		t.Errorf("an existing pool's FirstAuthFactors %v, want nil (unknown)", u.FirstAuthFactors)
	}
}
