package test

import (
	"testing"

	"github.com/portcullis-cdk/portcullis/lambdas/routes"
	"github.com/portcullis-cdk/portcullis/lambdas/schema"
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
