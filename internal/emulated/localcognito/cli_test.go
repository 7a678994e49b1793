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
	f := newFixture(t, nil)
	version := awsCLIVersion(t, bin)

	aws := func(args ...string) map[string]any {
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
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		out := map[string]any{}
		if b := bytes.TrimSpace(stdout.Bytes()); len(b) > 0 {
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatalf("aws %s: output is not JSON: %v\n%s", args[1], err, b)
			}
		}
		return out
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
