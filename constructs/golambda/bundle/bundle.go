// Package bundle builds a Go main package into a Lambda deployment bundle
// (a directory holding one executable named bootstrap) with a local `go
// build`: no Docker, and the same bytes on every machine with the same Go
// toolchain and sources.
package bundle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Binary is the executable the provided.al2023 runtime starts.
const Binary = "bootstrap"

// Env is the build environment: Linux on Graviton (arm64, baseline v8.0 so
// every Graviton generation runs it) and no cgo, so the binary is static.
var Env = []string{"GOOS=linux", "GOARCH=arm64", "GOARM64=v8.0", "CGO_ENABLED=0"}

// Flags make the build small and reproducible: lambda.norpc drops the legacy
// RPC runtime (provided.al2023 speaks the Runtime API only), -trimpath and
// -buildvcs=false keep the machine's paths and the git state out, and
// "-s -w -buildid=" drop symbols, DWARF and the build id.
var Flags = []string{"-tags", "lambda.norpc", "-trimpath", "-buildvcs=false", "-ldflags", "-s -w -buildid="}

// Build compiles the main package pkg (an import path, or a path relative to
// moduleDir such as "./lambdas/cmd/todos") into outDir/bootstrap. A failed
// build returns the compiler's output in the error.
func Build(ctx context.Context, moduleDir, pkg, outDir string) error {
	if pkg == "" {
		return errors.New("bundle: no package to build")
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	out, err := filepath.Abs(filepath.Join(outDir, Binary))
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	args := append([]string{"build"}, Flags...)
	args = append(args, "-o", out, pkg)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), Env...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("bundle: go build %s (in %s): %w\n%s", pkg, moduleDir, err, strings.TrimSpace(stderr.String()))
	}
	// The zip CDK makes records file modes: pin them, whatever the umask.
	if err := os.Chmod(out, 0o755); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	return nil
}
