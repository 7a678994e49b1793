// Package cdktest helps the constructs' tests read what they
// synthesized, without jsii types leaking into the assertions.
package cdktest

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// Resource is one resource of a synthesized template.
type Resource struct {
	Type           string
	Properties     map[string]any
	DeletionPolicy string
	Metadata       map[string]any
}

// Resources returns every resource of type typ in stack, by logical id.
func Resources(stack awscdk.Stack, typ string) map[string]Resource {
	found := assertions.Template_FromStack(stack, nil).FindResources(jsii.String(typ), nil)
	raw, _ := json.Marshal(found)
	var out map[string]Resource
	_ = json.Unmarshal(raw, &out)
	return out
}

// One returns the only resource of type typ in stack, or panics.
func One(stack awscdk.Stack, typ string) Resource {
	rs := Resources(stack, typ)
	if len(rs) != 1 {
		panic("cdktest.One: want exactly one " + typ)
	}
	for _, r := range rs {
		return r
	}
	return Resource{}
}

// JSON renders v compactly, for printing in examples.
func JSON(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

// Main runs a package's tests and examples, then stops the jsii runtime
// they share: use it as the whole of a TestMain.
//
//	func TestMain(m *testing.M) { cdktest.Main(m) }
//
// jsii-runtime-go waits on its node child from two goroutines, and the
// loser prints "Runtime process exited abnormally: waitid: no child
// processes" after a clean exit; stderr is muted for the close, so a
// passing run prints no such line.
func Main(m *testing.M) {
	code := m.Run()
	if devnull, err := os.Open(os.DevNull); err == nil {
		os.Stderr = devnull
	}
	jsii.Close()
	os.Exit(code)
}
