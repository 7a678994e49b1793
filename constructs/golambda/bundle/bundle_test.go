package bundle

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
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
