package devstack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCLISignInWithAWSCLI replays the CLI sign-in flow with the AWS CLI against the local
// stack: sign-up, admin-confirm-sign-up, initiate-auth, the
// NEW_PASSWORD_REQUIRED challenge of an admin-created user, then a call to
// the API with the access token. It needs `aws` on PATH (.ci/run installs
// Debian's awscli where it is missing).
func TestCLISignInWithAWSCLI(t *testing.T) {
	bin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws (AWS CLI) is not on PATH")
	}
	s, err := Start(context.Background(), Options{Template: golden})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	home := t.TempDir()
	// run runs the CLI; aws fails the test on an error.
	run := func(args ...string) (map[string]any, string, error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		args = append(args, "--region", s.Info.Region, "--endpoint-url", s.Info.CognitoEndpoint, "--output", "json")
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append(withoutAWS(os.Environ()),
			"AWS_ACCESS_KEY_ID="+s.Info.AdminAccessKeyID, "AWS_SECRET_ACCESS_KEY="+s.Info.AdminSecretAccessKey,
			"AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true",
			"AWS_CONFIG_FILE="+filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"))
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return nil, stderr.String(), err
		}
		out := map[string]any{}
		if b := bytes.TrimSpace(stdout.Bytes()); len(b) > 0 {
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatalf("aws %s: %v\n%s", args[1], err, b)
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
	client, pool := s.Info.SPAClientID, s.Info.UserPoolID
	const password, temporary, renewed = "Cli-flow-password1!", "Temporary-001-pw!", "Renewed-001-password!"

	aws("cognito-idp", "sign-up", "--client-id", client, "--username", "xyz.abc@efg.com", "--password", password,
		"--user-attributes", "Name=email,Value=xyz.abc@efg.com")
	aws("cognito-idp", "admin-confirm-sign-up", "--user-pool-id", pool, "--username", "xyz.abc@efg.com")

	// The phone-number sign-up walkthrough: a job title in
	// custom:role_name, which users write (it authorizes nothing), and a
	// number with one of the stage's allowed calling codes (+61); another
	// country's is refused by the pre sign-up trigger.
	aws("cognito-idp", "sign-up", "--client-id", client, "--username", "+61400000000", "--password", password,
		"--user-attributes", "Name=name,Value=Oliver Schenk", "Name=custom:company,Value=ACME", "Name=custom:role_name,Value=Inventor")
	user := aws("cognito-idp", "admin-get-user", "--user-pool-id", pool, "--username", "+61400000000")
	if !strings.Contains(fmt.Sprint(user["UserAttributes"]), "custom:role_name Value:Inventor") {
		t.Errorf("the phone sign-up's attributes %v lack custom:role_name Inventor", user["UserAttributes"])
	}
	if _, stderr, err := run("cognito-idp", "sign-up", "--client-id", client, "--username", "+447700900123", "--password", password); err == nil ||
		!strings.Contains(stderr, "UserLambdaValidationException") || !strings.Contains(stderr, "+1 or +61") {
		t.Errorf("sign-up with a +44 number: %v %s, want the pre sign-up trigger's refusal naming +1 or +61", err, stderr)
	}
	auth := aws("cognito-idp", "initiate-auth", "--client-id", client, "--auth-flow", "USER_PASSWORD_AUTH",
		"--auth-parameters", "USERNAME=xyz.abc@efg.com,PASSWORD="+password)
	access, _ := auth["AuthenticationResult"].(map[string]any)["AccessToken"].(string)

	aws("cognito-idp", "admin-create-user", "--user-pool-id", pool, "--username", "new.user@efg.com",
		"--temporary-password", temporary, "--message-action", "SUPPRESS")
	challenge := aws("cognito-idp", "initiate-auth", "--client-id", client, "--auth-flow", "USER_PASSWORD_AUTH",
		"--auth-parameters", "USERNAME=new.user@efg.com,PASSWORD="+temporary)
	if challenge["ChallengeName"] != "NEW_PASSWORD_REQUIRED" {
		t.Fatalf("initiate-auth for an admin-created user = %v, want NEW_PASSWORD_REQUIRED", challenge)
	}
	userID, _ := challenge["ChallengeParameters"].(map[string]any)["USER_ID_FOR_SRP"].(string)
	// --session=<value> is one argument, so a session that starts with
	// "-" is not taken for an option.
	done := aws("cognito-idp", "respond-to-auth-challenge", "--client-id", client, "--challenge-name", "NEW_PASSWORD_REQUIRED",
		"--challenge-responses", "USERNAME="+userID+",NEW_PASSWORD="+renewed, "--session="+challenge["Session"].(string))
	newAccess, _ := done["AuthenticationResult"].(map[string]any)["AccessToken"].(string)

	for _, token := range []string{access, newAccess} {
		req, _ := http.NewRequest("GET", s.Info.APIURL+"/random", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET /random with the CLI's access token: %d", resp.StatusCode)
		}
	}
}

// withoutAWS drops the caller's AWS settings (profile, region, keys), so
// the CLI talks to the local stack with its credentials only.
func withoutAWS(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "AWS_") {
			out = append(out, kv)
		}
	}
	return out
}
