// Package exampledoc keeps a package's Example functions in its package
// documentation, so `go doc -all` (which prints no examples of its own)
// shows a reader the same code the tests run. The package comment ends
// with an "# Examples" section holding each example's comment and body;
// Check compares that section with the examples, or rewrites it.
package exampledoc

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// heading starts the section; everything after it up to the end of the
// package comment is generated.
const heading = "// # Examples"

// Check fails t if the package comment of the package in the working
// directory does not end with the section Render makes of its examples;
// with update, it rewrites the section instead.
func Check(t *testing.T, update bool) {
	t.Helper()
	want, err := Render(".")
	if err != nil {
		t.Fatal(err)
	}
	file, src, start, end, err := section(".")
	if err != nil {
		t.Fatal(err)
	}
	if string(src[start:end]) == want {
		return
	}
	if update {
		out := append(append(append([]byte{}, src[:start]...), want...), src[end:]...)
		if err := os.WriteFile(file, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the # Examples section of the package comment in %s differs from the Example functions; run go test -run %s -update\nwant:\n%s", file, t.Name(), want)
}

// Render is the section for the examples of the package in dir: a heading,
// then for each example in go doc's order its comment, the function it
// shows and its body as a code block.
func Render(dir string) (string, error) {
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		return "", err
	}
	type example struct{ name, doc, body string }
	var examples []example
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			return "", err
		}
		f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
		if err != nil {
			return "", err
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Example") || fn.Body == nil {
				continue
			}
			body := src[fset.Position(fn.Body.Lbrace).Offset+1 : fset.Position(fn.Body.Rbrace).Offset]
			examples = append(examples, example{fn.Name.Name, fn.Doc.Text(), string(body)})
		}
	}
	if len(examples) == 0 {
		return "", fmt.Errorf("no Example functions in %s", dir)
	}
	sort.Slice(examples, func(i, j int) bool { return examples[i].name < examples[j].name })
	var b strings.Builder
	b.WriteString(heading + "\n")
	for _, e := range examples {
		b.WriteString("//\n// " + title(e.name) + "\n")
		for _, line := range strings.Split(strings.TrimSpace(e.doc), "\n") {
			b.WriteString(strings.TrimRight("// "+line, " ") + "\n")
		}
		b.WriteString("//\n")
		for _, line := range strings.Split(strings.Trim(e.body, "\n"), "\n") {
			if line = strings.TrimPrefix(line, "\t"); line == "" {
				b.WriteString("//\n")
			} else {
				b.WriteString("//\t" + line + "\n")
			}
		}
	}
	return b.String(), nil
}

// title names what an example shows: ExampleNewTable_existing is
// "NewTable (existing):".
func title(name string) string {
	name = strings.TrimPrefix(name, "Example")
	if base, suffix, ok := strings.Cut(name, "_"); ok {
		return base + " (" + suffix + "):"
	}
	return name + ":"
}

// section finds the generated section: from the heading to the end of the
// package comment of the one file that has the heading.
func section(dir string) (file string, src []byte, start, end int, err error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return "", nil, 0, 0, err
	}
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return "", nil, 0, 0, err
		}
		pkg := bytes.Index(src, []byte("\npackage "))
		at := bytes.Index(src, []byte(heading+"\n"))
		if at < 0 || pkg < 0 || at > pkg {
			continue
		}
		return path, src, at, pkg + 1, nil
	}
	return "", nil, 0, 0, fmt.Errorf("no package comment in %s has a %q line: add one at its end", dir, heading)
}
