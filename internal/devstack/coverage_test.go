package devstack

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/internal/cfn"
)

var update = flag.Bool("update", false, "rewrite the not-emulated table in docs/local-stack.md from notemulated.go")

// TestTemplateCoverage: every property of every resource of both stages'
// templates is read by the local stack while it reads the plan (internal/cfn
// records each path a service decodes) or is covered by a row of the table
// of what is not emulated (gaps), so a template feature added to a stage
// cannot diverge locally without a reason; and every row covers a property
// of the templates that is not read, so the table cannot go stale.
func TestTemplateCoverage(t *testing.T) {
	type use struct{ typ, path string }
	var used []use
	read := map[string]bool{} // "type path" of each leaf read
	for _, path := range []string{golden, prodGolden} {
		tpl, err := cfn.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := readPlan(*tpl); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for typ, paths := range tpl.Properties() {
			for _, p := range paths {
				used = append(used, use{typ, p})
				if tpl.Reads().Covers(typ, p) {
					read[typ+" "+p] = true
				}
			}
		}
	}
	covers := func(g gap, u use) bool {
		return (g.Type == "*" || g.Type == u.typ) && cfn.Covers(g.Property, u.path)
	}
	coveredBy := make([]int, len(gaps)) // unread properties each row covers
	for _, u := range used {
		if read[u.typ+" "+u.path] {
			continue
		}
		covered := false
		for i, g := range gaps {
			if covers(g, u) {
				coveredBy[i]++
				covered = true
			}
		}
		if !covered {
			t.Errorf("%s %s is neither read by the local stack nor in the table of what it does not emulate: read it (internal/devstack) or add a row with the reason to gaps (notemulated.go)", u.typ, u.path)
		}
	}
	for i, g := range gaps {
		switch {
		case g.Reason == "":
			t.Errorf("row %s %q: no reason", g.Type, g.Property)
		case coveredBy[i] == 0 && g.AddedBy == "":
			t.Errorf("row %s %q covers no property of the stages' templates that the local stack does not read: remove it, or say in AddedBy what adds it", g.Type, g.Property)
		case coveredBy[i] > 0 && g.AddedBy != "":
			t.Errorf("row %s %q is in the stages' templates now: drop its AddedBy", g.Type, g.Property)
		}
	}
}

// TestNotEmulatedDoc: docs/local-stack.md shows the table as gaps holds it
// (-update rewrites it).
func TestNotEmulatedDoc(t *testing.T) {
	const (
		begin = "<!-- not-emulated: generated from internal/devstack/notemulated.go; go test ./internal/devstack -run TestNotEmulatedDoc -update -->\n"
		end   = "<!-- end not-emulated -->\n"
	)
	path := filepath.Join("..", "..", "docs", "local-stack.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	head, rest, ok1 := strings.Cut(doc, begin)
	old, tail, ok2 := strings.Cut(rest, end)
	if !ok1 || !ok2 {
		t.Fatalf("%s has no section between %q and %q", path, begin, end)
	}
	want := gapsTable()
	if old == want {
		return
	}
	if !*update {
		t.Fatalf("%s's table of what is not emulated differs from gaps (notemulated.go): go test ./internal/devstack -run TestNotEmulatedDoc -update", path)
	}
	if err := os.WriteFile(path, []byte(head+begin+want+end+tail), 0o644); err != nil {
		t.Fatal(err)
	}
}

// gapsTable is the table in Markdown, in gaps' order.
func gapsTable() string {
	var b strings.Builder
	b.WriteString("| resource type | property | why the local stack runs without it |\n| --- | --- | --- |\n")
	for _, g := range gaps {
		typ, prop := "`"+g.Type+"`", "`"+g.Property+"`"
		if g.Type == "*" {
			typ = "every type"
		}
		if g.Property == "" {
			prop = "every property"
		}
		reason := g.Reason
		if g.AddedBy != "" {
			reason += " (in neither stage's template: " + g.AddedBy + ")"
		}
		if g.banner != nil {
			reason += "; named in the banner"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", typ, prop, strings.ReplaceAll(reason, "|", `\|`))
	}
	return b.String()
}
