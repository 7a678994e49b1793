package web

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/internal/util/modroot"
)

func build(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "site")
	if err := Build(out); err != nil {
		t.Fatal(err)
	}
	return out
}

// tree reads every file under dir.
func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = raw
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestBuildIsDeterministic builds twice: the same bytes under the same
// names, so a deploy of an unchanged app uploads nothing new.
func TestBuildIsDeterministic(t *testing.T) {
	a, b := tree(t, build(t)), tree(t, build(t))
	if len(a) != len(b) {
		t.Fatalf("two builds made %d and %d files", len(a), len(b))
	}
	for name, raw := range a {
		if !bytes.Equal(raw, b[name]) {
			t.Errorf("%s differs between two builds", name)
		}
	}
}

// TestBuildOutput checks the page references the hashed bundle, carries no
// inline script or style (the CSP allows neither) and that no source map or
// config.json (each stage writes its own) is shipped.
func TestBuildOutput(t *testing.T) {
	files := tree(t, build(t))
	page := string(files["index.html"])
	var js, css string
	for name := range files {
		switch {
		case strings.HasPrefix(name, "assets/main-") && strings.HasSuffix(name, ".js"):
			js = "/" + name
		case strings.HasPrefix(name, "assets/main-") && strings.HasSuffix(name, ".css"):
			css = "/" + name
		case strings.HasSuffix(name, ".map"), name == "config.json":
			t.Errorf("the build ships %s", name)
		}
	}
	if js == "" || css == "" {
		t.Fatalf("no hashed bundle among %v", keys(files))
	}
	for _, want := range []string{`<script type="module" src="` + js + `"></script>`, `<link rel="stylesheet" href="` + css + `">`, `href="/favicon.svg"`} {
		if !strings.Contains(page, want) {
			t.Errorf("index.html lacks %s:\n%s", want, page)
		}
	}
	for _, want := range []string{"<title>" + contract.Brand + "</title>", `<meta name="application-name" content="` + contract.Brand + `">`} {
		if !strings.Contains(page, want) {
			t.Errorf("index.html lacks the brand (contract.Brand) in %s:\n%s", want, page)
		}
	}
	if strings.Count(page, "<script") != 1 || strings.Contains(page, "<style") || strings.Contains(page, "style=") {
		t.Errorf("index.html has inline script or style:\n%s", page)
	}
	if _, ok := files["favicon.svg"]; !ok {
		t.Error("no favicon.svg")
	}
}

// TestFillPage: the brand is escaped as HTML, and a page without the
// placeholders the build and the app's script rely on is refused.
func TestFillPage(t *testing.T) {
	const page = "<title>{{brand}}</title>\n" + brandMeta + "\n<link href=\"{{stylesheet}}\"><script src=\"{{script}}\"></script>"
	for _, tc := range []struct {
		name, page, brand, want, err string
	}{
		{"plain", page, "My App", "<title>My App</title>\n<meta name=\"application-name\" content=\"My App\">\n<link href=\"/a.css\"><script src=\"/a.js\"></script>", ""},
		{"escaped", page, `Tom & "Jerry" <Co>`, `<title>Tom &amp; &#34;Jerry&#34; &lt;Co&gt;</title>` + "\n" + `<meta name="application-name" content="Tom &amp; &#34;Jerry&#34; &lt;Co&gt;">`, ""},
		{"no meta", strings.Replace(page, brandMeta, "", 1), "My App", "", brandMeta},
		{"two scripts", page + "{{script}}", "My App", "", "{{script}} exactly once"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := fillPage(tc.page, "/a.js", "/a.css", tc.brand)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("fillPage = %v, want an error naming %q", err, tc.err)
				}
				return
			}
			if err != nil || !strings.HasPrefix(got, tc.want) {
				t.Errorf("fillPage = %q, %v, want %q", got, err, tc.want)
			}
		})
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestFirstLoadWithinBudget measures what a browser fetches to show the
// first screen, gzip-compressed, against Budget. `make web-size` prints it.
func TestFirstLoadWithinBudget(t *testing.T) {
	load, err := FirstLoad(build(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first load:\n%s", load)
	if len(load.Files) != 5 {
		t.Errorf("first load counts %d files, want index.html, script, stylesheet, icon and config.json", len(load.Files))
	}
	if n := load.GzipBytes(); n > Budget {
		t.Errorf("first load is %d bytes gzip, over the budget of %d", n, Budget)
	}
}

// TestBuildNeedsNodeModules: without npm ci, the error says what to run.
func TestBuildNeedsNodeModules(t *testing.T) {
	root, err := modroot.Dir()
	if err != nil {
		t.Fatal(err)
	}
	fake := t.TempDir()
	if err := os.CopyFS(filepath.Join(fake, SourceDir), os.DirFS(filepath.Join(root, SourceDir))); err != nil {
		t.Fatal(err)
	}
	err = BuildIn(fake, filepath.Join(t.TempDir(), "site"))
	if err == nil || !strings.Contains(err.Error(), "npm ci") {
		t.Errorf("build without node_modules: %v, want an error naming npm ci", err)
	}
}

// TestBuildRefusesForeignDirectory: Build replaces its output directory,
// so it refuses one that is not a previous build.
func TestBuildRefusesForeignDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Build(dir); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Errorf("Build into a foreign directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Errorf("the foreign file is gone: %v", err)
	}
	// A previous build is replaced, stale assets and all.
	site := build(t)
	stale := filepath.Join(site, "assets", "main-OLD.js")
	if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Build(site); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("a stale asset survived a rebuild")
	}
}
