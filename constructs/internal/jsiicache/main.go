// Command jsiicache loads, once, the jsii packages the library's tests and
// the consumer module load (aws-cdk-lib at the library's floor version and
// its dependencies), so that the jsii package cache holds them before make
// test runs their test binaries side by side: on an empty cache, binaries
// unpacking the same package at once time out on the jsii kernel's lock
// (the app module's cmd/jsiicache says more).
package main

import (
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	awscdk.NewApp(nil)
	// jsii-runtime-go waits on node from two goroutines, and the loser
	// prints "waitid: no child processes" after a clean exit.
	if devnull, err := os.Open(os.DevNull); err == nil {
		os.Stderr = devnull
	}
	jsii.Close()
}
