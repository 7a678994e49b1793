package stateful

import (
	"encoding/json"
	"strings"
	"testing"
)

// base is a deployed template with one resource of each stateful type and
// a stateless function; the cases below edit a copy of it.
const base = `{"Resources": {
  "Pool": {"Type": "AWS::Cognito::UserPool", "Metadata": {"aws:cdk:path": "app-dev/Users/Pool/Resource"}, "Properties": {
    "UsernameAttributes": ["email"],
    "UsernameConfiguration": {"CaseSensitive": false},
    "VerificationMessageTemplate": {"EmailMessage": "Your code is {####}"},
    "Schema": [
      {"Mutable": true, "Name": "email", "Required": true},
      {"AttributeDataType": "String", "Mutable": true, "Name": "company", "StringAttributeConstraints": {"MaxLength": "256", "MinLength": "1"}}
    ]}},
  "Identity": {"Type": "AWS::Cognito::IdentityPool", "Metadata": {"aws:cdk:path": "app-dev/Identity/Pool"}, "Properties": {"AllowUnauthenticatedIdentities": false}},
  "Table": {"Type": "AWS::DynamoDB::Table", "Metadata": {"aws:cdk:path": "app-dev/Todos/Table/Resource"}, "Properties": {
    "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}, {"AttributeName": "id", "KeyType": "RANGE"}],
    "BillingMode": "PAY_PER_REQUEST"}},
  "Bucket": {"Type": "AWS::S3::Bucket", "Metadata": {"aws:cdk:path": "app-dev/Photos/Bucket/Resource"}, "Properties": {"VersioningConfiguration": {"Status": "Enabled"}}},
  "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"MemorySize": 256}}
}}`

