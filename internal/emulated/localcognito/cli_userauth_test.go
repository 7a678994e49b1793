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

// TestAWSCLIUserAuth checks the API shapes of choice-based sign-in,
// passkeys and refresh-token rotation with the AWS CLI, each flow a
// parallel subtest with a user of its own. It needs `aws` on PATH and is
// skipped without it.
func TestAWSCLIUserAuth(t *testing.T) {
	bin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws (AWS CLI) is not on PATH")
	}
	if testing.Short() {
		t.Skip("the AWS CLI takes seconds to start")
	}
	bin = unshim(bin)
	version := awsCLIVersion(t, bin)
	f := newPasswordlessFixture(t, func(c *Config) {
		c.Clients[1].RefreshTokenRotation = &RefreshTokenRotation{GracePeriod: 0}
	})
	cli := func(t *testing.T, args ...string) (map[string]any, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		args = append(args, "--region", testRegion, "--endpoint-url", f.url, "--output", "json")
		if strings.HasPrefix(version, "aws-cli/2") {
			args = append(args, "--no-cli-pager")
		}
		cmd := exec.CommandContext(ctx, bin, args...)
		dir := t.TempDir()
		cmd.Env = append(withoutAWSEnv(os.Environ()), "AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=local-secret",
			"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE="+filepath.Join(dir, "c"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "k"))
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		out := map[string]any{}
		if b := bytes.TrimSpace(stdout.Bytes()); err == nil && len(b) > 0 {
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatalf("aws %s: output is not JSON: %v\n%s", args[1], err, b)
			}
		}
		return out, stderr.String()
	}
	f.confirmedUser("cli.otp", "otp@example.com")
	f.confirmedUser("cli.passkey", "passkey@example.com")
	f.confirmedUser("cli.rotate", "rotate@example.com")

	t.Run("email code", func(t *testing.T) {
		t.Parallel()
		out, stderr := cli(t, "cognito-idp", "initiate-auth", "--client-id", publicID, "--auth-flow", "USER_AUTH",
			"--auth-parameters", "USERNAME=cli.otp")
		if out["ChallengeName"] != "SELECT_CHALLENGE" || js(out["AvailableChallenges"]) != `["PASSWORD","PASSWORD_SRP","EMAIL_OTP"]` {
			t.Fatalf("initiate-auth USER_AUTH = %v %s", out, stderr)
		}
		out, stderr = cli(t, "cognito-idp", "respond-to-auth-challenge", "--client-id", publicID, "--challenge-name", "SELECT_CHALLENGE",
			"--session", out["Session"].(string), "--challenge-responses", "USERNAME=cli.otp,ANSWER=EMAIL_OTP")
		params, _ := out["ChallengeParameters"].(map[string]any)
		if out["ChallengeName"] != "EMAIL_OTP" || params["CODE_DELIVERY_DESTINATION"] != "o***@e***" {
			t.Fatalf("respond-to-auth-challenge SELECT_CHALLENGE = %v %s", out, stderr)
		}
		code, _ := f.srv.Code("cli.otp")
		_, stderr = cli(t, "cognito-idp", "respond-to-auth-challenge", "--client-id", publicID, "--challenge-name", "EMAIL_OTP",
			"--session", out["Session"].(string), "--challenge-responses", "USERNAME=cli.otp,EMAIL_OTP_CODE="+wrongCode(code))
		if !strings.Contains(stderr, "(CodeMismatchException)") {
			t.Errorf("a wrong code: %s, want CodeMismatchException", stderr)
		}
		out, stderr = cli(t, "cognito-idp", "respond-to-auth-challenge", "--client-id", publicID, "--challenge-name", "EMAIL_OTP",
			"--session", out["Session"].(string), "--challenge-responses", "USERNAME=cli.otp,EMAIL_OTP_CODE="+code)
		res, _ := out["AuthenticationResult"].(map[string]any)
		if res["AccessToken"] == nil || res["RefreshToken"] == nil {
			t.Fatalf("respond-to-auth-challenge EMAIL_OTP = %v %s", out, stderr)
		}
		out, stderr = cli(t, "cognito-idp", "get-user-auth-factors", "--access-token", res["AccessToken"].(string))
		if out["Username"] != "cli.otp" || js(out["ConfiguredUserAuthFactors"]) != `["PASSWORD","EMAIL_OTP"]` {
			t.Errorf("get-user-auth-factors = %v %s", out, stderr)
		}
	})
	t.Run("passkeys", func(t *testing.T) {
		t.Parallel()
		access := *f.signIn("cli.passkey", goodPassword).AccessToken
		out, stderr := cli(t, "cognito-idp", "start-web-authn-registration", "--access-token", access)
		options, _ := out["CredentialCreationOptions"].(map[string]any)
		if options["challenge"] == nil || options["rp"] == nil {
			t.Fatalf("start-web-authn-registration = %v %s", out, stderr)
		}
		cred, _ := json.Marshal(newAuthenticator(t, testOrigin).create(options))
		if _, stderr := cli(t, "cognito-idp", "complete-web-authn-registration", "--access-token", access, "--credential", string(cred)); stderr != "" {
			t.Fatalf("complete-web-authn-registration: %s", stderr)
		}
		out, stderr = cli(t, "cognito-idp", "list-web-authn-credentials", "--access-token", access)
		list, _ := out["Credentials"].([]any)
		if len(list) != 1 {
			t.Fatalf("list-web-authn-credentials = %v %s", out, stderr)
		}
		first, _ := list[0].(map[string]any)
		if first["RelyingPartyId"] != "localhost" || first["FriendlyCredentialName"] == nil || first["CreatedAt"] == nil {
			t.Errorf("a listed credential = %v", first)
		}
		if _, stderr := cli(t, "cognito-idp", "delete-web-authn-credential", "--access-token", access, "--credential-id", first["CredentialId"].(string)); stderr != "" {
			t.Errorf("delete-web-authn-credential: %s", stderr)
		}
		_, stderr = cli(t, "cognito-idp", "complete-web-authn-registration", "--access-token", access, "--credential", string(cred))
		if !strings.Contains(stderr, "(WebAuthnChallengeNotFoundException)") {
			t.Errorf("a registration answered twice: %s, want WebAuthnChallengeNotFoundException", stderr)
		}
	})
	t.Run("rotation", func(t *testing.T) {
		t.Parallel()
		out, err := f.passwordAuth(secretID, "cli.rotate", goodPassword, "SECRET_HASH", SecretHash(secretID, clientSecret, "cli.rotate"))
		if err != nil {
			t.Fatal(err)
		}
		first := *out.AuthenticationResult.RefreshToken
		got, stderr := cli(t, "cognito-idp", "get-tokens-from-refresh-token", "--client-id", secretID, "--client-secret", clientSecret, "--refresh-token", first)
		res, _ := got["AuthenticationResult"].(map[string]any)
		if res["AccessToken"] == nil || res["RefreshToken"] == nil || res["RefreshToken"] == first {
			t.Fatalf("get-tokens-from-refresh-token = %v %s", got, stderr)
		}
		_, stderr = cli(t, "cognito-idp", "get-tokens-from-refresh-token", "--client-id", secretID, "--client-secret", clientSecret, "--refresh-token", first)
		if !strings.Contains(stderr, "(RefreshTokenReuseException)") {
			t.Errorf("the rotated-out token again (no grace period): %s, want RefreshTokenReuseException", stderr)
		}
	})
}

// js is v as JSON, for comparing decoded JSON.
func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
