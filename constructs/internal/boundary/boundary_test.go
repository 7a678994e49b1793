package boundary

import (
	"os/exec"
	"strings"
	"testing"
)

// forbidden are the import path prefixes the library must not link: the app
// (its contract, internal and lambdas packages) and cdk-nag, which importers
// take only if they run it themselves.
var forbidden = []string{
	"github.com/portcullis-cdk/portcullis/contract",
	"github.com/portcullis-cdk/portcullis/internal/",
	"github.com/portcullis-cdk/portcullis/lambdas/",
	"github.com/portcullis-cdk/portcullis/stage",
	"github.com/cdklabs/cdk-nag-go/",
}

func TestLibraryLinksNothingOfTheApp(t *testing.T) {
	// Run from this package's directory, go list resolves ./... in the
	// library's module; -test adds what its tests and examples link.
	out, err := exec.Command("go", "list", "-deps", "-test", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}",
		"github.com/portcullis-cdk/portcullis/constructs/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		for _, imp := range fields[1:] {
			for _, f := range forbidden {
				if strings.HasPrefix(imp, f) {
					t.Errorf("%s imports %s", fields[0], imp)
				}
			}
		}
	}
}
