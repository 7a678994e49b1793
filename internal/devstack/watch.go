package devstack

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/emulated/locallambda"
)

// DefaultWatchInterval is how often Watch looks at the sources.
const DefaultWatchInterval = 150 * time.Millisecond

// Watch keeps the functions' code live: when a source of a function's
// package, or of a package of the module it imports, changes (or go.mod,
// go.sum), it rebuilds that function's bootstrap and replaces its code: new
// invocations run the new code, those in flight finish on the old. A build
// that fails is logged with the compiler's message and the old code keeps
// serving. Built reports each rebuild. Watch returns when ctx ends.
func (s *Stack) Watch(ctx context.Context, every time.Duration, built func(Rebuild)) error {
	// Against the sources as they were built: an edit made since is seen.
	return pollSources(ctx, s.moduleDir, every, s.sourceDirs, s.builtFrom, func(ids []string) {
		r := s.rebuild(ctx, ids)
		if built != nil {
			built(r)
		}
	})
}

// pollSources looks at the sources of the directories list returns, every
// tick until ctx ends, and calls changed with the ids of the directories
// whose files differ from seen (a snapshot of them now when seen is nil),
// once they have settled (settle).
// After a change the directories are listed again, since the imports may
// have changed with the code: a directory new to the list starts from its
// state then, the others keep the state the change was seen against, so an
// edit made while changed ran is seen at the next tick.
func pollSources(ctx context.Context, moduleDir string, every time.Duration,
	list func(context.Context) (map[string]*watchedDir, error),
	seen map[string]map[string]fileState, changed func(ids []string)) error {
	if every <= 0 {
		every = DefaultWatchInterval
	}
	dirs, err := list(ctx)
	if err != nil {
		return err
	}
	if seen == nil {
		seen = snapshot(moduleDir, dirs)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		now := snapshot(moduleDir, dirs)
		ids := affected(dirs, seen, now)
		if len(ids) == 0 {
			continue
		}
		if now, ids = settle(ctx, tick.C, moduleDir, dirs, now, ids); now == nil {
			return nil
		}
		seen = now
		changed(ids)
		if d, err := list(ctx); err == nil {
			fresh := snapshot(moduleDir, d)
			for dir := range d {
				if files, ok := seen[dir]; ok {
					fresh[dir] = files
				}
			}
			dirs, seen = d, fresh
		}
	}
}

// settle waits, tick by tick, for a tick that sees the files as the one
// before it did, and returns that state and every id changed meanwhile: an
// edit can land in more than one write (an editor truncates the file, then
// writes it), which is one change, not one per write. It returns nil when
// ctx ends first.
func settle(ctx context.Context, tick <-chan time.Time, moduleDir string, dirs map[string]*watchedDir,
	now map[string]map[string]fileState, ids []string) (map[string]map[string]fileState, []string) {
	for {
		select {
		case <-ctx.Done():
			return nil, nil
		case <-tick:
		}
		next := snapshot(moduleDir, dirs)
		more := affected(dirs, now, next)
		if len(more) == 0 {
			return now, ids
		}
		ids = slices.Compact(slices.Sorted(slices.Values(append(ids, more...))))
		now = next
	}
}

// FunctionStats are each function's execution environments (processes),
// by package name: running now and the most at once.
func (s *Stack) FunctionStats() map[string]locallambda.Stats {
	out := map[string]locallambda.Stats{}
	for id, fn := range s.functions {
		out[path.Base(s.lambdas[id].Package)] = fn.Stats()
	}
	return out
}

// Rebuild is one rebuild of functions whose sources changed.
type Rebuild struct {
	// Functions are the functions rebuilt, by package name.
	Functions []string
	// Took is the build's time, from the change seen to the code in place.
	Took time.Duration
	// Err is the failed build (the functions keep their code).
	Err error
}

// rebuild builds the functions ids and hands each its new bootstrap.
func (s *Stack) rebuild(ctx context.Context, ids []string) Rebuild {
	started := time.Now()
	var r Rebuild
	var pkgs []string
	for _, id := range ids {
		pkgs = append(pkgs, s.lambdas[id].Package)
		r.Functions = append(r.Functions, path.Base(s.lambdas[id].Package))
	}
	bins, err := locallambda.Build(ctx, s.moduleDir, s.buildDir, pkgs)
	if err != nil {
		r.Err, r.Took = err, time.Since(started)
		return r
	}
	for _, id := range ids {
		l := s.lambdas[id]
		s.generation++
		bootstrap, err := locallambda.Install(bins[l.Package], filepath.Join(s.runDir, id, fmt.Sprint(s.generation)), handlerOf(l))
		if err != nil {
			r.Err = err
			continue
		}
		s.functions[id].Replace(bootstrap)
	}
	r.Took = time.Since(started)
	return r
}

// watchedDir is a directory of the module whose files some functions (or
// the app) are built from.
type watchedDir struct {
	functions []string // logical ids, or the caller's keys
}

// sourceDirs maps each directory of the module that a function is built
// from to those functions, as `go list` resolves them for this machine's
// build (packageDirs).
func (s *Stack) sourceDirs(ctx context.Context) (map[string]*watchedDir, error) {
	pkgs := map[string]string{}
	for id, l := range s.lambdas {
		pkgs[id] = l.Package
	}
	return packageDirs(ctx, s.moduleDir, []string{"-tags", "lambda.norpc"}, pkgs)
}

