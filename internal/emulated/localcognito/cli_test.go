package localcognito

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAWSCLI drives the pool with the AWS CLI, as the CLI sign-in flow does
// against Cognito. It needs `aws` on PATH and is skipped without it.
//
// Each CLI call costs the CLI's start-up (about a second of CPU), so every
// flow is a parallel subtest with a user of its own, signed up in process
// where the CLI call is not what the subtest is about.
func TestAWSCLI(t *testing.T) {
	bin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws (AWS CLI) is not on PATH")
	}
	if testing.Short() {
		t.Skip("the AWS CLI takes seconds to start")
	}
	f := newFixture(t, nil)
	c := &awsCLI{bin: unshim(bin), url: f.url}
	c.version = awsCLIVersion(t, c.bin)

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

// awsCLI runs the AWS CLI against the test pool.
type awsCLI struct{ bin, version, url string }

// run runs the CLI and returns its output, or its error output when it
// fails.
func (c *awsCLI) run(t *testing.T, args ...string) (map[string]any, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args = append(args, "--region", testRegion, "--endpoint-url", c.url, "--output", "json")
	if strings.HasPrefix(c.version, "aws-cli/2") {
		args = append(args, "--no-cli-pager") // version 1 has no pager, and no such option
	}
	cmd := exec.CommandContext(ctx, c.bin, args...)
	dir := t.TempDir()
	cmd.Env = append(withoutAWSEnv(os.Environ()),
		"AWS_ACCESS_KEY_ID="+testAccessKeyID, "AWS_SECRET_ACCESS_KEY="+testSecretKey, "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, stderr.String(), err
	}
	out := map[string]any{}
	if b := bytes.TrimSpace(stdout.Bytes()); len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("aws %s: output is not JSON: %v\n%s", args[1], err, b)
		}
	}
	return out, "", nil
}

