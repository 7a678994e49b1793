package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/internal/util/cdkapp"
	"github.com/portcullis-cdk/portcullis/stage"
)

func TestMain(m *testing.M) {
	code := m.Run()
	cdkapp.Close()
	os.Exit(code)
}

// TestDeployGuardStopsTheApp runs the app as `make deploy STAGE=prod` has
// the CLI run it (context stage=prod, deploy=true): with prod's shipped
// placeholders it fails naming the fields before anything is synthesized,
// so the CLI never reaches CloudFormation.
func TestDeployGuardStopsTheApp(t *testing.T) {
	out := t.TempDir()
	err := run(&awscdk.AppProps{
		Outdir:  jsii.String(out),
		Context: &map[string]any{"stage": "prod", stage.DeployContext: "true"},
	})
	if err == nil {
		t.Fatal("the app synthesized prod for a deployment with placeholder URLs and sender")
	}
	for _, field := range []string{"CallbackURLs", "LogoutURLs", "Email.From", "Email.VerifiedIdentity"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("error %q does not name %s", err, field)
		}
	}
	if tpl, _ := filepath.Glob(filepath.Join(out, "*.template.json")); len(tpl) > 0 {
		t.Errorf("templates written despite the refusal: %v", tpl)
	}
}
