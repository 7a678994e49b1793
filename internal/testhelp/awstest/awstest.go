// Package awstest runs a test binary against local DynamoDB and S3
// (internal/emulated/localaws), so the runtime package that the local stack
// links carries no testing code.
package awstest

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
)

// Main starts the servers, stores them in *srv, runs the tests and stops the
// servers. Use it as the whole of a TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(awstest.Main(m, &srv)) }
func Main(m *testing.M, srv **localaws.Servers) int {
	s, err := localaws.Start(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "localaws:", err)
		return 1
	}
	defer s.Close()
	*srv = s
	return m.Run()
}
