package test

import (
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
	"github.com/portcullis-cdk/portcullis/lambdas/routes"
	"github.com/portcullis-cdk/portcullis/lambdas/schema"
	"github.com/portcullis-cdk/portcullis/stage"
)

// TestIAMRoutesTrustTheStagesIdentityPool: every function serving an IAM
// route is told the stage's identity pool, the only one whose identities
// its handlers accept, and no other function is.
func TestIAMRoutesTrustTheStagesIdentityPool(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		poolID, _ := s.template.at(t, "Identity/Pool")
		iam := map[routes.Function]bool{}
		for _, r := range routes.All() {
			iam[r.Function] = iam[r.Function] || r.Auth == routes.IAM
		}
		for _, fn := range routes.Functions() {
			_, res := s.template.at(t, title(string(fn))+"Function/Function/Resource")
			got := prop(res.Properties, "Environment", "Variables", schema.IdentityPoolEnv)
			switch {
			case iam[fn] && js(got) != js(map[string]any{"Ref": poolID}):
				t.Errorf("%s function %s = %s, want the stage's identity pool %s", fn, schema.IdentityPoolEnv, js(got), poolID)
			case !iam[fn] && got != nil:
				t.Errorf("%s function serves no IAM route but has %s", fn, schema.IdentityPoolEnv)
			}
		}
	})
}

// TestGroupsAreTheRoles: the pool has the stage's Cognito groups (admins
// by default), each in the stage's pool, in the order of the config.
func TestGroupsAreTheRoles(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		poolID, _ := s.template.at(t, "Users/Pool/Resource")
		want := s.config.Groups
		if want == nil {
			want = stage.DefaultGroups()
		}
		got := map[string]float64{}
		for _, id := range s.template.ofType("AWS::Cognito::UserPoolGroup") {
			p := s.template.Resources[id].Properties
			if js(p["UserPoolId"]) != js(map[string]any{"Ref": poolID}) {
				t.Errorf("group %s belongs to %s, not the stage's pool", id, js(p["UserPoolId"]))
			}
			name, _ := p["GroupName"].(string)
			got[name], _ = p["Precedence"].(float64)
		}
		if len(got) != len(want) {
			t.Errorf("groups %v, want %v", got, want)
		}
		for i, g := range want {
			if p, ok := got[g]; !ok || p != float64(i) {
				t.Errorf("group %q: present %v, precedence %v; want precedence %d", g, ok, p, i)
			}
		}
	})
	if !slices.Contains(stage.DefaultGroups(), "admins") {
		t.Error("the default groups lack admins")
	}
}

// TestPhoneSignUpLimitedToCallingCodes: the pre sign-up trigger gets the
// stage's allowed calling codes; a stage that sends SMS names some (or,
// with none, refuses phone sign-up), and prod sends none.
func TestPhoneSignUpLimitedToCallingCodes(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		_, fn := s.template.at(t, "PreSignUp/Function/Resource")
		got := prop(fn.Properties, "Environment", "Variables", schema.AllowedCallingCodesEnv)
		if want := strings.Join(s.config.AllowedCallingCodes, ","); got != want {
			t.Errorf("%s = %v, want the stage's %q", schema.AllowedCallingCodesEnv, got, want)
		}
		if s.config.SignIn == auth.SignInPhone && len(s.config.AllowedCallingCodes) == 0 {
			t.Error("phone-only sign-in with no allowed calling code")
		}
	})
}
