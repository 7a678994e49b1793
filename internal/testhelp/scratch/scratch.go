// Package scratch copies the repository into a test's temporary directory,
// where a test changes it the way a developer would (docs/make-it-yours.md)
// without touching the checkout it runs in.
package scratch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/internal/util/dirlock"
	"github.com/portcullis-cdk/portcullis/internal/util/modroot"
)

// Copy copies the files of the checkout that git tracks or would track
// (untracked ones it does not ignore), as they are in the working tree, into
// a directory of t's, and returns the directory and the checkout's root.
// node_modules, cdk.out and the local stack's state are not copied.
//
// The directory's path is the same at every run of t from this checkout
// (stableDir): the go command's build cache keys a module's compiled
// packages by its directory, so a run reuses what the one before compiled
// in the copy (the recipe test's build of the app and cmd/dev: about half
// of its CPU time).
func Copy(t testing.TB) (dir, root string) {
	t.Helper()
	root, err := modroot.Dir()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files in %s: %v", root, err)
	}
	dir = stableDir(t, root)
	for _, name := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		if err := copyFile(filepath.Join(root, name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir, root
}

// stableDir is an empty directory for t under the system's temporary
// directory, named for the checkout and the test, t's alone until its
// cleanup, which removes it. A run that died before its cleanup left it
// behind: it is emptied first.
func stableDir(t testing.TB, root string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(root + "\x00" + t.Name()))
	base := filepath.Join(os.TempDir(), "portcullis-scratch", hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(base, 0o755); err != nil {
		t.Fatal(err)
	}
	unlock, err := dirlock.Lock(base)
	if err != nil {
		t.Fatalf("locking %s: %v", base, err)
	}
	dir := filepath.Join(base, "repo")
	if err := os.RemoveAll(dir); err != nil {
		unlock()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("removing the scratch copy: %v", err)
		}
		unlock()
	})
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func copyFile(src, dst string) error {
	info, err := os.Lstat(src)
	if os.IsNotExist(err) {
		return nil // deleted in the working tree, not yet in the index
	}
	if err != nil || !info.Mode().IsRegular() {
		return err
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, info.Mode().Perm())
}

// LinkTools gives dir a node_modules/.bin with the checkout's node, cdk,
// esbuild, dynalite and s3rver: links to their real files, never to the
// directory, so nothing run in dir (not even `npm ci`, which empties
// node_modules) can change the checkout's node_modules. It returns the
// .bin directory, to put first on PATH as the Makefile does.
func LinkTools(t testing.TB, dir, root string) string {
	t.Helper()
	bin := filepath.Join(dir, "node_modules", ".bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"node", "cdk", "esbuild", "dynalite", "s3rver"} {
		real, err := filepath.EvalSymlinks(filepath.Join(root, "node_modules", ".bin", name))
		if err != nil {
			t.Skipf("%s is not installed in %s (make deps): %v", name, root, err)
		}
		if err := os.Symlink(real, filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	return bin
}

// Edit is one change a recipe makes: a new file, or lines inserted after
// the one line of an existing file that contains After.
type Edit struct {
	Path  string
	After string // empty for a new file
	Text  string
}

// Apply makes the edit in dir; an After that no line or more than one
// line contains is an error naming it, so a recipe whose anchor moved
// fails instead of editing the wrong place.
func (e Edit) Apply(dir string) error {
	path := filepath.Join(dir, filepath.FromSlash(e.Path))
	if e.After == "" {
		if _, err := os.Stat(path); err == nil {
			return fmt.Errorf("%s: a new file, but it exists", e.Path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return os.WriteFile(path, []byte(e.Text), 0o644)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	at := -1
	for i, l := range lines {
		if bytes.Contains(l, []byte(e.After)) {
			if at >= 0 {
				return fmt.Errorf("%s: more than one line has %q (lines %d and %d)", e.Path, e.After, at+1, i+1)
			}
			at = i
		}
	}
	if at < 0 {
		return fmt.Errorf("%s: no line has %q", e.Path, e.After)
	}
	var out []byte
	for i, l := range lines {
		out = append(out, l...)
		if i == at {
			out = append(out, e.Text...)
		}
	}
	return os.WriteFile(path, out, fs.FileMode(0o644))
}
