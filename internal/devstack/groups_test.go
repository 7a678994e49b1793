package devstack

import (
	"encoding/json"
	"os"
	"testing"
)

// TestReadPlanGroups: the pool's AWS::Cognito::UserPoolGroup resources
// become the local pool's groups, with their precedence and role (a string
// ARN, or the local ARN of a role of the stack).
func TestReadPlanGroups(t *testing.T) {
	raw, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	var tpl map[string]any
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	resources := tpl["Resources"].(map[string]any)
	// The stage's own groups are read too; this test's replace them.
	inTemplate := 0
	for id, r := range resources {
		if r.(map[string]any)["Type"] == "AWS::Cognito::UserPoolGroup" {
			inTemplate++
			delete(resources, id)
		}
	}
	stage, err := ReadPlan(golden)
	if err != nil {
		t.Fatal(err)
	}
	if len(stage.Pool.Groups) != inTemplate {
		t.Errorf("the dev template's %d groups read as %+v", inTemplate, stage.Pool.Groups)
	}
	resources["AdminsGroup"] = map[string]any{"Type": "AWS::Cognito::UserPoolGroup", "Properties": map[string]any{
		"GroupName": "admins", "Precedence": 0, "Description": "Administrators",
		"RoleArn": map[string]any{"Fn::GetAtt": []string{"AdminRole", "Arn"}},
	}}
	resources["ReadersGroup"] = map[string]any{"Type": "AWS::Cognito::UserPoolGroup", "Properties": map[string]any{
		"GroupName": "readers", "RoleArn": "arn:aws:iam::123456789012:role/reader",
	}}
	raw, _ = json.Marshal(tpl)
	p, err := parsePlan(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Pool.Groups) != 2 {
		t.Fatalf("groups %+v, want admins and readers", p.Pool.Groups)
	}
	admins, readers := p.Pool.Groups[0], p.Pool.Groups[1]
	if admins.Name != "admins" || admins.Precedence == nil || *admins.Precedence != 0 || admins.RoleID != "AdminRole" || admins.Description != "Administrators" {
		t.Errorf("admins = %+v", admins)
	}
	if readers.Name != "readers" || readers.Precedence != nil || readers.RoleArn != "arn:aws:iam::123456789012:role/reader" || readers.RoleID != "" {
		t.Errorf("readers = %+v", readers)
	}
	w := &wiring{plan: p, getenv: func(string) string { return "" }}
	if got := w.localGroups(); got[0].RoleArn != p.names(w.getenv).RoleARN("AdminRole") || got[1].RoleArn != readers.RoleArn {
		t.Errorf("local groups %+v", got)
	}
}
