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

// TestAWSCLI drives the pool with the AWS CLI, as the CLI sign-in flow does against
// Cognito. It needs `aws` on PATH and is skipped without it.
func TestAWSCLI(t *testing.T) {
	bin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws (AWS CLI) is not on PATH")
	}
	if testing.Short() {
		t.Skip("the AWS CLI takes seconds to start")
	}
	bin = unshim(bin)
	f := newFixture(t, nil)
	version := awsCLIVersion(t, bin)

	// run runs the CLI and returns its output, or its error output when
	// it fails.
	run := func(args ...string) (map[string]any, string, error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		args = append(args, "--region", testRegion, "--endpoint-url", f.url, "--output", "json")
		if strings.HasPrefix(version, "aws-cli/2") {
			args = append(args, "--no-cli-pager") // version 1 has no pager, and no such option
		}
		cmd := exec.CommandContext(ctx, bin, args...)
		dir := t.TempDir()
		cmd.Env = append(withoutAWSEnv(os.Environ()),
			"AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=local-secret", "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true",
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
	aws := func(args ...string) map[string]any {
		t.Helper()
		out, stderr, err := run(args...)
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		return out
	}
	// refused runs a command that must fail with the error code and message.
	refused := func(code, msg string, args ...string) {
		t.Helper()
		_, stderr, err := run(args...)
		if err == nil || !strings.Contains(stderr, "("+code+")") || !strings.Contains(stderr, msg) {
			t.Errorf("aws %s: error %v\n%s\nwant (%s) ... %s", args[1], err, stderr, code, msg)
		}
	}

	up := aws("cognito-idp", "sign-up", "--client-id", publicID, "--username", "xyz.abc", "--password", goodPassword,
		"--user-attributes", "Name=email,Value=xyz.abc@efg.com", "Name=custom:company,Value=ACME")
	details, _ := up["CodeDeliveryDetails"].(map[string]any)
	if up["UserConfirmed"] != false || !uuidPattern.MatchString(up["UserSub"].(string)) ||
		details["DeliveryMedium"] != "EMAIL" || details["Destination"] != "x***@e***" || details["AttributeName"] != "email" {
		t.Errorf("sign-up output = %v", up)
	}

	aws("cognito-idp", "admin-confirm-sign-up", "--user-pool-id", testPoolID, "--username", "xyz.abc")

	auth := aws("cognito-idp", "initiate-auth", "--client-id", publicID, "--auth-flow", "USER_PASSWORD_AUTH",
		"--auth-parameters", "USERNAME=xyz.abc,PASSWORD="+goodPassword)
	res, _ := auth["AuthenticationResult"].(map[string]any)
	access, _ := res["AccessToken"].(string)
	if access == "" || res["TokenType"] != "Bearer" || res["ExpiresIn"] != float64(3600) || res["RefreshToken"] == nil {
		t.Fatalf("initiate-auth output = %v", auth)
	}
	if _, err := f.authorizer(publicID).Authorize(f.ctx, "Bearer "+access, nil); err != nil {
		t.Errorf("access token from the CLI does not verify: %v", err)
	}

	got := aws("cognito-idp", "admin-get-user", "--user-pool-id", testPoolID, "--username", "xyz.abc")
	if got["UserStatus"] != "CONFIRMED" || got["Enabled"] != true {
		t.Errorf("admin-get-user output = %v", got)
	}

	cliAccountOperations(t, f, aws, refused)
	cliGroups(t, f, aws, refused)
}

// cliAccountOperations takes the user xyz.abc, confirmed and signed in,
// through every account operation with the CLI.
func cliAccountOperations(t *testing.T, f *fixture, aws func(...string) map[string]any, refused func(code, msg string, args ...string)) {
	const (
		user   = "xyz.abc"
		second = "Second-Pass-77"
		third  = "Third-Pass-88"
		fourth = "Fourth-Pass-99"
	)
	signIn := func(password string) map[string]any {
		t.Helper()
		out := aws("cognito-idp", "initiate-auth", "--client-id", publicID, "--auth-flow", "USER_PASSWORD_AUTH",
			"--auth-parameters", "USERNAME="+user+",PASSWORD="+password)
		res, _ := out["AuthenticationResult"].(map[string]any)
		if res == nil {
			t.Fatalf("initiate-auth output = %v", out)
		}
		return res
	}
	code := func() string {
		t.Helper()
		c, ok := f.srv.Code(user)
		if !ok {
			t.Fatalf("no code for %s", user)
		}
		return c
	}
	access := signIn(goodPassword)["AccessToken"].(string)

	// Profile edit: a name needs no code, a new email address does.
	if out := aws("cognito-idp", "update-user-attributes", "--access-token", access, "--user-attributes", "Name=name,Value=Xyz"); len(out) != 0 {
		t.Errorf("update-user-attributes (name) output = %v", out)
	}
	out := aws("cognito-idp", "update-user-attributes", "--access-token", access, "--user-attributes", "Name=email,Value=xyz@new.example")
	if list, _ := out["CodeDeliveryDetailsList"].([]any); len(list) != 1 {
		t.Errorf("update-user-attributes (email) output = %v", out)
	}
	out = aws("cognito-idp", "get-user-attribute-verification-code", "--access-token", access, "--attribute-name", "email")
	if d, _ := out["CodeDeliveryDetails"].(map[string]any); d["Destination"] != "x***@n***" || d["AttributeName"] != "email" {
		t.Errorf("get-user-attribute-verification-code output = %v", out)
	}
	refused("CodeMismatchException", "Invalid verification code", "cognito-idp", "verify-user-attribute", "--access-token", access, "--attribute-name", "email", "--code", wrongCode(code()))
	aws("cognito-idp", "verify-user-attribute", "--access-token", access, "--attribute-name", "email", "--code", code())
	aws("cognito-idp", "delete-user-attributes", "--access-token", access, "--user-attribute-names", "name")
	got := aws("cognito-idp", "get-user", "--access-token", access)
	attrs := map[string]any{}
	for _, a := range got["UserAttributes"].([]any) {
		a := a.(map[string]any)
		attrs[a["Name"].(string)] = a["Value"]
	}
	if attrs["email"] != "xyz@new.example" || attrs["email_verified"] != "true" || attrs["name"] != nil {
		t.Errorf("get-user attributes = %v", attrs)
	}

	// Passwords: change, forget, set and reset.
	refused("NotAuthorizedException", "Incorrect username or password.", "cognito-idp", "change-password", "--access-token", access,
		"--previous-password", "Wrong-Pass-11", "--proposed-password", second)
	aws("cognito-idp", "change-password", "--access-token", access, "--previous-password", goodPassword, "--proposed-password", second)
	signIn(second)
	out = aws("cognito-idp", "forgot-password", "--client-id", publicID, "--username", user)
	if d, _ := out["CodeDeliveryDetails"].(map[string]any); d["Destination"] != "x***@n***" || d["DeliveryMedium"] != "EMAIL" {
		t.Errorf("forgot-password output = %v", out)
	}
	aws("cognito-idp", "confirm-forgot-password", "--client-id", publicID, "--username", user, "--confirmation-code", code(), "--password", third)
	signIn(third)
	aws("cognito-idp", "admin-set-user-password", "--user-pool-id", testPoolID, "--username", user, "--password", fourth, "--permanent")
	refresh := signIn(fourth)["RefreshToken"].(string)
	aws("cognito-idp", "admin-reset-user-password", "--user-pool-id", testPoolID, "--username", user)
	refused("PasswordResetRequiredException", "Password reset required for the user", "cognito-idp", "initiate-auth", "--client-id", publicID,
		"--auth-flow", "USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME="+user+",PASSWORD="+fourth)
	aws("cognito-idp", "confirm-forgot-password", "--client-id", publicID, "--username", user, "--confirmation-code", code(), "--password", goodPassword)

	// Sessions: global sign-out, disable, enable.
	aws("cognito-idp", "admin-user-global-sign-out", "--user-pool-id", testPoolID, "--username", user)
	refused("NotAuthorizedException", "Refresh Token has been revoked", "cognito-idp", "initiate-auth", "--client-id", publicID,
		"--auth-flow", "REFRESH_TOKEN_AUTH", "--auth-parameters", "REFRESH_TOKEN="+refresh)
	aws("cognito-idp", "admin-disable-user", "--user-pool-id", testPoolID, "--username", user)
	refused("NotAuthorizedException", "User is disabled.", "cognito-idp", "initiate-auth", "--client-id", publicID,
		"--auth-flow", "USER_PASSWORD_AUTH", "--auth-parameters", "USERNAME="+user+",PASSWORD="+goodPassword)
	aws("cognito-idp", "admin-enable-user", "--user-pool-id", testPoolID, "--username", user)
	signIn(goodPassword)

	// A new user's code, sent again.
	aws("cognito-idp", "sign-up", "--client-id", publicID, "--username", "late.comer", "--password", goodPassword,
		"--user-attributes", "Name=email,Value=late@efg.com")
	first, _ := f.srv.Code("late.comer")
	out = aws("cognito-idp", "resend-confirmation-code", "--client-id", publicID, "--username", "late.comer")
	if d, _ := out["CodeDeliveryDetails"].(map[string]any); d["Destination"] != "l***@e***" {
		t.Errorf("resend-confirmation-code output = %v", out)
	}
	again, _ := f.srv.Code("late.comer")
	if again == first {
		t.Errorf("resend-confirmation-code sent the same code %s", first)
	}
	aws("cognito-idp", "confirm-sign-up", "--client-id", publicID, "--username", "late.comer", "--confirmation-code", again)
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
