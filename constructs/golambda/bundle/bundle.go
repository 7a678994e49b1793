// Package bundle builds a Go main package into a Lambda deployment bundle
// (a directory holding one executable named bootstrap) with a local `go
// build`: no Docker, and the same bytes on every machine with the same Go
// toolchain and sources.
package bundle

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
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
	if err := goBuild(ctx, moduleDir, out, pkg); err != nil {
		return err
	}
	return pinMode(out)
}

// Target is one main package to build and the bundle directory it goes to.
type Target struct {
	Package string
	OutDir  string
}

// BuildAll builds every target in one `go build`, which loads the module,
// checks the build cache and compiles shared packages once instead of once
// per function. The bytes are the same as Build's. It returns an error per
// target (nil where that target built): when the joint build fails, each
// target is built alone, so every error carries the compiler's message for
// its own package and a bad package does not fail the others.
func BuildAll(ctx context.Context, moduleDir string, targets []Target) []error {
	errs := make([]error, len(targets))
	if err := buildJointly(ctx, moduleDir, targets); err != nil {
		for i, t := range targets {
			errs[i] = Build(ctx, moduleDir, t.Package, t.OutDir)
		}
	}
	return errs
}

// buildJointly writes every binary into a scratch directory with `go build
// -o dir/`, which names each after the last element of its import path, then
// moves each into its bundle.
func buildJointly(ctx context.Context, moduleDir string, targets []Target) error {
	byName := map[string]bool{}
	pkgs := make([]string, len(targets))
	for i, t := range targets {
		name := path.Base(filepath.ToSlash(t.Package))
		if t.Package == "" || byName[name] {
			return fmt.Errorf("bundle: %q cannot share one go build with the other targets", t.Package)
		}
		byName[name] = true
		pkgs[i] = t.Package
	}
	if len(targets) == 0 {
		return nil
	}
	// Next to the bundles, so the binaries move by rename.
	parent := filepath.Dir(targets[0].OutDir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	scratch, err := os.MkdirTemp(parent, ".build-")
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	defer os.RemoveAll(scratch)
	if err := goBuild(ctx, moduleDir, scratch+string(filepath.Separator), pkgs...); err != nil {
		return err
	}
	for _, t := range targets {
		if err := Place(filepath.Join(scratch, path.Base(filepath.ToSlash(t.Package))), t.OutDir, true); err != nil {
			return err
		}
	}
	return nil
}

// goBuild runs go build with the Lambda environment and flags; out is a file,
// or a directory (ending in a separator) for several packages.
func goBuild(ctx context.Context, moduleDir, out string, pkgs ...string) error {
	args := append([]string{"build"}, Flags...)
	args = append(args, "-o", out)
	args = append(args, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), Env...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("bundle: go build %s (in %s): %w\n%s", strings.Join(pkgs, " "), moduleDir, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// Place puts the executable bin into the bundle directory outDir: moved
// (renamed, or copied where they are on different file systems) or copied.
func Place(bin, outDir string, move bool) error {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	out := filepath.Join(outDir, Binary)
	if move {
		if err := os.Rename(bin, out); err == nil {
			return pinMode(out)
		}
	}
	raw, err := os.ReadFile(bin)
	if err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	if err := os.WriteFile(out, raw, 0o755); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	if move {
		os.Remove(bin)
	}
	return pinMode(out)
}

// pinMode fixes the binary's mode: the zip CDK makes records file modes,
// whatever the umask.
func pinMode(out string) error {
	if err := os.Chmod(out, 0o755); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	return nil
}

// ZipSize is the size of the deflate-compressed (best) zip holding the one
// file at path: what Lambda stores and loads for a bundle.
func ZipSize(path string) (int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) })
	f, err := zw.CreateHeader(&zip.FileHeader{Name: filepath.Base(path), Method: zip.Deflate})
	if err != nil {
		return 0, err
	}
	if _, err := f.Write(raw); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return buf.Len(), nil
}
