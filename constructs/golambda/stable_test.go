package golambda_test

import (
	"testing"

	"github.com/portcullis-cdk/portcullis/constructs/golambda"
	"github.com/portcullis-cdk/portcullis/constructs/internal/cdktest"
)

// The function, its role, policy and log group keep their logical ids.
func TestLogicalIDsAreStable(t *testing.T) {
	stack := cdktest.NewStack("PlatformStack")
	golambda.NewFunction(stack, "Hello", &golambda.FunctionProps{Package: "./golambda/testdata/hello"})
	cdktest.CheckLogicalIDs(t, stack, "logical-ids")
}
