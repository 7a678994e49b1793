package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/internal/testhelp/scratch"
)

// TestRename renames a scratch copy as docs/make-it-yours.md says: every
// import of the app resolves under the new module path (go list), none
// names the old one but the library's, and make dev synthesizes and runs
// the new project's stack.
func TestRename(t *testing.T) {
	if testing.Short() {
		t.Skip("copies the repository")
	}
	dir, _ := scratch.Copy(t)
	const from = "github.com/portcullis-cdk/portcullis"
	if err := rename(dir, names{Module: "example.com/myapp", Project: "myapp", Brand: "My App"}); err != nil {
		t.Fatal(err)
	}

	list := exec.Command("go", "list", "-deps", "-test", "./...")
	list.Dir = dir
	out, err := list.CombinedOutput()
	if err != nil {
		t.Fatalf("go list in the renamed copy: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "\nexample.com/myapp/contract/routes\n") || !strings.Contains(string(out), "\n"+from+"/constructs/auth\n") {
		t.Errorf("the renamed app does not link example.com/myapp/contract/routes and the library's %s/constructs/auth:\n%s", from, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, from) && !strings.HasPrefix(p, from+"/constructs") {
			t.Errorf("the renamed app still links %s", p)
		}
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (!strings.HasSuffix(p, ".go") && d.Name() != "go.mod") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if strings.HasPrefix(rel, "constructs/") || strings.HasPrefix(rel, "test/consumer/") {
			return nil
		}
		b, _ := os.ReadFile(p)
		if n := strings.Count(string(b), from) - strings.Count(string(b), from+"/constructs"); n > 0 {
			t.Errorf("%s names %s %d times", rel, from, n)
		}
		return nil
	})
	project, _ := os.ReadFile(filepath.Join(dir, "contract", "project.go"))
	if !strings.Contains(string(project), "\tProject = \"myapp\"\n") || !strings.Contains(string(project), "\tBrand = \"My App\"\n") {
		t.Errorf("contract/project.go:\n%s", project)
	}

	if ignore, _ := os.ReadFile(filepath.Join(dir, ".gitignore")); !strings.Contains(string(ignore), "\n/myapp\n") {
		t.Errorf(".gitignore does not ignore the renamed binary /myapp:\n%s", ignore)
	}

	if _, err := exec.LookPath("make"); err == nil {
		// -n prints the commands (npm ci included) without running them.
		mk := exec.Command("make", "-n", "-B", "-C", dir, "dev")
		for _, kv := range os.Environ() {
			// Not what a calling make (make test) passes down.
			if name, _, _ := strings.Cut(kv, "="); name != "MAKEFLAGS" && name != "MFLAGS" && name != "MAKELEVEL" && name != "STAGE" && name != "MFA" {
				mk.Env = append(mk.Env, kv)
			}
		}
		out, err := mk.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "cdk synth --quiet -c stage=dev myapp-dev\n") ||
			!strings.Contains(string(out), "-template cdk.out/myapp-dev.template.json") {
			t.Errorf("make dev in the renamed copy: %v\n%s", err, out)
		}
	}
}

func TestRenameRefusesBadNames(t *testing.T) {
	for _, tc := range []struct {
		names names
		want  string
	}{
		{names{Project: "My App", Brand: "x"}, `-project "My App": want 3-32 lower-case`},
		{names{Project: "myapp", Brand: ""}, `-brand "": want 1 to 40 characters`},
		{names{Project: "myapp", Brand: strings.Repeat("b", 41)}, `want 1 to 40 characters`},
		{names{Module: "Example.com/my app", Project: "myapp", Brand: "x"}, `-module "Example.com/my app": want a module path`},
	} {
		// Nothing is read or written before the names are checked.
		err := rename(t.TempDir(), tc.names)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("rename(%+v) = %v, want %q", tc.names, err, tc.want)
		}
	}
}
