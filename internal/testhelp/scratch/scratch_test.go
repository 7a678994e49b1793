package scratch

import (
	"os"
	"path/filepath"
	"testing"
)

// named is t under another test's name.
type named struct {
	testing.TB
	name string
}

func (n named) Name() string { return n.name }

// TestStableDir: a test's scratch directory has the same path at every run
// from one checkout (what lets the build cache serve the copy), another
// path for another test or checkout, and is gone after the test.
func TestStableDir(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir()) // the made-up checkouts' directories
	var first string
	t.Run("first run", func(t *testing.T) {
		first = stableDir(named{t, "TestRecipe"}, "/checkout")
		if err := os.WriteFile(filepath.Join(first, "left.go"), []byte("package x"), 0o644); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := os.Stat(first); !os.IsNotExist(err) {
		t.Errorf("%s is left after its test: %v", first, err)
	}
	t.Run("next run", func(t *testing.T) {
		if dir := stableDir(named{t, "TestRecipe"}, "/checkout"); dir != first {
			t.Errorf("the next run's directory is %s, the first's %s", dir, first)
		}
		for _, other := range []string{
			stableDir(named{t, "TestRename"}, "/checkout"),
			stableDir(named{t, "TestRecipe"}, "/another-checkout"),
		} {
			if other == first {
				t.Errorf("another test or checkout shares %s", first)
			}
		}
	})
}
