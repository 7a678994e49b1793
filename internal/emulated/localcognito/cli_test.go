package localcognito

import (
	"testing"

	"github.com/portcullis-cdk/portcullis/internal/testhelp/awscli"
)

// TestAWSCLI drives the pool with the AWS CLI, as the CLI sign-in flow does
// against Cognito. It needs `aws` on PATH and is skipped without it.
//
// Each CLI call costs the CLI's start-up (about a second of CPU), so every
// flow is a parallel subtest with a user of its own, signed up in process
// where the CLI call is not what the subtest is about.
func TestAWSCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("the AWS CLI takes seconds to start")
	}
	f := newFixture(t, nil)
	c := &awsCLI{awscli.Find(t, f.url, testRegion, testAccessKeyID, testSecretKey)}

	// Each flow and the user it starts from (signed up here, confirmed
	// and signed in), or none where the flow signs its own user up.
	flows := []struct {
		name, user string
		run        func(t *testing.T, c *awsCLI, f *fixture, u cliUser)
	}{
		{"sign-up", "", cliSignUp},
		{"attributes", "cli.attributes", cliAttributes},
		{"change-password", "cli.change", cliChangePassword},
		{"forgot-password", "cli.forgot", cliForgotPassword},
		{"admin-set-password", "cli.adminset", cliAdminSetPassword},
		{"admin-reset-password", "cli.adminreset", cliAdminResetPassword},
		{"global-sign-out", "cli.signout", cliGlobalSignOut},
		{"disable-user", "cli.disable", cliDisableUser},
		{"resend-code", "", cliResendCode},
		{"groups", "cli.groups", cliGroups},
	}
	users := map[string]cliUser{}
	for _, fl := range flows {
		if fl.user == "" {
			continue
		}
		f.confirmedUser(fl.user, fl.user+"@efg.com")
		tok := f.signIn(fl.user, goodPassword)
		users[fl.user] = cliUser{name: fl.user, access: *tok.AccessToken, refresh: *tok.RefreshToken}
	}
	for _, fl := range flows {
		t.Run(fl.name, func(t *testing.T) {
			t.Parallel()
			fl.run(t, c, f, users[fl.user])
		})
	}
}

// cliUser is a confirmed user with the password goodPassword and the tokens
// of a sign-in.
type cliUser struct{ name, access, refresh string }

// awsCLI is the AWS CLI aimed at the test pool, with the flows' helpers.
type awsCLI struct{ *awscli.CLI }

// signIn signs in with USER_PASSWORD_AUTH and returns the tokens.
func (c *awsCLI) signIn(t *testing.T, user, password string) map[string]any {
	t.Helper()
	out := c.OK(t, "cognito-idp", "initiate-auth", "--client-id", publicID, "--auth-flow", "USER_PASSWORD_AUTH",
		"--auth-parameters", "USERNAME="+user+",PASSWORD="+password)
	res, _ := out["AuthenticationResult"].(map[string]any)
	if res == nil {
		t.Fatalf("initiate-auth output = %v", out)
	}
	return res
}

// cliSignedIn checks, in process, that user signs in with password after
// the CLI changed it: the sign-in flow's CLI call is cliSignUp's, and each
// CLI call costs the CLI's start-up.
func cliSignedIn(t *testing.T, f *fixture, user, password string) {
	t.Helper()
	out, err := f.passwordAuth(publicID, user, password)
	if err != nil || out.AuthenticationResult == nil {
		t.Errorf("sign-in of %s with the new password: %v", user, err)
	}
}

// cliCode is the last code the pool sent user.
func cliCode(t *testing.T, f *fixture, user string) string {
	t.Helper()
	c, ok := f.srv.Code(user)
	if !ok {
		t.Fatalf("no code for %s", user)
	}
	return c
}

