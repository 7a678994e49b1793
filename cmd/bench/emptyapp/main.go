// Command emptyapp is the baseline `make bench` compares the full synth
// with: a CDK app with one resource and nothing to build, synthesized with
// the same cdk.json (feature flags, CloudFormation validation) and the same
// jsii runtime. What the real app costs beyond it is ours to account for.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/internal/util/cdkapp"
)

func main() {
	defer cdkapp.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("empty"), nil)
	awscdk.NewCfnWaitConditionHandle(stack, jsii.String("Handle"), nil)
	app.Synth(nil)
}
