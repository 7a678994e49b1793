package localcognito

import (
	"encoding/json"
	"testing"

	"github.com/portcullis-cdk/portcullis/internal/testhelp/awscli"
)

// TestAWSCLIUserAuth checks the API shapes of choice-based sign-in,
// passkeys and refresh-token rotation with the AWS CLI, each flow a
// parallel subtest with a user of its own. It needs `aws` on PATH and is
// skipped without it.
func TestAWSCLIUserAuth(t *testing.T) {
	if testing.Short() {
		t.Skip("the AWS CLI takes seconds to start")
	}
	f := newPasswordlessFixture(t, func(c *Config) {
		c.Clients[1].RefreshTokenRotation = &RefreshTokenRotation{GracePeriod: 0}
	})
	c := &awsCLI{awscli.Find(t, f.url, testRegion, testAccessKeyID, testSecretKey)}
	f.confirmedUser("cli.otp", "otp@example.com")
	f.confirmedUser("cli.passkey", "passkey@example.com")
	f.confirmedUser("cli.rotate", "rotate@example.com")

	t.Run("email code", func(t *testing.T) {
		t.Parallel()
		out := c.OK(t, "cognito-idp", "initiate-auth", "--client-id", publicID, "--auth-flow", "USER_AUTH",
			"--auth-parameters", "USERNAME=cli.otp")
		if out["ChallengeName"] != "SELECT_CHALLENGE" || js(out["AvailableChallenges"]) != `["PASSWORD","PASSWORD_SRP","EMAIL_OTP"]` {
			t.Fatalf("initiate-auth USER_AUTH = %v", out)
		}
		out = c.OK(t, "cognito-idp", "respond-to-auth-challenge", "--client-id", publicID, "--challenge-name", "SELECT_CHALLENGE",
			"--session="+out["Session"].(string), "--challenge-responses", "USERNAME=cli.otp,ANSWER=EMAIL_OTP")
		params, _ := out["ChallengeParameters"].(map[string]any)
		if out["ChallengeName"] != "EMAIL_OTP" || params["CODE_DELIVERY_DESTINATION"] != "o***@e***" {
			t.Fatalf("respond-to-auth-challenge SELECT_CHALLENGE = %v", out)
		}
		code, _ := f.srv.Code("cli.otp")
		c.Refused(t, "CodeMismatchException", "Invalid code", "cognito-idp", "respond-to-auth-challenge", "--client-id", publicID,
			"--challenge-name", "EMAIL_OTP", "--session="+out["Session"].(string), "--challenge-responses", "USERNAME=cli.otp,EMAIL_OTP_CODE="+wrongCode(code))
		out = c.OK(t, "cognito-idp", "respond-to-auth-challenge", "--client-id", publicID, "--challenge-name", "EMAIL_OTP",
			"--session="+out["Session"].(string), "--challenge-responses", "USERNAME=cli.otp,EMAIL_OTP_CODE="+code)
		res, _ := out["AuthenticationResult"].(map[string]any)
		if res["AccessToken"] == nil || res["RefreshToken"] == nil {
			t.Fatalf("respond-to-auth-challenge EMAIL_OTP = %v", out)
		}
		out = c.OK(t, "cognito-idp", "get-user-auth-factors", "--access-token", res["AccessToken"].(string))
		if out["Username"] != "cli.otp" || js(out["ConfiguredUserAuthFactors"]) != `["PASSWORD","EMAIL_OTP"]` {
			t.Errorf("get-user-auth-factors = %v", out)
		}
	})
	t.Run("passkeys", func(t *testing.T) {
		t.Parallel()
		access := *f.signIn("cli.passkey", goodPassword).AccessToken
		out := c.OK(t, "cognito-idp", "start-web-authn-registration", "--access-token", access)
		options, _ := out["CredentialCreationOptions"].(map[string]any)
		if options["challenge"] == nil || options["rp"] == nil {
			t.Fatalf("start-web-authn-registration = %v", out)
		}
		cred, _ := json.Marshal(newAuthenticator(t, testOrigin).create(options))
		c.OK(t, "cognito-idp", "complete-web-authn-registration", "--access-token", access, "--credential", string(cred))
		out = c.OK(t, "cognito-idp", "list-web-authn-credentials", "--access-token", access)
		list, _ := out["Credentials"].([]any)
		if len(list) != 1 {
			t.Fatalf("list-web-authn-credentials = %v", out)
		}
		first, _ := list[0].(map[string]any)
		if first["RelyingPartyId"] != "localhost" || first["FriendlyCredentialName"] == nil || first["CreatedAt"] == nil {
			t.Errorf("a listed credential = %v", first)
		}
		c.OK(t, "cognito-idp", "delete-web-authn-credential", "--access-token", access, "--credential-id="+first["CredentialId"].(string))
		// A registration answered twice.
		c.Refused(t, "WebAuthnChallengeNotFoundException", "", "cognito-idp", "complete-web-authn-registration", "--access-token", access, "--credential", string(cred))
	})
	t.Run("rotation", func(t *testing.T) {
		t.Parallel()
		out, err := f.passwordAuth(secretID, "cli.rotate", goodPassword, "SECRET_HASH", SecretHash(secretID, clientSecret, "cli.rotate"))
		if err != nil {
			t.Fatal(err)
		}
		first := *out.AuthenticationResult.RefreshToken
		got := c.OK(t, "cognito-idp", "get-tokens-from-refresh-token", "--client-id", secretID, "--client-secret", clientSecret, "--refresh-token="+first)
		res, _ := got["AuthenticationResult"].(map[string]any)
		if res["AccessToken"] == nil || res["RefreshToken"] == nil || res["RefreshToken"] == first {
			t.Fatalf("get-tokens-from-refresh-token = %v", got)
		}
		// The rotated-out token again, with no grace period.
		c.Refused(t, "RefreshTokenReuseException", "", "cognito-idp", "get-tokens-from-refresh-token", "--client-id", secretID, "--client-secret", clientSecret, "--refresh-token="+first)
	})
}

// js is v as JSON, for comparing decoded JSON.
func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
