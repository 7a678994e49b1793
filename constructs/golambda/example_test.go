package golambda_test

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/golambda"
)

// A Go function in a stack of someone else's app. Package is a main
// package of the module `cdk synth` runs in (here, this example's own).
func ExampleNewFunction() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)

	fn := golambda.NewFunction(stack, "Hello", &golambda.FunctionProps{
		Package:     "./golambda/testdata/hello",
		Environment: map[string]string{"GREETING": "hi"},
	})
	_ = fn.Role // grant further permissions here

	template := assertions.Template_FromStack(stack, nil)
	for _, r := range *template.FindResources(jsii.String("AWS::Lambda::Function"), nil) {
		function := (*r)["Properties"].(map[string]any)
		fmt.Println(function["Runtime"], function["Architectures"], function["Handler"], function["MemorySize"], function["Timeout"])
		tracing, _ := json.Marshal(function["TracingConfig"])
		fmt.Println(string(tracing), function["LoggingConfig"].(map[string]any)["LogFormat"])
	}
	for _, r := range *template.FindResources(jsii.String("AWS::Logs::LogGroup"), nil) {
		fmt.Println((*r)["Properties"].(map[string]any)["RetentionInDays"])
	}
	// Output:
	// provided.al2023 [arm64] bootstrap 256 10
	// {"Mode":"Active"} JSON
	// 30
}
