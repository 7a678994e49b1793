package bundle

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeModule creates a throwaway module with one main package.
func writeModule(t *testing.T, main string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":     "module example.test/fn\n\ngo 1.26\n",
		"fn/main.go": main,
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBuildIsReproducible(t *testing.T) {
	mod := writeModule(t, "package main\n\nfunc main() { println(\"hello\") }\n")
	var sums [][32]byte
	for range 2 {
		out := t.TempDir()
		if err := Build(context.Background(), mod, "./fn", out); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(filepath.Join(out, Binary))
		if err != nil {
			t.Fatal(err)
		}
		// An arm64 Linux ELF: magic, 64-bit, machine 0xB7 (AArch64).
		if !bytes.HasPrefix(raw, []byte("\x7fELF\x02")) || raw[18] != 0xb7 {
			t.Fatalf("bootstrap is not an arm64 ELF executable (header % x)", raw[:20])
		}
		info, _ := os.Stat(filepath.Join(out, Binary))
		if info.Mode().Perm() != 0o755 {
			t.Errorf("bootstrap mode = %v, want 0755", info.Mode().Perm())
		}
		sums = append(sums, sha256.Sum256(raw))
	}
	if sums[0] != sums[1] {
		t.Error("two builds of the same source differ")
	}
}

func TestBuildFailureCarriesCompilerMessage(t *testing.T) {
	mod := writeModule(t, "package main\n\nfunc main() { undefinedThing() }\n")
	err := Build(context.Background(), mod, "./fn", t.TempDir())
	if err == nil {
		t.Fatal("Build succeeded on code that does not compile")
	}
	if !strings.Contains(err.Error(), "undefined: undefinedThing") || !strings.Contains(err.Error(), "./fn") {
		t.Errorf("error %q lacks the compiler's message or the package", err)
	}
}

func TestBuildAllMatchesBuild(t *testing.T) {
	mod := writeModule(t, "package main\n\nfunc main() { println(\"hello\") }\n")
	for name, body := range map[string]string{
		"other/main.go":  "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"other\") }\n",
		"broken/main.go": "package main\n\nfunc main() { undefinedThing() }\n",
	} {
		if err := os.MkdirAll(filepath.Join(mod, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mod, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(dir string) []byte {
		t.Helper()
		raw, err := os.ReadFile(filepath.Join(dir, Binary))
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}

	joint := t.TempDir()
	targets := []Target{{"./fn", filepath.Join(joint, "fn")}, {"./other", filepath.Join(joint, "other")}}
	for i, err := range BuildAll(context.Background(), mod, targets) {
		if err != nil {
			t.Fatalf("%s: %v", targets[i].Package, err)
		}
	}
	for _, tg := range targets {
		alone := t.TempDir()
		if err := Build(context.Background(), mod, tg.Package, alone); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(read(tg.OutDir), read(alone)) {
			t.Errorf("%s: the joint build differs from building it alone", tg.Package)
		}
		if info, _ := os.Stat(filepath.Join(tg.OutDir, Binary)); info.Mode().Perm() != 0o755 {
			t.Errorf("%s: mode %v, want 0755", tg.Package, info.Mode().Perm())
		}
	}
	if entries, _ := os.ReadDir(joint); len(entries) != 2 {
		t.Errorf("the joint build left %d entries next to the bundles, want only the 2 bundles", len(entries))
	}

	// A package that does not compile fails alone, with its message.
	withBroken := t.TempDir()
	errs := BuildAll(context.Background(), mod, []Target{{"./fn", filepath.Join(withBroken, "fn")}, {"./broken", filepath.Join(withBroken, "broken")}})
	if errs[0] != nil {
		t.Errorf("./fn: %v, want built despite ./broken", errs[0])
	}
	if errs[1] == nil || !strings.Contains(errs[1].Error(), "undefined: undefinedThing") || !strings.Contains(errs[1].Error(), "./broken") {
		t.Errorf("./broken: %v, want the compiler's message naming the package", errs[1])
	}
}

// TestHostFlagsKeepTheBuildID checks the host build differs from the
// Lambda build only by the build id and the paths (-trimpath, which would
// compile every package a function imports again beside go test's build).
func TestHostFlagsKeepTheBuildID(t *testing.T) {
	want := []string{"-tags", "lambda.norpc", "-buildvcs=false", "-ldflags", "-s -w"}
	if got := HostFlags(); !slices.Equal(got, want) {
		t.Errorf("HostFlags() = %q, want %q", got, want)
	}
	if !slices.Contains(Flags, "-s -w -buildid=") {
		t.Errorf("Flags changed: %q", Flags)
	}
}
