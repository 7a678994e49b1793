package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localcfn"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
	"github.com/portcullis-cdk/portcullis/internal/util/modroot"
)

// fakeCDK stands in for the CDK CLI: it records each call, and its synth
// writes the template the test chose into the --output directory.
const fakeCDK = `#!/usr/bin/env bash
set -eu
echo "$*" >> "$CDK_CALLS"
if [ "$1" = synth ]; then
  while [ $# -gt 0 ]; do
    if [ "$1" = --output ]; then mkdir -p "$2"; cp "$NEXT_TEMPLATE" "$2/portcullis-dev.template.json"; fi
    shift
  done
fi
`

// TestMakeDeploy runs `make deploy STAGE=dev` against a local CloudFormation
// stand-in holding the deployed template, with the CDK CLI replaced by a
// recorder: a replacing change must stop make before `cdk deploy`.
func TestMakeDeploy(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	root, err := modroot.Dir()
	if err != nil {
		t.Fatal(err)
	}
	deployed, err := os.ReadFile(filepath.Join(root, "test", "testdata", "portcullis-dev.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The same stage with the todos table's key renamed: a new, empty table.
	var tpl map[string]any
	if err := json.Unmarshal(deployed, &tpl); err != nil {
		t.Fatal(err)
	}
	table := tpl["Resources"].(map[string]any)["TodosTable8C34D814"].(map[string]any)["Properties"].(map[string]any)
	table["KeySchema"] = []any{map[string]any{"AttributeName": "user", "KeyType": "HASH"}}
	rekeyed, err := json.Marshal(tpl)
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name     string
		deployed map[string]string // stack templates the stand-in holds
		next     []byte
		accept   string
		refused  []string // substrings of make's output; nil when the deploy goes ahead
	}{
		{"key change refused", map[string]string{"portcullis-dev": string(deployed)}, rekeyed, "",
			[]string{"TodosTable8C34D814 (AWS::DynamoDB::Table at TodosTable/Table/Resource): KeySchema changes from", "ACCEPT_REPLACEMENT"}},
		{"key change accepted for the named table", map[string]string{"portcullis-dev": string(deployed)}, rekeyed, "TodosTable8C34D814", nil},
		{"another resource accepted", map[string]string{"portcullis-dev": string(deployed)}, rekeyed, "PhotosTable738026B2",
			[]string{`accepting the replacement of "PhotosTable738026B2"`}},
		{"unchanged", map[string]string{"portcullis-dev": string(deployed)}, deployed, "", nil},
		{"stack not deployed yet", nil, rekeyed, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			keys := &sigv4.Store{}
			keys.Put(sigv4.Credential{AccessKeyID: "AKIDLOCAL", SecretAccessKey: "local", Principal: sigv4.Principal{Admin: true}})
			cfn, err := localcfn.Start(c.deployed, "us-east-1", keys)
			if err != nil {
				t.Fatal(err)
			}
			defer cfn.Close()
			dir := t.TempDir()
			cdk, calls, next := filepath.Join(dir, "cdk"), filepath.Join(dir, "calls"), filepath.Join(dir, "next.json")
			if err := os.WriteFile(cdk, []byte(fakeCDK), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(next, c.next, 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"-C", root, "--no-print-directory", "deploy", "STAGE=dev", "CDK=" + cdk, "CDK_OUT=" + filepath.Join(dir, "out")}
			if c.accept != "" {
				args = append(args, "ACCEPT_REPLACEMENT="+c.accept)
			}
			cmd := exec.Command("make", args...)
			cmd.Env = append(os.Environ(),
				"CDK_CALLS="+calls, "NEXT_TEMPLATE="+next,
				"AWS_ENDPOINT_URL_CLOUDFORMATION="+cfn.URL, "AWS_REGION=us-east-1",
				"AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=local", "AWS_SESSION_TOKEN=",
				"AWS_PROFILE=", "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
				"AWS_EC2_METADATA_DISABLED=true")
			out, runErr := cmd.CombinedOutput()
			recorded, _ := os.ReadFile(calls)
			deployedByCDK := strings.Contains(string(recorded), "deploy --app "+filepath.Join(dir, "out")+" ")

			// The SDK may retry: on loopback the answer can arrive before its
			// transport has finished writing the request, and smithy-go then
			// closes the request body under it, which drops the connection.
			got := cfn.Calls()
			if len(got) == 0 {
				t.Errorf("no CloudFormation call\n%s", out)
			}
			for _, c := range got {
				if c != (localcfn.Call{Action: "GetTemplate", StackName: "portcullis-dev"}) {
					t.Errorf("CloudFormation call %v, want GetTemplate of portcullis-dev only", c)
				}
			}
			if c.refused == nil {
				if runErr != nil || !deployedByCDK {
					t.Fatalf("make deploy: %v, cdk calls:\n%s\noutput:\n%s", runErr, recorded, out)
				}
				return
			}
			if runErr == nil {
				t.Errorf("make deploy succeeded; want a refusal\n%s", out)
			}
			if deployedByCDK {
				t.Errorf("cdk deploy ran after the refusal; cdk calls:\n%s", recorded)
			}
			if !strings.HasPrefix(string(recorded), "synth ") {
				t.Errorf("cdk calls %q, want the synth the check reads", recorded)
			}
			for _, want := range c.refused {
				if !strings.Contains(string(out), want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}
