package devstack

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/internal/testhelp/awscli"
)

// TestCLISignInWithAWSCLI replays the CLI sign-in flow with the AWS CLI against the local
// stack: sign-up, admin-confirm-sign-up, initiate-auth, the
// NEW_PASSWORD_REQUIRED challenge of an admin-created user, then a call to
// the API with the access token. It needs `aws` on PATH (.ci/run installs
// Debian's awscli where it is missing).
func TestCLISignInWithAWSCLI(t *testing.T) {
	cli := awscli.Find(t, "", "", "", "")
	s, err := Start(context.Background(), Options{Template: golden})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cli.Endpoint, cli.Region = s.Info.CognitoEndpoint, s.Info.Region
	cli.AccessKeyID, cli.SecretAccessKey = s.Info.AdminAccessKeyID, s.Info.AdminSecretAccessKey
	run := func(args ...string) (map[string]any, string, error) { t.Helper(); return cli.Run(t, args...) }
	aws := func(args ...string) map[string]any { t.Helper(); return cli.OK(t, args...) }
	client, pool := s.Info.CLIClientID, s.Info.UserPoolID
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
