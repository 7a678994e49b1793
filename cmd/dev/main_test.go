package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/internal/stackinfo"
)

// TestMakeDevStage: `make dev STAGE=<name>` synthesizes that stage only
// and runs its template with its own state directory; without STAGE it
// runs dev's.
func TestMakeDevStage(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	for _, tc := range []struct {
		args       []string
		want       []string
		wantNoneOf string
	}{
		{[]string{"STAGE=prod"}, []string{
			"cdk synth --quiet -c stage=prod portcullis-prod\n",
			"go run ./cmd/dev -template cdk.out/portcullis-prod.template.json -state-dir .dev/state/prod -synth-stage prod",
		}, "stage=dev"},
		{nil, []string{
			"cdk synth --quiet -c stage=dev portcullis-dev\n",
			"go run ./cmd/dev -template cdk.out/portcullis-dev.template.json -state-dir .dev/state/dev -synth-stage dev",
		}, "stage=prod"},
	} {
		t.Run(strings.Join(append([]string{"make dev"}, tc.args...), " "), func(t *testing.T) {
			// -n prints the commands, -B as if the template were out of date.
			cmd := exec.Command("make", append([]string{"-n", "-B", "-C", "../..", "dev"}, tc.args...)...)
			cmd.Env = withoutMake(os.Environ())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v: %v\n%s", cmd.Args, err, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("commands lack %q:\n%s", w, out)
				}
			}
			if strings.Contains(string(out), tc.wantNoneOf) {
				t.Errorf("commands name %q:\n%s", tc.wantNoneOf, out)
			}
		})
	}
}

// withoutMake drops what a calling make (make test) or the shell would
// pass the make under test: its flags and a STAGE of its own.
func withoutMake(env []string) []string {
	var out []string
	for _, kv := range env {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "STAGE", "MFA":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// TestBanner names the stack it runs and what the stage uses that is not
// emulated.
func TestBanner(t *testing.T) {
	var b bytes.Buffer
	printInfo(&b, stackName("cdk.out/portcullis-prod.template.json"), stackinfo.Info{},
		[]string{"threat protection (UserPoolAddOns AdvancedSecurityMode ENFORCED): no check"}, ".dev/stack.json", 0)
	if !strings.HasPrefix(b.String(), "Portcullis portcullis-prod running locally") {
		t.Errorf("banner starts %q", strings.SplitN(b.String(), "\n", 2)[0])
	}
	if !strings.Contains(b.String(), "Not emulated locally (the stage uses them when deployed):\n  - threat protection") {
		t.Errorf("banner lacks what is not emulated:\n%s", b.String())
	}
	if strings.Contains(b.String(), "aws cognito-idp initiate-auth") {
		t.Errorf("a stage without a CLI client shows the CLI sign-in:\n%s", b.String())
	}
	b.Reset()
	printInfo(&b, "portcullis-dev", stackinfo.Info{CLIClientID: "cliclient1", SPAClientID: "spaclient1"}, nil, ".dev/stack.json", 0)
	if strings.Contains(b.String(), "Not emulated") {
		t.Errorf("a stage with nothing to name says:\n%s", b.String())
	}
	// The sign-in shown must work deployed: through the CLI client, whose
	// flow the SPA client does not allow.
	if !strings.Contains(b.String(), "--client-id cliclient1 \\\n    --auth-flow USER_PASSWORD_AUTH") {
		t.Errorf("the CLI sign-in does not use the CLI client:\n%s", b.String())
	}
}
