// Package awstest runs a test binary against local DynamoDB and S3
// (internal/emulated/localaws), so the runtime package that the local stack
// links carries no testing code.
package awstest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
)

// backendsEnv carries the servers' Backends from a fuzzing test binary to
// its workers, which inherit its environment.
const backendsEnv = "PORTCULLIS_AWSTEST_BACKENDS"

// Main starts the servers, stores them in *srv, runs the tests and stops the
// servers. Use it as the whole of a TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(awstest.Main(m, &srv)) }
//
// Under `go test -fuzz` each fuzz worker is the test binary again: a worker
// serves gates of its own in front of the servers of the binary that
// started it rather than starting two more node processes.
func Main(m *testing.M, srv **localaws.Servers) int {
	s, err := start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "localaws:", err)
		return 1
	}
	defer s.Close()
	*srv = s
	return m.Run()
}

func start() (*localaws.Servers, error) {
	if backends := os.Getenv(backendsEnv); backends != "" && fuzzWorker() {
		return localaws.Attach(backends)
	}
	s, err := localaws.Start(context.Background())
	if err != nil {
		return nil, err
	}
	if err := os.Setenv(backendsEnv, s.Backends()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// fuzzWorker reports whether this process is a fuzz worker, which the
// fuzzing test binary starts with -test.fuzzworker (flags are not parsed
// before m.Run).
func fuzzWorker() bool {
	return slices.ContainsFunc(os.Args[1:], func(a string) bool {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		return name == "test.fuzzworker"
	})
}
