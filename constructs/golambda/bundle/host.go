package bundle

import (
	"runtime"
	"slices"
	"strings"
)

// HostEnv is the build environment of a bootstrap for this machine, which
// a local stand-in for Lambda runs in place of the deployed one: this OS and
// architecture, no cgo.
func HostEnv() []string {
	return []string{"GOOS=" + runtime.GOOS, "GOARCH=" + runtime.GOARCH, "CGO_ENABLED=0"}
}

// HostFlags are Flags with the build id kept: `go build` finds a bootstrap
// built before from the same sources up to date by its build id and does
// not link it again, which keeps a local stack's start fast. The program is
// the same.
func HostFlags() []string {
	out := slices.Clone(Flags)
	for i, f := range out {
		if i > 0 && out[i-1] == "-ldflags" {
			out[i] = strings.Join(slices.DeleteFunc(strings.Fields(f), func(s string) bool { return strings.HasPrefix(s, "-buildid=") }), " ")
		}
	}
	return out
}
