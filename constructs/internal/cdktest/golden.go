package cdktest

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/stateful"
)

var (
	// Update rewrites golden files from what the tests produce now.
	Update = flag.Bool("update", false, "rewrite golden files (logical ids, the # Examples sections) from this run")
	// acceptReplacement records a change that replaces a stateful resource.
	acceptReplacement = flag.Bool("accept-replacement", false,
		"record logical ids even where that replaces or removes a stateful resource of a consumer's stack (data loss on deploy)")
)

// NewStack is a stack in a new app that records construct paths in the
// template, as `cdk synth` does, so logical ids can be traced to constructs.
func NewStack(id string) awscdk.Stack {
	app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{"aws:cdk:enable-path-metadata": true}})
	return awscdk.NewStack(app, jsii.String(id), nil)
}

// ids is a golden record of a stack: every resource's type by logical id,
// and the stateful resources with their immutable properties.
type ids struct {
	Resources map[string]string `json:"resources"`
	Stateful  stateful.Records  `json:"stateful"`
}

// CheckLogicalIDs fails t if stack's logical ids or stateful properties
// differ from the record in testdata/<name>.json: in a consumer's stack, a
// new logical id replaces the resource (a new, empty pool, table or bucket),
// so every change is a breaking change of the library. -update records
// added, removed or renamed stateless resources; a change that replaces or
// removes a stateful one also takes -accept-replacement.
func CheckLogicalIDs(t *testing.T, stack awscdk.Stack, name string) {
	t.Helper()
	file := filepath.Join("testdata", name+".json")
	raw, err := json.Marshal(assertions.Template_FromStack(stack, nil).ToJSON())
	if err != nil {
		t.Fatal(err)
	}
	now := ids{Resources: map[string]string{}}
	if now.Stateful, err = stateful.FromTemplate(raw); err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Resources map[string]struct{ Type string }
	}
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	for id, r := range tpl.Resources {
		now.Resources[id] = r.Type
	}
	var was ids
	if b, err := os.ReadFile(file); err == nil {
		if err := json.Unmarshal(b, &was); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if err := was.Stateful.Compact(); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	} else if !os.IsNotExist(err) {
		t.Fatal(err)
	}

	replaced := stateful.Compare(was.Stateful, now.Stateful)
	for _, c := range replaced {
		if !*acceptReplacement {
			t.Errorf("%s; in a consumer's stack that loses its data. Keep the logical id and immutable properties, or run "+
				"go test -run %s -accept-replacement and record it in CHANGELOG.md as a breaking change", c, t.Name())
		}
	}
	var changed []string
	for id, typ := range was.Resources {
		if now.Resources[id] != typ {
			changed = append(changed, id+" ("+typ+") is gone or changed type")
		}
	}
	for id, typ := range now.Resources {
		if _, ok := was.Resources[id]; !ok {
			changed = append(changed, id+" ("+typ+") is new")
		}
	}
	sort.Strings(changed)
	if len(changed) > 0 && !*Update && !*acceptReplacement {
		t.Errorf("logical ids differ from %s:\n  %s\nA changed logical id replaces the resource in every consumer's stack: "+
			"keep it, or run go test -run %s -update and record it in CHANGELOG.md as a breaking change",
			file, strings.Join(changed, "\n  "), t.Name())
	}
	if (*Update && len(replaced) == 0) || *acceptReplacement {
		out, err := json.MarshalIndent(now, "", "  ")
		if err == nil {
			err = os.MkdirAll(filepath.Dir(file), 0o755)
		}
		if err == nil {
			err = os.WriteFile(file, append(out, '\n'), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