// edit returns base with f applied to its resources.
func edit(t *testing.T, f func(res map[string]map[string]any)) []byte {
	t.Helper()
	var tpl map[string]map[string]map[string]any
	if err := json.Unmarshal([]byte(base), &tpl); err != nil {
		t.Fatal(err)
	}
	f(tpl["Resources"])
	out, err := json.MarshalIndent(tpl, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func props(res map[string]map[string]any, id string) map[string]any {
	return res[id]["Properties"].(map[string]any)
}

func compare(t *testing.T, before, now []byte) []Change {
	t.Helper()
	b, err := FromTemplate(before)
	if err != nil {
		t.Fatal(err)
	}
	n, err := FromTemplate(now)
	if err != nil {
		t.Fatal(err)
	}
	return Compare(b, n)
}

func TestCompareTemplatePairs(t *testing.T) {
	cases := []struct {
		name string
		edit func(res map[string]map[string]any)
		// want is one substring per expected change, in order; none for a safe change.
		want []string
	}{
		{"unchanged", func(map[string]map[string]any) {}, nil},
		{"verification message changed", func(res map[string]map[string]any) {
			props(res, "Pool")["VerificationMessageTemplate"] = map[string]any{"EmailMessage": "Welcome, your code is {####}"}
		}, nil},
		{"stateless resource changed and added", func(res map[string]map[string]any) {
			props(res, "Fn")["MemorySize"] = 512
			res["Fn2"] = map[string]any{"Type": "AWS::Lambda::Function"}
			res["Table2"] = map[string]any{"Type": "AWS::DynamoDB::Table", "Properties": map[string]any{"KeySchema": []any{}}}
		}, nil},
		{"custom attribute added", func(res map[string]map[string]any) {
			p := props(res, "Pool")
			p["Schema"] = append(p["Schema"].([]any), map[string]any{"AttributeDataType": "String", "Name": "team"})
		}, nil},
		{"standard attribute declaration dropped", func(res map[string]map[string]any) {
			p := props(res, "Pool")
			p["Schema"] = p["Schema"].([]any)[1:]
		}, nil},
		{"table billing changed", func(res map[string]map[string]any) { props(res, "Table")["BillingMode"] = "PROVISIONED" }, nil},
		{"user pool removed", func(res map[string]map[string]any) { delete(res, "Pool") },
			[]string{"Pool (AWS::Cognito::UserPool at Users/Pool/Resource) is gone"}},
		{"identity pool renamed", func(res map[string]map[string]any) { res["Identity2"] = res["Identity"]; delete(res, "Identity") },
			[]string{"Identity (AWS::Cognito::IdentityPool at Identity/Pool) is gone"}},
		{"username attributes changed", func(res map[string]map[string]any) {
			props(res, "Pool")["UsernameAttributes"] = []any{"email", "phone_number"}
		}, []string{`Pool (AWS::Cognito::UserPool at Users/Pool/Resource): UsernameAttributes changes from ["email"] to ["email","phone_number"], which replaces it`}},
		{"case sensitivity changed", func(res map[string]map[string]any) {
			props(res, "Pool")["UsernameConfiguration"] = map[string]any{"CaseSensitive": true}
		}, []string{"UsernameConfiguration changes from"}},
		{"custom attribute changed", func(res map[string]map[string]any) {
			p := props(res, "Pool")
			p["Schema"] = []any{map[string]any{"AttributeDataType": "String", "Mutable": false, "Name": "company"}}
		}, []string{"Pool (AWS::Cognito::UserPool at Users/Pool/Resource): Schema changes from"}},
		{"table key changed", func(res map[string]map[string]any) {
			props(res, "Table")["KeySchema"] = []any{map[string]any{"AttributeName": "user", "KeyType": "HASH"}}
		}, []string{`Table (AWS::DynamoDB::Table at Todos/Table/Resource): KeySchema changes from [{"AttributeName":"owner"`}},
		{"table named", func(res map[string]map[string]any) { props(res, "Table")["TableName"] = "todos" },
			[]string{`TableName changes from (unset) to "todos"`}},
		{"bucket named and object lock", func(res map[string]map[string]any) {
			props(res, "Bucket")["BucketName"] = "photos"
			props(res, "Bucket")["ObjectLockEnabled"] = true
		}, []string{"Bucket (AWS::S3::Bucket at Photos/Bucket/Resource): BucketName changes", "ObjectLockEnabled changes from (unset) to true"}},
		{"bucket became a table", func(res map[string]map[string]any) { res["Bucket"]["Type"] = "AWS::DynamoDB::Table" },
			[]string{"Bucket changed type from AWS::S3::Bucket to AWS::DynamoDB::Table"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := compare(t, []byte(base), edit(t, c.edit))
			if len(got) != len(c.want) {
				t.Fatalf("%d changes %v, want %d", len(got), got, len(c.want))
			}
			for i, w := range c.want {
				if !strings.Contains(got[i].String(), w) {
					t.Errorf("change %d: %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

func TestAcceptOnlyTheNamedResource(t *testing.T) {
	now := edit(t, func(res map[string]map[string]any) {
		delete(res, "Pool")
		props(res, "Table")["TableName"] = "todos"
	})
	changes := compare(t, []byte(base), now)
	if len(changes) != 2 {
		t.Fatalf("changes %v, want the pool and the table", changes)
	}
	rest, err := Accept(changes, "Table")
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 1 || rest[0].LogicalID != "Pool" {
		t.Errorf("accepting Table left %v, want only the pool's change", rest)
	}
	if rest, _ := Accept(changes, ""); len(rest) != 2 {
		t.Errorf("accepting nothing left %v", rest)
	}
	if _, err := Accept(changes, "Bucket"); err == nil || !strings.Contains(err.Error(), `"Bucket"`) {
		t.Errorf("accepting an unchanged resource: %v, want an error naming it", err)
	}
}

func TestFromTemplateRefusesNonJSON(t *testing.T) {
	if _, err := FromTemplate([]byte("Resources:\n  Pool:\n    Type: AWS::Cognito::UserPool\n")); err == nil {
		t.Error("a YAML template was read without error")
	}
}
