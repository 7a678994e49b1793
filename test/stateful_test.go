package test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
	"github.com/portcullis-cdk/portcullis/constructs/stateful"
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

// TestUserPoolUpdatesInPlace: an ordinary change to a user pool (here the
// verification email's subject) is an in-place update by the replacement
// rules, and no pool declares a schema entry without AttributeDataType,
// which makes CloudFormation fail every later update of the pool with
// "Invalid AttributeDataType input" (aws-cdk issue 8585).
func TestUserPoolUpdatesInPlace(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		_, pool := s.template.at(t, "Users/Pool/Resource")
		for _, a := range asList(pool.Properties["Schema"]) {
			if prop(a, "AttributeDataType") == nil {
				t.Errorf("schema entry %s has no AttributeDataType: the pool's next update would fail (aws-cdk issue 8585)", js(a))
			}
		}
	})

	dir := t.TempDir()
	app, err := newApp(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, subject := range map[string]string{"before": "", "after": "Your Portcullis code"} {
		stack := awscdk.NewStack(app, jsii.String(name), nil)
		auth.NewUserPool(stack, "Users", &auth.UserPoolProps{SignIn: auth.SignInEmail, VerificationSubject: subject})
	}
	app.Synth(nil)
	read := func(name string) ([]byte, stateful.Records) {
		raw, err := os.ReadFile(filepath.Join(dir, name+".template.json"))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := stateful.FromTemplate(raw)
		if err != nil {
			t.Fatal(err)
		}
		return raw, recs
	}
	rawBefore, before := read("before")
	rawAfter, after := read("after")
	if !strings.Contains(string(rawAfter), "Your Portcullis code") || strings.Contains(string(rawBefore), "Your Portcullis code") {
		t.Fatal("the verification subject did not change the template")
	}
	if len(before) == 0 {
		t.Fatal("no stateful resource in the user pool's template")
	}
	if changes := stateful.Compare(before, after); len(changes) > 0 {
		t.Errorf("changing the verification subject would replace: %v", changes)
	}
}