// cliSignUp: the CLI sign-in flow, sign-up to a token the API's authorizer
// accepts.
func cliSignUp(t *testing.T, c *awsCLI, f *fixture, _ cliUser) {
	up := c.OK(t, "cognito-idp", "sign-up", "--client-id", publicID, "--username", "xyz.abc", "--password", goodPassword,
		"--user-attributes", "Name=email,Value=xyz.abc@efg.com", "Name=custom:company,Value=ACME")
	details, _ := up["CodeDeliveryDetails"].(map[string]any)
	if up["UserConfirmed"] != false || !uuidPattern.MatchString(up["UserSub"].(string)) ||
		details["DeliveryMedium"] != "EMAIL" || details["Destination"] != "x***@e***" || details["AttributeName"] != "email" {
		t.Errorf("sign-up output = %v", up)
	}

	c.OK(t, "cognito-idp", "admin-confirm-sign-up", "--user-pool-id", testPoolID, "--username", "xyz.abc")

	res := c.signIn(t, "xyz.abc", goodPassword)
	access, _ := res["AccessToken"].(string)
	if access == "" || res["TokenType"] != "Bearer" || res["ExpiresIn"] != float64(3600) || res["RefreshToken"] == nil {
		t.Fatalf("initiate-auth output = %v", res)
	}
	if _, err := f.authorizer(publicID).Authorize(f.ctx, "Bearer "+access, nil); err != nil {
		t.Errorf("access token from the CLI does not verify: %v", err)
	}

	got := c.OK(t, "cognito-idp", "admin-get-user", "--user-pool-id", testPoolID, "--username", "xyz.abc")
	if got["UserStatus"] != "CONFIRMED" || got["Enabled"] != true {
		t.Errorf("admin-get-user output = %v", got)
	}
}

// cliAttributes: a profile edit; a name needs no code, a new email address
// does.
func cliAttributes(t *testing.T, c *awsCLI, f *fixture, u cliUser) {
	if out := c.OK(t, "cognito-idp", "update-user-attributes", "--access-token", u.access, "--user-attributes", "Name=name,Value=Xyz"); len(out) != 0 {
		t.Errorf("update-user-attributes (name) output = %v", out)
	}
	out := c.OK(t, "cognito-idp", "update-user-attributes", "--access-token", u.access, "--user-attributes", "Name=email,Value=xyz@new.example")
	if list, _ := out["CodeDeliveryDetailsList"].([]any); len(list) != 1 {
		t.Errorf("update-user-attributes (email) output = %v", out)
	}
	out = c.OK(t, "cognito-idp", "get-user-attribute-verification-code", "--access-token", u.access, "--attribute-name", "email")
	if d, _ := out["CodeDeliveryDetails"].(map[string]any); d["Destination"] != "x***@n***" || d["AttributeName"] != "email" {
		t.Errorf("get-user-attribute-verification-code output = %v", out)
	}
	c.Refused(t, "CodeMismatchException", "Invalid verification code", "cognito-idp", "verify-user-attribute",
		"--access-token", u.access, "--attribute-name", "email", "--code", wrongCode(cliCode(t, f, u.name)))
	c.OK(t, "cognito-idp", "verify-user-attribute", "--access-token", u.access, "--attribute-name", "email", "--code", cliCode(t, f, u.name))
	c.OK(t, "cognito-idp", "delete-user-attributes", "--access-token", u.access, "--user-attribute-names", "name")
	got := c.OK(t, "cognito-idp", "get-user", "--access-token", u.access)
	attrs := map[string]any{}
	for _, a := range got["UserAttributes"].([]any) {
		a := a.(map[string]any)
		attrs[a["Name"].(string)] = a["Value"]
	}
	if attrs["email"] != "xyz@new.example" || attrs["email_verified"] != "true" || attrs["name"] != nil {
		t.Errorf("get-user attributes = %v", attrs)
	}
}

// cliChangePassword: the old password is checked, the new one signs in.
func cliChangePassword(t *testing.T, c *awsCLI, f *fixture, u cliUser) {
	const second = "Second-Pass-77"
	c.Refused(t, "NotAuthorizedException", "Incorrect username or password.", "cognito-idp", "change-password",
		"--access-token", u.access, "--previous-password", "Wrong-Pass-11", "--proposed-password", second)
	c.OK(t, "cognito-idp", "change-password", "--access-token", u.access, "--previous-password", goodPassword, "--proposed-password", second)
	cliSignedIn(t, f, u.name, second)
}

