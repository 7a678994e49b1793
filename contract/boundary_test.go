package contract_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/portcullis-cdk/portcullis"

// TestImportDirection: the contract tree links nothing of the app and
// nothing of the library, and the handlers link the contract but not the
// library, the stage or the local stack (their tests may run the local
// emulators), so the arrows run one way: stage, lambdas, internal ->
// contract.
func TestImportDirection(t *testing.T) {
	for _, c := range []struct {
		pkgs    string
		allowed func(imp string) bool
	}{
		{module + "/contract/...", func(imp string) bool { return strings.HasPrefix(imp, module+"/contract") }},
		{module + "/lambdas/...", func(imp string) bool {
			return strings.HasPrefix(imp, module+"/contract") || strings.HasPrefix(imp, module+"/lambdas/")
		}},
	} {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", c.pkgs).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", c.pkgs, err, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			fields := strings.Fields(line)
			if !strings.HasPrefix(fields[0], strings.TrimSuffix(c.pkgs, "/...")) {
				continue
			}
			for _, imp := range fields[1:] {
				if strings.HasPrefix(imp, module+"/") && !c.allowed(imp) {
					t.Errorf("%s imports %s", fields[0], imp)
				}
			}
		}
	}
}
