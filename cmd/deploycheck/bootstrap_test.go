package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDeployRoleOf(t *testing.T) {
	manifest := filepath.Join(t.TempDir(), "manifest.json")
	err := os.WriteFile(manifest, []byte(`{"artifacts":{
		"portcullis-dev":{"type":"aws:cloudformation:stack","properties":{"assumeRoleArn":"arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-portdev-deploy-role-${AWS::AccountId}-${AWS::Region}"}},
		"portcullis-odd":{"type":"aws:cloudformation:stack","properties":{"assumeRoleArn":"arn:aws:iam::${Other}:role/x"}},
		"bare":{"type":"aws:cloudformation:stack","properties":{}},
		"tree":{"type":"cdk:tree"}}}`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	got, err := deployRoleOf(manifest, "portcullis-dev", "aws", "123456789012", "eu-west-1")
	if want := "arn:aws:iam::123456789012:role/cdk-portdev-deploy-role-123456789012-eu-west-1"; err != nil || got != want {
		t.Errorf("deployRoleOf = %q, %v; want %s", got, err, want)
	}
	for _, tt := range []struct{ stack, region, want string }{
		{"portcullis-prod", "eu-west-1", "no stack portcullis-prod"},
		{"tree", "eu-west-1", "no stack tree"},
		{"bare", "eu-west-1", "names no deploy role"},
		{"portcullis-odd", "eu-west-1", "cannot fill"},
		{"portcullis-dev", "", "no region"},
	} {
		if _, err := deployRoleOf(manifest, tt.stack, "aws", "123456789012", tt.region); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("deployRoleOf(%s, region %q) = %v, want an error with %q", tt.stack, tt.region, err, tt.want)
		}
	}
	if _, err := deployRoleOf(filepath.Join(t.TempDir(), "none.json"), "x", "aws", "1", "r"); err == nil || !strings.Contains(err.Error(), "run the synth first") {
		t.Errorf("missing manifest: %v", err)
	}
}
