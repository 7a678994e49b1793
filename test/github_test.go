package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/constructs/cicd"
	"github.com/portcullis-cdk/portcullis/stage"
)

// TestGitHubDeployRole: the stack of `make github-oidc` has GitHub's OIDC
// provider and a role that only the repository's jobs in the stages'
// environments may assume, and that may only assume the CDK bootstrap
// roles; cdk-nag and the validator find nothing.
func TestGitHubDeployRole(t *testing.T) {
	dir := t.TempDir()
	app, err := newApp(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stage.NewGitHub(app, "portcullis", "acme/portcullis-app"); err != nil {
		t.Fatal(err)
	}
	app.Synth(nil) // panics on a cdk-nag or validator finding
	if got, err := findings(dir); err != nil || len(got) > 0 {
		t.Fatalf("findings %v (%v)", got, err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, stage.GitHubStackName("portcullis")+".template.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tpl template
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	providers := tpl.ofType("AWS::IAM::OIDCProvider")
	if len(providers) != 1 {
		t.Fatalf("OIDC providers %v, want one", providers)
	}
	p := tpl.Resources[providers[0]].Properties
	if p["Url"] != "https://token.actions.githubusercontent.com" || js(p["ClientIdList"]) != `["sts.amazonaws.com"]` {
		t.Errorf("provider %s", js(p))
	}
	roles := tpl.ofType("AWS::IAM::Role")
	if len(roles) != 1 {
		t.Fatalf("roles %v, want one", roles)
	}
	r := tpl.Resources[roles[0]].Properties
	trust := asList(prop(r, "AssumeRolePolicyDocument", "Statement"))
	if len(trust) != 1 {
		t.Fatalf("trust %s, want one statement", js(trust))
	}
	if prop(trust[0], "Action") != "sts:AssumeRoleWithWebIdentity" || js(prop(trust[0], "Principal", "Federated")) != js(map[string]any{"Ref": providers[0]}) {
		t.Errorf("trust %s, want web identity from the provider", js(trust[0]))
	}
	cond := js(prop(trust[0], "Condition"))
	if cond != `{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":["repo:acme/portcullis-app:environment:dev","repo:acme/portcullis-app:environment:prod"]}}` {
		t.Errorf("trust condition %s, want the audience and the repository's dev and prod environments", cond)
	}
	if r["ManagedPolicyArns"] != nil || r["MaxSessionDuration"] != 3600.0 {
		t.Errorf("managed policies %v, session %v; want none and 1 hour", r["ManagedPolicyArns"], r["MaxSessionDuration"])
	}
	policies := asList(r["Policies"])
	if len(policies) != 1 {
		t.Fatalf("policies %s, want one", js(policies))
	}
	stmts := asList(prop(policies[0], "PolicyDocument", "Statement"))
	if len(stmts) != 1 || prop(stmts[0], "Action") != "sts:AssumeRole" || prop(stmts[0], "Effect") != "Allow" {
		t.Fatalf("statements %s, want sts:AssumeRole only", js(stmts))
	}
	resources := asList(prop(stmts[0], "Resource"))
	if len(resources) != len(cicd.BootstrapRoles) {
		t.Errorf("assumable roles %s", js(resources))
	}
	for i, kind := range cicd.BootstrapRoles {
		want := "role/cdk-hnb659fds-" + kind + "-${AWS::AccountId}-${AWS::Region}"
		if i < len(resources) && !strings.HasSuffix(js(prop(resources[i], "Fn::Sub")), want+`"`) {
			t.Errorf("assumable role %s, want %s", js(resources[i]), want)
		}
	}
	if len(tpl.Outputs) != 1 {
		t.Errorf("outputs %v, want the role's ARN", tpl.Outputs)
	}
}

func TestGitHubDeployRolePropsRefused(t *testing.T) {
	for _, p := range []cicd.GitHubDeployRoleProps{
		{Repository: "portcullis", Environments: []string{"dev"}},
		{Repository: "acme/app"},
		{Repository: "acme/app", Environments: []string{"dev:*"}},
		{Repository: "acme/app", Environments: []string{"dev"}, BootstrapQualifier: "far-too-long-qualifier"},
	} {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v validated", p)
		}
	}
}
