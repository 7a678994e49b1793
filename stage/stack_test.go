package stage

import (
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/constructs/golambda"
	"github.com/portcullis-cdk/portcullis/contract/routes"
)

func TestServedRoutesNamesAMissingFunction(t *testing.T) {
	fns := map[routes.Function]*golambda.Function{}
	for _, f := range routes.Functions() {
		fns[f] = &golambda.Function{}
	}
	if err := servedRoutes(fns); err != nil {
		t.Fatalf("every function made: %v", err)
	}
	delete(fns, routes.Random)
	err := servedRoutes(fns)
	if err == nil || !strings.Contains(err.Error(), `function "random" serves routes of contract/routes, but the stage does not make it`) {
		t.Errorf("random not made: %v, want an error naming it", err)
	}
}
