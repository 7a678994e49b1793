package bundle

import (
	"slices"
	"strings"
)

// HostFlags are the flags of a bootstrap built for this machine, which a
// local stand-in for Lambda runs in place of the deployed one, in this
// machine's environment (its OS and architecture, cgo as `go test` has it).
// They are Flags without -trimpath and without -buildid=: the same program
// (the Lambda build tag keeps the runtime client's code path), built the
// way `go test` and `go build` build the module's other packages, so the
// packages a function imports (the AWS SDK's among them) are compiled once
// for both, and a bootstrap built before from the same sources is found up
// to date by its build id and not linked again.
func HostFlags() []string {
	out := slices.DeleteFunc(slices.Clone(Flags), func(f string) bool { return f == "-trimpath" })
	for i, f := range out {
		if i > 0 && out[i-1] == "-ldflags" {
			out[i] = strings.Join(slices.DeleteFunc(strings.Fields(f), func(s string) bool { return strings.HasPrefix(s, "-buildid=") }), " ")
		}
	}
	return out
}