// cliForgotPassword: a code through the verified channel sets a new
// password.
func cliForgotPassword(t *testing.T, c *awsCLI, f *fixture, u cliUser) {
	const third = "Third-Pass-88"
	out := c.OK(t, "cognito-idp", "forgot-password", "--client-id", publicID, "--username", u.name)
	if d, _ := out["CodeDeliveryDetails"].(map[string]any); d["Destination"] != "c***@e***" || d["DeliveryMedium"] != "EMAIL" {
		t.Errorf("forgot-password output = %v", out)
	}
	c.OK(t, "cognito-idp", "confirm-forgot-password", "--client-id", publicID, "--username", u.name,
		"--confirmation-code", cliCode(t, f, u.name), "--password", third)
	cliSignedIn(t, f, u.name, third)
}

// cliAdminSetPassword: an administrator sets a permanent password.
func cliAdminSetPassword(t *testing.T, c *awsCLI, f *fixture, u cliUser) {
	const fourth = "Fourth-Pass-99"
	c.OK(t, "cognito-idp", "admin-set-user-password", "--user-pool-id", testPoolID, "--username", u.name, "--password", fourth, "--permanent")
	cliSignedIn(t, f, u.name, fourth)
}

// cliAdminResetPassword: after an administrator's reset the password no
// longer signs in, and a code sets a new one.
func cliAdminResetPassword(t *testing.T, c *awsCLI, f *fixture, u cliUser) {
	const fifth = "Fifth-Pass-55"
	c.OK(t, "cognito-idp", "admin-reset-user-password", "--user-pool-id", testPoolID, "--username", u.name)
	c.Refused(t, "PasswordResetRequiredException", "Password reset required for the user", "cognito-idp", "initiate-auth",
		"--client-id", publicID, "--auth-flow", "USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME="+u.name+",PASSWORD="+goodPassword)
	c.OK(t, "cognito-idp", "confirm-forgot-password", "--client-id", publicID, "--username", u.name,
		"--confirmation-code", cliCode(t, f, u.name), "--password", fifth)
	cliSignedIn(t, f, u.name, fifth)
}

// cliGlobalSignOut: the user's refresh tokens are revoked.
func cliGlobalSignOut(t *testing.T, c *awsCLI, _ *fixture, u cliUser) {
	c.OK(t, "cognito-idp", "admin-user-global-sign-out", "--user-pool-id", testPoolID, "--username", u.name)
	c.Refused(t, "NotAuthorizedException", "Refresh Token has been revoked", "cognito-idp", "initiate-auth", "--client-id", publicID,
		"--auth-flow", "REFRESH_TOKEN_AUTH", "--auth-parameters", "REFRESH_TOKEN="+u.refresh)
}

// cliDisableUser: a disabled user cannot sign in until enabled again.
func cliDisableUser(t *testing.T, c *awsCLI, f *fixture, u cliUser) {
	c.OK(t, "cognito-idp", "admin-disable-user", "--user-pool-id", testPoolID, "--username", u.name)
	c.Refused(t, "NotAuthorizedException", "User is disabled.", "cognito-idp", "initiate-auth", "--client-id", publicID,
		"--auth-flow", "USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME="+u.name+",PASSWORD="+goodPassword)
	c.OK(t, "cognito-idp", "admin-enable-user", "--user-pool-id", testPoolID, "--username", u.name)
	cliSignedIn(t, f, u.name, goodPassword)
}

// cliResendCode: a new user's code, sent again, is a new code that
// confirms.
func cliResendCode(t *testing.T, c *awsCLI, f *fixture, _ cliUser) {
	c.OK(t, "cognito-idp", "sign-up", "--client-id", publicID, "--username", "late.comer", "--password", goodPassword,
		"--user-attributes", "Name=email,Value=late@efg.com")
	first := cliCode(t, f, "late.comer")
	out := c.OK(t, "cognito-idp", "resend-confirmation-code", "--client-id", publicID, "--username", "late.comer")
	if d, _ := out["CodeDeliveryDetails"].(map[string]any); d["Destination"] != "l***@e***" {
		t.Errorf("resend-confirmation-code output = %v", out)
	}
	again := cliCode(t, f, "late.comer")
	if again == first {
		t.Errorf("resend-confirmation-code sent the same code %s", first)
	}
	c.OK(t, "cognito-idp", "confirm-sign-up", "--client-id", publicID, "--username", "late.comer", "--confirmation-code", again)
}
