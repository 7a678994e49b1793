package cicd_test

import (
	"testing"

	"github.com/portcullis-cdk/portcullis/constructs/cicd"
	"github.com/portcullis-cdk/portcullis/constructs/internal/cdktest"
)

// The deploy role and the OIDC provider it makes keep their logical ids.
func TestLogicalIDsAreStable(t *testing.T) {
	stack := cdktest.NewStack("CiStack")
	cicd.NewGitHubDeployRole(stack, "Deploy", &cicd.GitHubDeployRoleProps{Repository: "acme/shop", Environment: "production"})
	cdktest.CheckLogicalIDs(t, stack, "logical-ids")
}
