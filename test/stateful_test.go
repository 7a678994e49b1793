package test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
)

var acceptReplacement = flag.Bool("accept-replacement", false,
	"record the stateful resources as they are now, even where that replaces or removes one (data loss on deploy)")

// immutable lists, per stateful resource type, the properties whose change
// makes CloudFormation replace the resource: a new, empty user pool, table
// or bucket, and for an identity pool new identity ids for every user.
var immutable = map[string][]string{
	"AWS::Cognito::UserPool":     {"UsernameAttributes", "AliasAttributes", "UsernameConfiguration", "Schema"},
	"AWS::Cognito::IdentityPool": {},
	"AWS::DynamoDB::Table":       {"TableName", "KeySchema", "LocalSecondaryIndexes"},
	"AWS::S3::Bucket":            {"BucketName", "ObjectLockEnabled"},
}

// statefulRecord is one stateful resource as testdata/stateful.json keeps it.
type statefulRecord struct {
	Type       string                     `json:"type"`
	Path       string                     `json:"path"`
	Properties map[string]json.RawMessage `json:"properties,omitempty"`
}

func currentStateful(tpl template) map[string]statefulRecord {
	out := map[string]statefulRecord{}
	for id, r := range tpl.Resources {
		keys, ok := immutable[r.Type]
		if !ok {
			continue
		}
		rec := statefulRecord{Type: r.Type, Path: r.path(), Properties: map[string]json.RawMessage{}}
		for _, k := range keys {
			if v, ok := r.Properties[k]; ok {
				rec.Properties[k] = json.RawMessage(js(v))
			}
		}
		out[id] = rec
	}
	return out
}

// replacements explains every way now would replace or drop a recorded resource.
func replacements(recorded, now map[string]statefulRecord) []string {
	var out []string
	for id, old := range recorded {
		cur, ok := now[id]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s (%s at %s) is gone: deploying deletes it, or orphans it if retained", id, old.Type, old.Path))
			continue
		case cur.Type != old.Type:
			out = append(out, fmt.Sprintf("%s changed type from %s to %s", id, old.Type, cur.Type))
			continue
		}
		for _, k := range immutable[old.Type] {
			was, is := old.Properties[k], cur.Properties[k]
			if k == "Schema" && schemaKept(was, is) {
				continue // adding attributes updates in place; changing or removing replaces
			}
			if !bytes.Equal(was, is) {
				out = append(out, fmt.Sprintf("%s (%s at %s): %s changes from %s to %s, which replaces it", id, old.Type, old.Path, k, orNone(was), orNone(is)))
			}
		}
	}
	sort.Strings(out)
	return out
}

// schemaKept reports whether every attribute of the old schema is still
// declared, unchanged, in the new one.
func schemaKept(was, is json.RawMessage) bool {
	var old, cur []json.RawMessage
	_ = json.Unmarshal(was, &old)
	_ = json.Unmarshal(is, &cur)
	for _, a := range old {
		if !slices.ContainsFunc(cur, func(b json.RawMessage) bool { return bytes.Equal(a, b) }) {
			return false
		}
	}
	return true
}

func orNone(v json.RawMessage) string {
	if v == nil {
		return "(unset)"
	}
	return string(v)
}

// TestNoStatefulReplacement fails when a change would replace or remove a
// stage's user pool, identity pool, table or bucket, which loses its users
// or data on the next deploy. New stateful resources are recorded with
// -update; replacing one takes the deliberate -accept-replacement.
func TestNoStatefulReplacement(t *testing.T) {
	file := filepath.Join("testdata", "stateful.json")
	recorded := map[string]map[string]statefulRecord{}
	if raw, err := os.ReadFile(file); err == nil {
		if err := json.Unmarshal(raw, &recorded); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		// The file is indented for review; compare values in compact form.
		for _, recs := range recorded {
			for _, r := range recs {
				for k, v := range r.Properties {
					var b bytes.Buffer
					if err := json.Compact(&b, v); err != nil {
						t.Fatalf("%s: %v", file, err)
					}
					r.Properties[k] = b.Bytes()
				}
			}
		}
	} else if !os.IsNotExist(err) {
		t.Fatal(err)
	}
	next := map[string]map[string]statefulRecord{}
	for name, s := range stages {
		now := currentStateful(s.template)
		next[name] = now
		if problems := replacements(recorded[name], now); len(problems) > 0 {
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

func joinLines(lines []string) string {
	var b bytes.Buffer
	for i, l := range lines {
		if i > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString(l)
	}
	return b.String()
}

// TestReplacementGuardDetects is the guard's control: a renamed logical id,
// a changed key schema and a removed custom attribute are each reported,
// and an added attribute is not.
func TestReplacementGuardDetects(t *testing.T) {
	rec := func(typ string, props map[string]string) statefulRecord {
		r := statefulRecord{Type: typ, Path: "X/Resource", Properties: map[string]json.RawMessage{}}
		for k, v := range props {
			r.Properties[k] = json.RawMessage(v)
		}
		return r
	}
	old := map[string]statefulRecord{
		"Table1": rec("AWS::DynamoDB::Table", map[string]string{"KeySchema": `[{"AttributeName":"owner","KeyType":"HASH"}]`}),
		"Pool1":  rec("AWS::Cognito::UserPool", map[string]string{"Schema": `[{"Name":"a"},{"Name":"b"}]`}),
	}
	cases := []struct {
		name string
		now  map[string]statefulRecord
		want int
	}{
		{"unchanged", old, 0},
		{"attribute added", map[string]statefulRecord{
			"Table1": old["Table1"],
			"Pool1":  rec("AWS::Cognito::UserPool", map[string]string{"Schema": `[{"Name":"a"},{"Name":"b"},{"Name":"c"}]`}),
		}, 0},
		{"attribute removed", map[string]statefulRecord{
			"Table1": old["Table1"],
			"Pool1":  rec("AWS::Cognito::UserPool", map[string]string{"Schema": `[{"Name":"a"}]`}),
		}, 1},
		{"key changed", map[string]statefulRecord{
			"Table1": rec("AWS::DynamoDB::Table", map[string]string{"KeySchema": `[{"AttributeName":"user","KeyType":"HASH"}]`}),
			"Pool1":  old["Pool1"],
		}, 1},
		{"logical id renamed", map[string]statefulRecord{"Table2": old["Table1"], "Pool1": old["Pool1"]}, 1},
	}
	for _, c := range cases {
		if got := replacements(old, c.now); len(got) != c.want {
			t.Errorf("%s: %d findings %v, want %d", c.name, len(got), got, c.want)
		}
	}
}
