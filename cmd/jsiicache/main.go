// Command jsiicache loads, once, every jsii package the app module's tests
// load (aws-cdk-lib and its dependencies, cdk-nag), so that the jsii package
// cache holds them before make test starts its test binaries side by side.
//
// Why: on a machine whose cache is empty (a new clone's first make test, a
// fresh CI runner), every test binary that synthesizes unpacks aws-cdk-lib
// into the shared cache at once, and the jsii kernel's lock gives up after
// about 13 s of waiting ("EEXIST: file already exists, open
// '.../aws-cdk-lib/<version>/<digest>.lock'"), which a loaded machine
// unpacking tens of megabytes exceeds. Once an entry is complete, readers take
// it without the lock, so one load here, before the tests, removes the race;
// with a warm cache it costs one node start.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/portcullis-cdk/portcullis/internal/util/cdkapp"
)

func main() {
	awscdk.NewApp(nil)
	cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{})
	cdkapp.Close()
}
