package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/constructs/cicd"
	"github.com/portcullis-cdk/portcullis/internal/devstack"
	"github.com/portcullis-cdk/portcullis/internal/protocol/iam"
	"github.com/portcullis-cdk/portcullis/stage"
)

const (
	ghRepo    = "acme/portcullis-app"
	ghAccount = "111111111111"
	ghRegion  = "eu-west-1"
)

// githubStack synthesizes the stack of `make github-oidc` for ghRepo (cdk-nag
// and the validator find nothing) and returns its template.
func githubStack(t *testing.T) template {
	t.Helper()
	dir := t.TempDir()
	app, err := newApp(dir)
	if err != nil {
		t.Fatal(err)
	}
	roles, err := stage.NewGitHub(app, "portcullis", ghRepo)
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) != len(stage.Stages()) {
		t.Fatalf("roles for %d stages, want one per stage (%d)", len(roles), len(stage.Stages()))
	}
	app.Synth(nil) // panics on a cdk-nag or validator finding
	if got, err := findings(dir); err != nil || len(got) > 0 {
		t.Fatalf("findings %v (%v)", got, err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, stage.GitHubStackName("portcullis", "")+".template.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tpl template
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	return tpl
}

// TestGitHubDeployRoles: the stack of `make github-oidc` has GitHub's OIDC
// provider and one role per stage, which only the repository's jobs in that
// stage's environment may assume, for at most an hour, and which may only
// assume that stage's CDK bootstrap roles.
func TestGitHubDeployRoles(t *testing.T) {
	tpl := githubStack(t)
	providers := tpl.ofType("AWS::IAM::OIDCProvider")
	if len(providers) != 1 {
		t.Fatalf("OIDC providers %v, want one", providers)
	}
	p := tpl.Resources[providers[0]].Properties
	if p["Url"] != "https://token.actions.githubusercontent.com" || js(p["ClientIdList"]) != `["sts.amazonaws.com"]` {
		t.Errorf("provider %s", js(p))
	}
	for _, c := range stage.Stages() {
		id, r := tpl.at(t, roleConstruct(c.Name))
		props := r.Properties
		trust := asList(prop(props, "AssumeRolePolicyDocument", "Statement"))
		if len(trust) != 1 || js(prop(trust[0], "Principal", "Federated")) != js(map[string]any{"Ref": providers[0]}) {
			t.Errorf("%s trust %s, want one statement, web identity from the provider", c.Name, js(trust))
		}
		want := fmt.Sprintf(`{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:%s:environment:%s"}}`, ghRepo, c.Name)
		if cond := js(prop(trust[0], "Condition")); cond != want {
			t.Errorf("%s trust condition %s, want %s", c.Name, cond, want)
		}
		if props["ManagedPolicyArns"] != nil || props["MaxSessionDuration"] != 3600.0 {
			t.Errorf("%s: managed policies %v, session %v; want none and 1 hour", c.Name, props["ManagedPolicyArns"], props["MaxSessionDuration"])
		}
		if out, ok := tpl.Outputs[stage.DeployRoleOutput(c.Name)]; !ok || js(out.Value) != js(map[string]any{"Fn::GetAtt": []any{id, "Arn"}}) {
			t.Errorf("output %s = %v, want the %s role's ARN", stage.DeployRoleOutput(c.Name), out.Value, c.Name)
		}
	}
	if len(tpl.ofType("AWS::IAM::Role")) != len(stage.Stages()) || len(tpl.Outputs) != len(stage.Stages()) {
		t.Errorf("roles %v, outputs %v; want one of each per stage", tpl.ofType("AWS::IAM::Role"), tpl.Outputs)
	}
}

// deployRole is a stage's deploy role as the IAM evaluator reads it.
type deployRole struct {
	arn            string
	trust, actions iam.Policy
}

// deployRoles resolves each stage's role's trust and inline policies for an
// account and region.
func deployRoles(t *testing.T, tpl template) map[string]deployRole {
	t.Helper()
	provider := tpl.ofType("AWS::IAM::OIDCProvider")[0]
	names := devstack.Names{Region: ghRegion, AccountID: ghAccount, Refs: map[string]string{
		provider: providerARN,
	}}
	out := map[string]deployRole{}
	for _, c := range stage.Stages() {
		id, r := tpl.at(t, roleConstruct(c.Name))
		docs := []devstack.RolePolicy{{Name: id + " trust", Document: mustJSON(t, r.Properties["AssumeRolePolicyDocument"])}}
		for _, p := range asList(r.Properties["Policies"]) {
			docs = append(docs, devstack.RolePolicy{Name: id + " " + prop(p, "PolicyName").(string), Document: mustJSON(t, prop(p, "PolicyDocument"))})
		}
		policies, err := names.Policies(docs)
		if err != nil || len(policies) != 2 {
			t.Fatalf("%s policies %v (%v), want the trust and one inline policy", c.Name, policies, err)
		}
		out[c.Name] = deployRole{arn: "arn:aws:iam::" + ghAccount + ":role/" + id, trust: policies[0], actions: policies[1]}
	}
	return out
}

// roleConstruct is the construct path of a stage's deploy role.
func roleConstruct(stageName string) string {
	return strings.ToUpper(stageName[:1]) + stageName[1:] + "Deploy/Role/Resource"
}

const providerARN = "arn:aws:iam::" + ghAccount + ":oidc-provider/token.actions.githubusercontent.com"

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestDeployRolesAreIsolated evaluates the synthesized policies: a GitHub
// token of one environment (or of none) cannot assume another stage's role,
// and a stage's role cannot assume another stage's bootstrap roles, nor
// the account's default bootstrap.
func TestDeployRolesAreIsolated(t *testing.T) {
	roles := deployRoles(t, githubStack(t))
	token := func(sub string) iam.Request {
		return iam.Request{
			Action:    "sts:AssumeRoleWithWebIdentity",
			Principal: iam.Principal{Type: "Federated", ID: providerARN},
			Context: map[string][]string{
				cicd.GitHubIssuer + ":aud": {cicd.Audience},
				cicd.GitHubIssuer + ":sub": {sub},
			},
		}
	}
	bootstrap := func(qualifier, kind string) string {
		return fmt.Sprintf("arn:aws:iam::%s:role/cdk-%s-%s-%s-%s", ghAccount, qualifier, kind, ghAccount, ghRegion)
	}
	for _, c := range stage.Stages() {
		role := roles[c.Name]
		for _, other := range stage.Stages() {
			req := token(cicd.Subject(ghRepo, other.Name))
			req.Resource = role.arn
			if got := iam.Evaluate(req, role.trust).Allowed(); got != (other.Name == c.Name) {
				t.Errorf("a token of environment %s assumes the %s role: %v (%s)", other.Name, c.Name, got, iam.Evaluate(req, role.trust).Reason)
			}
			for _, kind := range cicd.BootstrapRoles {
				req := iam.Request{Action: "sts:AssumeRole", Resource: bootstrap(other.Qualifier(), kind)}
				if got := iam.Evaluate(req, role.actions).Allowed(); got != (other.Name == c.Name) {
					t.Errorf("the %s role assumes %s: %v", c.Name, req.Resource, got)
				}
			}
		}
		for _, sub := range []string{
			"repo:" + ghRepo + ":ref:refs/heads/main",
			"repo:" + ghRepo + ":pull_request",
			"repo:acme/fork:environment:" + c.Name,
		} {
			req := token(sub)
			req.Resource = role.arn
			if iam.Evaluate(req, role.trust).Allowed() {
				t.Errorf("a token with sub %s assumes the %s role", sub, c.Name)
			}
		}
		req := iam.Request{Action: "sts:AssumeRole", Resource: bootstrap(stage.DefaultBootstrapQualifier, "deploy-role")}
		if iam.Evaluate(req, role.actions).Allowed() {
			t.Errorf("the %s role assumes the account's default bootstrap deploy role", c.Name)
		}
		for _, action := range []string{"iam:PassRole", "cloudformation:CreateStack", "s3:PutObject", "sts:AssumeRoleWithWebIdentity"} {
			if iam.Evaluate(iam.Request{Action: action, Resource: "*"}, role.actions).Allowed() {
				t.Errorf("the %s role may %s", c.Name, action)
			}
		}
	}
}

// TestStagesAreIsolated: stages that share an account need their own
// bootstrap qualifiers; the GitHub stacks refuse otherwise.
func TestStagesAreIsolated(t *testing.T) {
	if err := stage.CheckIsolated(stage.Stages()); err != nil {
		t.Fatalf("the known stages: %v", err)
	}
	dev, prod := stage.Stages()[0], stage.Stages()[1]
	for _, tt := range []struct {
		name      string
		dev, prod func(*stage.Config)
		want      string
	}{
		{"one qualifier in one account", func(c *stage.Config) { c.BootstrapQualifier = "" }, func(c *stage.Config) { c.BootstrapQualifier = "" }, `BootstrapQualifier "hnb659fds" in the same account`},
		{"one qualifier in one named account", func(c *stage.Config) { c.Account = ghAccount; c.BootstrapQualifier = "x" }, func(c *stage.Config) { c.Account = ghAccount; c.BootstrapQualifier = "x" }, `BootstrapQualifier "x"`},
		{"one stage pinned", func(c *stage.Config) {}, func(c *stage.Config) { c.Account = ghAccount }, "1 of 2 stages name an Account"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, p := dev, prod
			tt.dev(&d)
			tt.prod(&p)
			if err := stage.CheckIsolated([]stage.Config{d, p}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CheckIsolated = %v, want %q", err, tt.want)
			}
		})
	}
	d, p := dev, prod
	d.Account, d.BootstrapQualifier = ghAccount, ""
	p.Account, p.BootstrapQualifier = "222222222222", ""
	if err := stage.CheckIsolated([]stage.Config{d, p}); err != nil {
		t.Errorf("one default qualifier in each of two accounts: %v", err)
	}
}

func TestGitHubDeployRolePropsRefused(t *testing.T) {
	for _, p := range []cicd.GitHubDeployRoleProps{
		{Repository: "portcullis", Environment: "dev"},
		{Repository: "acme/app"},
		{Repository: "acme/app", Environment: "dev:*"},
		{Repository: "acme/app", Environment: "dev", BootstrapQualifier: "far-too-long-qualifier"},
		{Repository: "acme/app", Environment: "dev", BootstrapRegion: "Europe"},
	} {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v validated", p)
		}
	}
}
