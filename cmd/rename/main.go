// Command rename gives a copy of this app its own names
// (docs/make-it-yours.md): the module path, in go.mod and in every import
// of the app's packages, and the project name and brand, in their one
// place, contract/project.go. The construct library keeps its module path
// (it is a dependency, used through replace ./constructs).
//
//	go run ./cmd/rename -module example.com/myapp -project myapp -brand "My App"
package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/portcullis-cdk/portcullis/internal/util/modroot"
)

func main() {
	var to names
	flag.StringVar(&to.Module, "module", "", "the app's module path, e.g. example.com/myapp (default: unchanged)")
	flag.StringVar(&to.Project, "project", "", "the project's name in AWS: stacks are <project>-<stage> (3-32 lower-case letters, digits, hyphens; required)")
	flag.StringVar(&to.Brand, "brand", "", "the app's name as users read it, e.g. \"My App\" (at most 40 characters; required)")
	flag.Parse()
	root, err := modroot.Dir()
	if err == nil {
		err = rename(root, to)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "rename:", err)
		os.Exit(1)
	}
}

// names are the app's names.
type names struct{ Module, Project, Brand string }

// The rules of a stage's Project (stage.Config.Validate) and of the
// custom message trigger's APP_NAME.
var (
	projectName = regexp.MustCompile(`^[a-z][a-z0-9-]{1,30}[a-z0-9]$`)
	modulePath  = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*(/[A-Za-z0-9._~-]+)*$`)
)

const maxBrand = 40

func (n names) validate() error {
	var errs []error
	if n.Module != "" && !modulePath.MatchString(n.Module) {
		errs = append(errs, fmt.Errorf("-module %q: want a module path such as example.com/myapp", n.Module))
	}
	if !projectName.MatchString(n.Project) {
		errs = append(errs, fmt.Errorf("-project %q: want 3-32 lower-case letters, digits or hyphens, starting with a letter", n.Project))
	}
	if n.Brand == "" || utf8.RuneCountInString(n.Brand) > maxBrand || strings.ContainsAny(n.Brand, "\n\r\t") {
		errs = append(errs, fmt.Errorf("-brand %q: want 1 to %d characters on one line", n.Brand, maxBrand))
	}
	return errors.Join(errs...)
}

// rename renames the app rooted at root.
func rename(root string, to names) error {
	if err := to.validate(); err != nil {
		return err
	}
	if to.Module != "" {
		from, err := currentModule(root)
		if err != nil {
			return err
		}
		if from != to.Module {
			if err := renameModule(root, from, to.Module); err != nil {
				return err
			}
			if err := renameBinary(root, path.Base(from), path.Base(to.Module)); err != nil {
				return err
			}
		}
	}
	return renameProject(filepath.Join(root, "contract", "project.go"), to)
}

func currentModule(root string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`(?m)^module\s+(\S+)\s*$`).FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("%s/go.mod names no module", root)
	}
	return string(m[1]), nil
}

// renameModule rewrites from to to in go.mod and the Go files of the app's
// module: the nested modules (a directory with a go.mod of its own) and
// the library's path, from+"/constructs", stay as they are.
func renameModule(root, from, to string) error {
	ref := regexp.MustCompile(regexp.QuoteMeta(from) + `(/[A-Za-z0-9._~-]+)*`)
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == root {
				return nil
			}
			switch d.Name() {
			case ".git", "node_modules", "cdk.out", ".dev", ".build":
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") && p != filepath.Join(root, "go.mod") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out := ref.ReplaceAllStringFunc(string(b), func(m string) string {
			tail := strings.TrimPrefix(m, from)
			if tail == "/constructs" || strings.HasPrefix(tail, "/constructs/") {
				return m
			}
			return to + tail
		})
		if out == string(b) {
			return nil
		}
		return os.WriteFile(p, []byte(out), 0o644)
	})
}

// renameBinary renames the ignored binary of `go build` in the module
// root, named for the module path's last element, in .gitignore.
func renameBinary(root, from, to string) error {
	file := filepath.Join(root, ".gitignore")
	b, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	out := regexp.MustCompile(`(?m)^/`+regexp.QuoteMeta(from)+`$`).ReplaceAllLiteral(b, []byte("/"+to))
	return os.WriteFile(file, out, 0o644)
}

// renameProject sets Project and Brand in contract/project.go.
func renameProject(file string, to names) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	s := string(b)
	for name, value := range map[string]string{"Project": to.Project, "Brand": to.Brand} {
		line := regexp.MustCompile(`(?m)^(\t` + name + ` = )".*"$`)
		if len(line.FindAllString(s, -1)) != 1 {
			return fmt.Errorf("%s: want one line `%s = \"...\"`", file, name)
		}
		s = line.ReplaceAllLiteralString(s, "\t"+name+" = "+strconv.Quote(value))
	}
	return os.WriteFile(file, []byte(s), 0o644)
}
