package locallambda

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/portcullis-cdk/portcullis/constructs/golambda/bundle"
	"github.com/portcullis-cdk/portcullis/internal/util/dirlock"
)

// Build compiles the main packages pkgs (import paths, or paths relative to
// moduleDir such as "./lambdas/cmd/todos") for this machine with the
// bundle's flags for it (bundle.HostFlags) in one `go build` into
// dir, and returns each package's executable. dir is a cache: a package
// whose sources did not change since its last build there is not linked
// again, and builds into one dir from several processes take turns.
// Packages must differ in their last path element, which names the file.
func Build(ctx context.Context, moduleDir, dir string, pkgs []string) (map[string]string, error) {
	out := map[string]string{}
	byName := map[string]string{}
	for _, p := range pkgs {
		name := path.Base(filepath.ToSlash(p))
		if prev, ok := byName[name]; ok && prev != p {
			return nil, fmt.Errorf("build: %s and %s would both be built as %s", prev, p, name)
		}
		byName[name] = p
		out[p] = filepath.Join(dir, name)
	}
	if len(out) == 0 {
		return out, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	unlock, err := dirlock.Lock(dir)
	if err != nil {
		return nil, fmt.Errorf("build: locking %s: %w", dir, err)
	}
	defer unlock()
	args := append([]string{"build"}, bundle.HostFlags()...)
	args = append(args, "-o", dir+string(filepath.Separator))
	for _, p := range byName {
		args = append(args, p)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = moduleDir
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("build: go %s (in %s): %w\n%s", strings.Join(args, " "), moduleDir, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// Install puts a copy of the executable bin at dir/name that later builds
// cannot change (a hard link where the file system allows), so an
// environment keeps running the code it started with.
func Install(bin, dir, name string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	dst := filepath.Join(dir, name)
	_ = os.Remove(dst)
	if err := os.Link(bin, dst); err == nil {
		return dst, nil
	}
	raw, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	return dst, os.WriteFile(dst, raw, 0o755)
}
