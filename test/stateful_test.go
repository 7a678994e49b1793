package test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/internal/stateful"
)

var acceptReplacement = flag.Bool("accept-replacement", false,
	"record the stateful resources as they are now, even where that replaces or removes one (data loss on deploy)")

// TestNoStatefulReplacement fails when a change would replace or remove a
// stage's user pool, identity pool, table or bucket, which loses its users
// or data on the next deploy. New stateful resources are recorded with
// -update; replacing one takes the deliberate -accept-replacement.
func TestNoStatefulReplacement(t *testing.T) {
	file := filepath.Join("testdata", "stateful.json")
	recorded := map[string]stateful.Records{}
	if raw, err := os.ReadFile(file); err == nil {
		if err := json.Unmarshal(raw, &recorded); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		// The file is indented for review; compare values in compact form.
		for _, recs := range recorded {
			if err := recs.Compact(); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
		}
	} else if !os.IsNotExist(err) {
		t.Fatal(err)
	}
	next := map[string]stateful.Records{}
	for name, s := range stages {
		now, err := stateful.FromTemplate(s.raw)
		if err != nil {
			t.Fatal(err)
		}
		next[name] = now
		if problems := stateful.Compare(recorded[name], now); len(problems) > 0 {
			if !*acceptReplacement {
				t.Errorf("stage %s: deploying this change would replace or remove stateful resources:\n  %s\n"+
					"Keep the logical ids and immutable properties, or, if losing that data is intended, "+
					"run `go test ./test -run TestNoStatefulReplacement -accept-replacement`.",
					name, joinLines(problems))
			}
			continue
		}
		for id := range now {
			if _, ok := recorded[name][id]; !ok && !*update && !*acceptReplacement {
				t.Errorf("stage %s: stateful resource %s (%s) is not recorded in %s; run `go test ./test -update`", name, id, now[id].Type, file)
			}
		}
	}
	if *update || *acceptReplacement {
		if !*acceptReplacement && t.Failed() {
			return
		}
		out, err := json.MarshalIndent(next, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func joinLines(changes []stateful.Change) string {
	var b strings.Builder
	for i, c := range changes {
		if i > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString(c.String())
	}
	return b.String()
}
