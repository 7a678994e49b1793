package golambda_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/golambda"
	"github.com/portcullis-cdk/portcullis/constructs/internal/cdktest"
)

func TestRoleHasNoManagedPolicies(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("S"), nil)
	golambda.NewFunction(stack, "F", &golambda.FunctionProps{Package: "./golambda/testdata/hello", MemoryMB: 512, Timeout: 3 * time.Second})
	role := cdktest.One(stack, "AWS::IAM::Role").Properties
	if role["ManagedPolicyArns"] != nil {
		t.Errorf("role has managed policies %v; grants should be explicit", role["ManagedPolicyArns"])
	}
	doc := cdktest.JSON(cdktest.One(stack, "AWS::IAM::Policy").Properties["PolicyDocument"])
	for _, want := range []string{"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments"} {
		if !strings.Contains(doc, want) {
			t.Errorf("policy lacks %s: %s", want, doc)
		}
	}
	if strings.Contains(doc, `"logs:*"`) || strings.Contains(doc, "CreateLogGroup") {
		t.Errorf("policy grants more than writing to its log group: %s", doc)
	}
	fn := cdktest.One(stack, "AWS::Lambda::Function")
	p := fn.Properties
	if p["MemorySize"] != 512.0 || p["Timeout"] != 3.0 {
		t.Errorf("MemorySize %v, Timeout %v; want 512, 3", p["MemorySize"], p["Timeout"])
	}
	if got := fn.Metadata[golambda.PackageMetadata]; got != "./golambda/testdata/hello" {
		t.Errorf("metadata %s = %v, want the package", golambda.PackageMetadata, got)
	}
}

func TestBuildFailureStopsSynthWithCompilerMessage(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("S"), nil)
	defer func() {
		r := recover()
		msg := fmt.Sprint(r)
		if r == nil || !strings.Contains(msg, "undefined: notDefined") || !strings.Contains(msg, `"Broken"`) {
			t.Errorf("panic = %q, want the compiler's message naming the construct", msg)
		}
	}()
	golambda.NewFunction(stack, "Broken", &golambda.FunctionProps{Package: "./golambda/testdata/broken"})
}

func TestFunctionPropsValidate(t *testing.T) {
	for _, c := range []struct {
		props golambda.FunctionProps
		want  string
	}{
		{golambda.FunctionProps{}, "Package is required"},
		{golambda.FunctionProps{Package: "./x", MemoryMB: 64}, "MemoryMB 64"},
		{golambda.FunctionProps{Package: "./x", FunctionName: "my function"}, `FunctionName "my function"`},
		{golambda.FunctionProps{Package: "./x", Timeout: time.Hour}, "Timeout 1h0m0s"},
		{golambda.FunctionProps{Package: "./x", LogRetentionDays: 10}, "log retention 10 days"},
		{golambda.FunctionProps{Package: "./x", Environment: map[string]string{"AWS_REGION": "x"}}, `"AWS_REGION"`},
		{golambda.FunctionProps{Package: "./x", Environment: map[string]string{"1BAD": "x"}}, `"1BAD"`},
	} {
		if err := c.props.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%+v) = %v, want %q", c.props, err, c.want)
		}
	}
}

// One function that does not compile, built together with one that does:
// synth still stops at the broken one, naming it, with the compiler's
// message, and the other is built.
func TestPrebuildFailureNamesTheFunction(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("S"), nil)
	golambda.Prebuild("", "./golambda/testdata/hello", "./golambda/testdata/broken")
	golambda.NewFunction(stack, "Hello", &golambda.FunctionProps{Package: "./golambda/testdata/hello"})
	defer func() {
		msg := fmt.Sprint(recover())
		if !strings.Contains(msg, "undefined: notDefined") || !strings.Contains(msg, `"Broken"`) || !strings.Contains(msg, "testdata/broken") {
			t.Errorf("panic = %q, want the compiler's message naming the construct and its package", msg)
		}
	}()
	golambda.NewFunction(stack, "Broken", &golambda.FunctionProps{Package: "./golambda/testdata/broken"})
}
