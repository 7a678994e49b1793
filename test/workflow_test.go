package test

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

var workflowPath = filepath.Join("..", ".github", "workflows", "deploy.yml")

// pinned is an action reference by full commit SHA, which a moved tag
// cannot change under the workflow.
var pinned = regexp.MustCompile(`^[a-z0-9-]+/[a-z0-9._-]+@[0-9a-f]{40}$`)

func scopes(p *actionlint.Permissions) map[string]string {
	out := map[string]string{}
	if p == nil {
		return out
	}
	for _, s := range p.Scopes {
		out[s.Name.Value] = s.Value.Value
	}
	return out
}

// TestWorkflow: pull requests test; main tests, then deploys dev, then
// prod, each in its GitHub environment with an OIDC token (id-token: write
// on the deploy jobs only), through make deploy (which checks the deployed
// template first); every action pinned to a commit.
func TestWorkflow(t *testing.T) {
	raw, err := os.ReadFile(workflowPath)
	if err != nil {
		t.Fatal(err)
	}
	wf, errs := actionlint.Parse(raw)
	if len(errs) > 0 {
		t.Fatalf("%s: %v", workflowPath, errs)
	}
	var events []string
	for _, e := range wf.On {
		if w, ok := e.(*actionlint.WebhookEvent); ok {
			events = append(events, w.Hook.Value)
			if w.Hook.Value == "push" && (w.Branches == nil || len(w.Branches.Values) != 1 || w.Branches.Values[0].Value != "main") {
				t.Error("push must trigger on main only")
			}
		}
	}
	slices.Sort(events)
	if !slices.Equal(events, []string{"pull_request", "push"}) {
		t.Errorf("events %v, want pull_request and push", events)
	}
	if got := scopes(wf.Permissions); len(got) != 1 || got["contents"] != "read" {
		t.Errorf("workflow permissions %v, want contents: read only", got)
	}

	want := map[string]struct{ env, needs string }{
		"test": {"", ""}, "deploy-dev": {"dev", "test"}, "deploy-prod": {"prod", "deploy-dev"},
	}
	if len(wf.Jobs) != len(want) {
		t.Errorf("%d jobs, want %d", len(wf.Jobs), len(want))
	}
	for id, w := range want {
		job := wf.Jobs[id]
		if job == nil {
			t.Errorf("no job %s", id)
			continue
		}
		var needs []string
		for _, n := range job.Needs {
			needs = append(needs, n.Value)
		}
		if strings.Join(needs, ",") != w.needs {
			t.Errorf("%s needs %v, want %q", id, needs, w.needs)
		}
		env := ""
		if job.Environment != nil {
			env = job.Environment.Name.Value
		}
		if env != w.env {
			t.Errorf("%s runs in environment %q, want %q", id, env, w.env)
		}
		var uses, runs []string
		for _, st := range job.Steps {
			switch e := st.Exec.(type) {
			case *actionlint.ExecAction:
				uses = append(uses, e.Uses.Value)
				if !pinned.MatchString(e.Uses.Value) {
					t.Errorf("%s uses %s: pin a full commit SHA", id, e.Uses.Value)
				}
				if strings.HasPrefix(e.Uses.Value, "aws-actions/configure-aws-credentials@") {
					if in := e.Inputs["role-to-assume"]; in == nil || !strings.Contains(in.Value.Value, "vars.AWS_DEPLOY_ROLE_ARN") {
						t.Errorf("%s: configure-aws-credentials without role-to-assume from the environment", id)
					}
					if e.Inputs["aws-access-key-id"] != nil {
						t.Errorf("%s: stored AWS keys", id)
					}
				}
			case *actionlint.ExecRun:
				runs = append(runs, e.Run.Value)
			}
		}
		perms := scopes(job.Permissions)
		script := strings.Join(runs, "\n")
		if w.env == "" {
			if perms["id-token"] != "" || !strings.Contains(script, ".ci/run") {
				t.Errorf("%s: permissions %v, runs %q; want make test (.ci/run) without an OIDC token", id, perms, script)
			}
			continue
		}
		if perms["id-token"] != "write" {
			t.Errorf("%s: permissions %v, want id-token: write", id, perms)
		}
		if !slices.ContainsFunc(uses, func(u string) bool { return strings.HasPrefix(u, "aws-actions/configure-aws-credentials@") }) {
			t.Errorf("%s assumes no role", id)
		}
		if !strings.Contains(script, "make deploy STAGE=") || !strings.Contains(script, "CHECK_WITH_BOOTSTRAP_ROLE=1") {
			t.Errorf("%s runs %q, want make deploy, which checks the deployed template first through the stage's bootstrap role", id, script)
		}
	}
}

// TestActionlintCatchesErrors is the control for `make actionlint`: a
// workflow with an unknown expression context and a job needing a job that
// does not exist is refused.
func TestActionlintCatchesErrors(t *testing.T) {
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bad := "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    needs: nothing\n    steps:\n      - run: echo ${{ secret.TOKEN }}\n"
	errs, err := l.Lint("bad.yml", []byte(bad), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) < 2 {
		t.Errorf("actionlint found %v in a broken workflow, want both errors", errs)
	}
	raw, err := os.ReadFile(workflowPath)
	if err != nil {
		t.Fatal(err)
	}
	if errs, err := l.Lint(workflowPath, raw, nil); err != nil || len(errs) > 0 {
		t.Errorf("the workflow: %v %v", errs, err)
	}
}