// ok runs a command that must succeed and returns its output.
func (c *awsCLI) ok(t *testing.T, args ...string) map[string]any {
	t.Helper()
	out, stderr, err := c.run(t, args...)
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

// refused runs a command that must fail with the error code and message.
func (c *awsCLI) refused(t *testing.T, code, msg string, args ...string) {
	t.Helper()
	_, stderr, err := c.run(t, args...)
	if err == nil || !strings.Contains(stderr, "("+code+")") || !strings.Contains(stderr, msg) {
		t.Errorf("aws %s: error %v\n%s\nwant (%s) ... %s", args[1], err, stderr, code, msg)
	}
}

// signIn signs in with USER_PASSWORD_AUTH and returns the tokens.
func (c *awsCLI) signIn(t *testing.T, user, password string) map[string]any {
	t.Helper()
	out := c.ok(t, "cognito-idp", "initiate-auth", "--client-id", publicID, "--auth-flow", "USER_PASSWORD_AUTH",
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
	up := c.ok(t, "cognito-idp", "sign-up", "--client-id", publicID, "--username", "xyz.abc", "--password", goodPassword,
		"--user-attributes", "Name=email,Value=xyz.abc@efg.com", "Name=custom:company,Value=ACME")
	details, _ := up["CodeDeliveryDetails"].(map[string]any)
	if up["UserConfirmed"] != false || !uuidPattern.MatchString(up["UserSub"].(string)) ||
		details["DeliveryMedium"] != "EMAIL" || details["Destination"] != "x***@e***" || details["AttributeName"] != "email" {
		t.Errorf("sign-up output = %v", up)
	}

	c.ok(t, "cognito-idp", "admin-confirm-sign-up", "--user-pool-id", testPoolID, "--username", "xyz.abc")

	res := c.signIn(t, "xyz.abc", goodPassword)
	access, _ := res["AccessToken"].(string)
	if access == "" || res["TokenType"] != "Bearer" || res["ExpiresIn"] != float64(3600) || res["RefreshToken"] == nil {
		t.Fatalf("initiate-auth output = %v", res)
	}
	if _, err := f.authorizer(publicID).Authorize(f.ctx, "Bearer "+access, nil); err != nil {
		t.Errorf("access token from the CLI does not verify: %v", err)
	}

	got := c.ok(t, "cognito-idp", "admin-get-user", "--user-pool-id", testPoolID, "--username", "xyz.abc")
	if got["UserStatus"] != "CONFIRMED" || got["Enabled"] != true {
		t.Errorf("admin-get-user output = %v", got)
	}
}

// cliAttributes: a profile edit; a name needs no code, a new email address
// does.
func cliAttributes(t *testing.T, c *awsCLI, f *fixture, u cliUser) {
	if out := c.ok(t, "cognito-idp", "update-user-attributes", "--access-token", u.access, "--user-attributes", "Name=name,Value=Xyz"); len(out) != 0 {
		t.Errorf("update-user-attributes (name) output = %v", out)
	}
	out := c.ok(t, "cognito-idp", "update-user-attributes", "--access-token", u.access, "--user-attributes", "Name=email,Value=xyz@new.example")
	if list, _ := out["CodeDeliveryDetailsList"].([]any); len(list) != 1 {
		t.Errorf("update-user-attributes (email) output = %v", out)
	}
	out = c.ok(t, "cognito-idp", "get-user-attribute-verification-code", "--access-token", u.access, "--attribute-name", "email")
	if d, _ := out["CodeDeliveryDetails"].(map[string]any); d["Destination"] != "x***@n***" || d["AttributeName"] != "email" {
		t.Errorf("get-user-attribute-verification-code output = %v", out)
	}
	c.refused(t, "CodeMismatchException", "Invalid verification code", "cognito-idp", "verify-user-attribute",
		"--access-token", u.access, "--attribute-name", "email", "--code", wrongCode(cliCode(t, f, u.name)))
	c.ok(t, "cognito-idp", "verify-user-attribute", "--access-token", u.access, "--attribute-name", "email", "--code", cliCode(t, f, u.name))
	c.ok(t, "cognito-idp", "delete-user-attributes", "--access-token", u.access, "--user-attribute-names", "name")
	got := c.ok(t, "cognito-idp", "get-user", "--access-token", u.access)
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
	c.refused(t, "NotAuthorizedException", "Incorrect username or password.", "cognito-idp", "change-password",
		"--access-token", u.access, "--previous-password", "Wrong-Pass-11", "--proposed-password", second)
	c.ok(t, "cognito-idp", "change-password", "--access-token", u.access, "--previous-password", goodPassword, "--proposed-password", second)
	cliSignedIn(t, f, u.name, second)
}

// cliForgotPassword: a code through the verified channel sets a new
// password.
func cliForgotPassword(t *testing.T, c *awsCLI, f *fixture, u cliUser) {
	const third = "Third-Pass-88"
	out := c.ok(t, "cognito-idp", "forgot-password", "--client-id", publicID, "--username", u.name)
	if d, _ := out["CodeDeliveryDetails"].(map[string]any); d["Destination"] != "c***@e***" || d["DeliveryMedium"] != "EMAIL" {
		t.Errorf("forgot-password output = %v", out)
	}
	c.ok(t, "cognito-idp", "confirm-forgot-password", "--client-id", publicID, "--username", u.name,
		"--confirmation-code", cliCode(t, f, u.name), "--password", third)
	cliSignedIn(t, f, u.name, third)
}

// cliAdminSetPassword: an administrator sets a permanent password.
func cliAdminSetPassword(t *testing.T, c *awsCLI, f *fixture, u cliUser) {
	const fourth = "Fourth-Pass-99"
	c.ok(t, "cognito-idp", "admin-set-user-password", "--user-pool-id", testPoolID, "--username", u.name, "--password", fourth, "--permanent")
	cliSignedIn(t, f, u.name, fourth)
}

// cliAdminResetPassword: after an administrator's reset the password no
// longer signs in, and a code sets a new one.
func cliAdminResetPassword(t *testing.T, c *awsCLI, f *fixture, u cliUser) {
	const fifth = "Fifth-Pass-55"
	c.ok(t, "cognito-idp", "admin-reset-user-password", "--user-pool-id", testPoolID, "--username", u.name)
	c.refused(t, "PasswordResetRequiredException", "Password reset required for the user", "cognito-idp", "initiate-auth",
		"--client-id", publicID, "--auth-flow", "USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME="+u.name+",PASSWORD="+goodPassword)
	c.ok(t, "cognito-idp", "confirm-forgot-password", "--client-id", publicID, "--username", u.name,
		"--confirmation-code", cliCode(t, f, u.name), "--password", fifth)
	cliSignedIn(t, f, u.name, fifth)
}

// cliGlobalSignOut: the user's refresh tokens are revoked.
func cliGlobalSignOut(t *testing.T, c *awsCLI, _ *fixture, u cliUser) {
	c.ok(t, "cognito-idp", "admin-user-global-sign-out", "--user-pool-id", testPoolID, "--username", u.name)
	c.refused(t, "NotAuthorizedException", "Refresh Token has been revoked", "cognito-idp", "initiate-auth", "--client-id", publicID,
		"--auth-flow", "REFRESH_TOKEN_AUTH", "--auth-parameters", "REFRESH_TOKEN="+u.refresh)
}

// cliDisableUser: a disabled user cannot sign in until enabled again.
func cliDisableUser(t *testing.T, c *awsCLI, f *fixture, u cliUser) {
	c.ok(t, "cognito-idp", "admin-disable-user", "--user-pool-id", testPoolID, "--username", u.name)
	c.refused(t, "NotAuthorizedException", "User is disabled.", "cognito-idp", "initiate-auth", "--client-id", publicID,
		"--auth-flow", "USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME="+u.name+",PASSWORD="+goodPassword)
	c.ok(t, "cognito-idp", "admin-enable-user", "--user-pool-id", testPoolID, "--username", u.name)
	cliSignedIn(t, f, u.name, goodPassword)
}

// cliResendCode: a new user's code, sent again, is a new code that
// confirms.
func cliResendCode(t *testing.T, c *awsCLI, f *fixture, _ cliUser) {
	c.ok(t, "cognito-idp", "sign-up", "--client-id", publicID, "--username", "late.comer", "--password", goodPassword,
		"--user-attributes", "Name=email,Value=late@efg.com")
	first := cliCode(t, f, "late.comer")
	out := c.ok(t, "cognito-idp", "resend-confirmation-code", "--client-id", publicID, "--username", "late.comer")
	if d, _ := out["CodeDeliveryDetails"].(map[string]any); d["Destination"] != "l***@e***" {
		t.Errorf("resend-confirmation-code output = %v", out)
	}
	again := cliCode(t, f, "late.comer")
	if again == first {
		t.Errorf("resend-confirmation-code sent the same code %s", first)
	}
	c.ok(t, "cognito-idp", "confirm-sign-up", "--client-id", publicID, "--username", "late.comer", "--confirmation-code", again)
}

// unshim returns the executable behind a pyenv shim: the shim is a shell
// script that runs pyenv to find it, which doubles the CLI's start-up time
// for each of the test's dozens of commands.
func unshim(bin string) string {
	if !strings.Contains(bin, "/.pyenv/shims/") {
		return bin
	}
	out, err := exec.Command("pyenv", "which", filepath.Base(bin)).Output()
	if real := strings.TrimSpace(string(out)); err == nil && real != "" {
		return real
	}
	return bin
}

func awsCLIVersion(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Skipf("aws --version: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// withoutAWSEnv drops the caller's AWS settings (profiles, real
// credentials) so the CLI only ever talks to the local pool with dummy keys.
func withoutAWSEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "AWS_") {
			out = append(out, kv)
		}
	}
	return out
}