// packageDirs maps each directory of the repository at moduleDir that one
// of the main packages pkgs (by a key of the caller's) is built from to
// their keys: the package's own directory and those of every package of the
// repository it imports (the main module's and a module it replaces with a
// directory of the repository). The module root is every key's, for go.mod and go.sum.
func packageDirs(ctx context.Context, moduleDir string, flags []string, pkgs map[string]string) (map[string]*watchedDir, error) {
	var list []string
	for _, p := range pkgs {
		list = append(list, p)
	}
	sort.Strings(list)
	args := append([]string{"list", "-deps"}, flags...)
	// The repository's packages: the main module's and those of modules it
	// replaces with a directory (constructs/), which go list does not
	// count as the main module.
	args = append(args, "-f", "{{if .Module}}{{if or .Module.Main .Module.Replace}}{{.ImportPath}}\t{{.Dir}}\t{{join .Deps \" \"}}{{end}}{{end}}")
	cmd := exec.CommandContext(ctx, "go", append(args, list...)...)
	cmd.Dir = moduleDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing the packages of %s: %w\n%s", strings.Join(list, " "), err, strings.TrimSpace(stderr.String()))
	}
	dirOf := map[string]string{}    // import path -> dir, the module's packages
	depsOf := map[string][]string{} // import path -> its dependencies
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), "\t", 3)
		if len(parts) != 3 {
			continue
		}
		if !within(moduleDir, parts[1]) {
			continue
		}
		dirOf[parts[0]] = parts[1]
		depsOf[parts[0]] = strings.Fields(parts[2])
	}
	dirs := map[string]*watchedDir{}
	add := func(dir, key string) {
		if dirs[dir] == nil {
			dirs[dir] = &watchedDir{}
		}
		dirs[dir].functions = append(dirs[dir].functions, key)
	}
	for key, pkg := range pkgs {
		ip := mainImportPath(pkg, moduleDir, dirOf)
		if ip == "" {
			return nil, fmt.Errorf("%s: go list does not list package %s", key, pkg)
		}
		add(moduleDir, key)
		add(dirOf[ip], key)
		for _, d := range depsOf[ip] {
			if dir, ok := dirOf[d]; ok {
				add(dir, key)
			}
		}
	}
	return dirs, nil
}

// WatchApp calls changed when a source of the CDK app changes: the main
// package in moduleDir, the module's packages it imports, cdk.json, go.mod
// or go.sum. It returns when ctx ends.
func WatchApp(ctx context.Context, moduleDir string, every time.Duration, changed func()) error {
	list := func(ctx context.Context) (map[string]*watchedDir, error) {
		return packageDirs(ctx, moduleDir, nil, map[string]string{"app": "."})
	}
	return pollSources(ctx, moduleDir, every, list, nil, func([]string) { changed() })
}

// within reports whether dir is root or below it.
func within(root, dir string) bool {
	rel, err := filepath.Rel(root, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// mainImportPath is the import path of pkg, given as an import path or as
// a path relative to the module.
func mainImportPath(pkg, moduleDir string, dirOf map[string]string) string {
	if _, ok := dirOf[pkg]; ok {
		return pkg
	}
	want := filepath.Join(moduleDir, filepath.FromSlash(pkg))
	for ip, dir := range dirOf {
		if dir == want {
			return ip
		}
	}
	return ""
}

// fileState is what a change of a file changes.
type fileState struct {
	size int64
	mod  time.Time
}

// snapshot records the build inputs of each directory: its files except
// tests and hidden ones (embedded files count), and at the module root, whose
// other files are the repository's, its Go files, go.mod, go.sum and
// cdk.json (the app's context).
func snapshot(root string, dirs map[string]*watchedDir) map[string]map[string]fileState {
	out := make(map[string]map[string]fileState, len(dirs))
	for dir := range dirs {
		files := map[string]fileState{}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, "_test.go") ||
				dir == root && !strings.HasSuffix(name, ".go") && name != "go.mod" && name != "go.sum" && name != "cdk.json" {
				continue
			}
			if info, err := e.Info(); err == nil {
				files[name] = fileState{size: info.Size(), mod: info.ModTime()}
			}
		}
		out[dir] = files
	}
	return out
}

// snapshotTree records the build inputs of every directory of the module
// (not node_modules, cdk.out or hidden ones), before a build reads them.
func snapshotTree(root string) map[string]map[string]fileState {
	dirs := map[string]*watchedDir{}
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if name := d.Name(); p != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "cdk.out") {
			return filepath.SkipDir
		}
		dirs[p] = &watchedDir{}
		return nil
	})
	return snapshot(root, dirs)
}

// affected are the functions with a directory whose files changed.
func affected(dirs map[string]*watchedDir, before, after map[string]map[string]fileState) []string {
	ids := map[string]bool{}
	for dir, w := range dirs {
		if equalFiles(before[dir], after[dir]) {
			continue
		}
		for _, id := range w.functions {
			ids[id] = true
		}
	}
	out := make([]string, 0, len(ids))
	for id := range ids {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func equalFiles(a, b map[string]fileState) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w.size != v.size || !w.mod.Equal(v.mod) {
			return false
		}
	}
	return true
}
