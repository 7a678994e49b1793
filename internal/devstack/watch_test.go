package devstack

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/util/modroot"
)

// TestSourceDirs maps the module's directories to the functions built from
// them: a handler package to its function only, a shared package to every
// function importing it, the module root to all.
func TestSourceDirs(t *testing.T) {
	plan, err := ReadPlan(golden)
	if err != nil {
		t.Fatal(err)
	}
	root, err := modroot.Dir()
	if err != nil {
		t.Fatal(err)
	}
	s := &Stack{moduleDir: root, lambdas: plan.lambdas()}
	dirs, err := s.sourceDirs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fnOf := func(dir string) []string {
		w := dirs[filepath.Join(root, dir)]
		if w == nil {
			return nil
		}
		var pkgs []string
		for _, id := range w.functions {
			pkgs = append(pkgs, s.lambdas[id].Package)
		}
		slices.Sort(pkgs)
		return pkgs
	}
	if got := fnOf("lambdas/random"); !slices.Equal(got, []string{"./lambdas/cmd/random"}) {
		t.Errorf("lambdas/random builds %v", got)
	}
	if got := fnOf("lambdas/httpapi"); !slices.Contains(got, "./lambdas/cmd/todos") || slices.Contains(got, "./lambdas/cmd/presignup") {
		t.Errorf("lambdas/httpapi builds %v", got)
	}
	if got := fnOf(""); len(got) != len(s.lambdas) {
		t.Errorf("the module root builds %v, want every function", got)
	}
	if got := fnOf("internal/devstack"); got != nil {
		t.Errorf("internal/devstack builds %v, want no function", got)
	}

	// The app imports the constructs, a module of their own in the
	// repository.
	app, err := packageDirs(context.Background(), root, nil, map[string]string{"app": "."})
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"", "stage", "constructs/golambda", "constructs/auth"} {
		if app[filepath.Join(root, dir)] == nil {
			t.Errorf("the app's sources leave out %q", dir)
		}
	}
}

// TestAffected: a changed, added or removed file marks the functions of its
// directory; tests and hidden files do not count.
func TestAffected(t *testing.T) {
	root := t.TempDir()
	pkg := filepath.Join(root, "pkg")
	if err := os.Mkdir(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(pkg, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.go", "package pkg")
	dirs := map[string]*watchedDir{pkg: {functions: []string{"Fn"}}, root: {functions: []string{"Fn", "Other"}}}
	before := snapshot(root, dirs)
	for _, step := range []struct {
		do   func()
		want []string
	}{
		{func() { write("a_test.go", "package pkg") }, nil},
		{func() { write(".a.go.swp", "x") }, nil},
		{func() { write("a.go", "package pkg // changed") }, []string{"Fn"}},
		{func() { write("b.go", "package pkg") }, []string{"Fn"}},
		{func() { os.Remove(filepath.Join(pkg, "b.go")) }, []string{"Fn"}},
		{func() { os.WriteFile(filepath.Join(root, "README.md"), []byte("x"), 0o644) }, nil},
		{func() { os.WriteFile(filepath.Join(root, "go.sum"), []byte("x"), 0o644) }, []string{"Fn", "Other"}},
	} {
		time.Sleep(10 * time.Millisecond) // a new modification time
		step.do()
		after := snapshot(root, dirs)
		if got := affected(dirs, before, after); !slices.Equal(got, step.want) {
			t.Errorf("affected %v, want %v", got, step.want)
		}
		before = after
	}
}

// TestPollSourcesNewDirectory: an edit whose change adds a directory to the
// watched list (a new import) is one change; the new directory is compared
// with its state when it was listed, not with nothing, so it is not a second.
func TestPollSourcesNewDirectory(t *testing.T) {
	root := t.TempDir()
	pkg, added := filepath.Join(root, "pkg"), filepath.Join(root, "added")
	for _, d := range []string{pkg, added} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "a.go"), []byte("package x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	listed, calls := 0, 0
	list := func(context.Context) (map[string]*watchedDir, error) {
		mu.Lock()
		defer mu.Unlock()
		listed++
		dirs := map[string]*watchedDir{pkg: {functions: []string{"app"}}}
		if listed > 1 {
			dirs[added] = &watchedDir{functions: []string{"app"}}
		}
		return dirs, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- pollSources(ctx, root, 5*time.Millisecond, list, nil, func([]string) {
			mu.Lock()
			calls++
			mu.Unlock()
		})
	}()
	// The directories listed (and, a moment later, seeded) before the edit,
	// on a loaded machine too.
	waitListed := func(n int) {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			seen := listed
			mu.Unlock()
			if seen >= n {
				return
			}
		}
	}
	waitListed(1)
	time.Sleep(30 * time.Millisecond)
	if err := os.WriteFile(filepath.Join(pkg, "a.go"), []byte("package x // imports added"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitListed(2)
	time.Sleep(100 * time.Millisecond) // twenty ticks with the new directory listed
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("one edit: changed called %d times, want 1", calls)
	}
}

// TestSettle: an edit that lands in several writes, ticks apart (an editor
// truncating a file, then writing it, then another file), is one change:
// settle returns at the first tick that sees nothing new, with every
// function any of the writes affected and the files as they ended.
func TestSettle(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	write := func(path, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(a, "a.go"), "package a")
	write(filepath.Join(b, "b.go"), "package b")
	dirs := map[string]*watchedDir{a: {functions: []string{"A"}}, b: {functions: []string{"B"}}}
	before := snapshot(root, dirs)

	write(filepath.Join(a, "a.go"), "") // the editor's truncation, seen by a tick
	now := snapshot(root, dirs)
	ids := affected(dirs, before, now)
	tick := make(chan time.Time)
	type settled struct {
		state map[string]map[string]fileState
		ids   []string
	}
	done := make(chan settled, 1)
	go func() {
		state, ids := settle(context.Background(), tick, root, dirs, now, ids)
		done <- settled{state, ids}
	}()

	write(filepath.Join(a, "a.go"), "package a // edited") // its write, before the next tick
	tick <- time.Now()
	select {
	case r := <-done:
		t.Fatalf("settled with a write since the last tick: %v", r.ids)
	default:
	}
	write(filepath.Join(b, "b.go"), "package b // edited")
	var got settled
	for got.state == nil { // a tick or two: the first may have seen b's write already
		select {
		case tick <- time.Now():
		case got = <-done:
		}
	}
	if !slices.Equal(got.ids, []string{"A", "B"}) {
		t.Errorf("settled ids %v, want [A B]", got.ids)
	}
	if ids := affected(dirs, got.state, snapshot(root, dirs)); len(ids) != 0 {
		t.Errorf("settled state differs from the files in %v", ids)
	}

	// A stop while waiting is no change.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if state, ids := settle(ctx, make(chan time.Time), root, dirs, now, []string{"A"}); state != nil || ids != nil {
		t.Errorf("settle after ctx ended: %v %v, want nil", state, ids)
	}
}
