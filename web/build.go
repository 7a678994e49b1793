// Package web builds the single-page app in web/src: plain modules bundled
// by the esbuild that package-lock.json pins, with oidc-client-ts (hosted
// UI, authorization code + PKCE) and amazon-cognito-identity-js (the custom
// UI's SRP sign-in and account calls; src/cognito.js makes the user pool
// calls it lacks: choice-based sign-in, passkeys, refresh with rotation).
// The same files serve every stage: the app reads its stage from
// /config.json (webconfig.Config) at start.
package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/internal/util/modroot"
)

// SourceDir is the app's source, relative to the module root.
const SourceDir = "web/src"

// entry is the bundle's entry module inside SourceDir.
const entry = "main.js"

// Build writes the app into outDir: index.html, favicon.svg and the
// content-hashed bundle under assets/ (long-cacheable; only index.html and
// config.json must be revalidated). The output is byte-for-byte the same
// for the same sources and pinned esbuild. It needs `npm ci` (or `make
// deps`) to have installed node_modules in the module root; it does not
// write config.json, which each stage provides.
func Build(outDir string) error {
	root, err := modroot.Dir()
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	return BuildIn(root, outDir)
}

// BuildIn is Build for the module rooted at moduleDir.
func BuildIn(moduleDir, outDir string) error {
	if err := checkOutDir(outDir); err != nil {
		return err
	}
	// esbuild runs in the source directory: every path it gets is absolute.
	outDir, err := filepath.Abs(outDir)
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	esbuild := filepath.Join(moduleDir, "node_modules", ".bin", "esbuild")
	if _, err := os.Stat(esbuild); err != nil {
		return fmt.Errorf("web: %s not found: run `npm ci` (or `make deps`) in %s to install the pinned esbuild", esbuild, moduleDir)
	}
	src := filepath.Join(moduleDir, SourceDir)
	// The build lands beside outDir, so the final rename stays on one file
	// system.
	parent := filepath.Dir(filepath.Clean(outDir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("web: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, ".web-build-")
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	defer os.RemoveAll(tmp)

	meta := filepath.Join(tmp, "meta.json")
	dist := filepath.Join(tmp, "dist")
	cmd := exec.Command(esbuild, entry,
		"--bundle", "--minify", "--format=esm", "--platform=browser", "--target=es2022",
		"--outdir="+dist, "--entry-names=assets/[name]-[hash]", "--asset-names=assets/[name]-[hash]",
		"--metafile="+meta, "--legal-comments=linked", "--charset=utf8", "--log-level=warning",
		// The SDK code checks process.env.NODE_ENV; nothing else of Node is used.
		"--define:process.env.NODE_ENV=\"production\"", "--define:global=globalThis",
	)
	cmd.Dir = src
	// The esbuild package's launcher is a Node script where its install
	// script did not replace it with the binary: run it with the Node 22
	// of node_modules, never an older system one.
	cmd.Env = append(os.Environ(), "PATH="+filepath.Join(moduleDir, "node_modules", ".bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("web: esbuild %s: %w\n%s", filepath.Join(SourceDir, entry), err, out.String())
	}
	if strings.TrimSpace(out.String()) != "" {
		// A warning (an unresolved import, a duplicate key) is a defect here.
		return fmt.Errorf("web: esbuild warned:\n%s", out.String())
	}
	js, css, err := bundleNames(meta, src, dist)
	if err != nil {
		return err
	}
	page, err := os.ReadFile(filepath.Join(src, "index.html"))
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	index, err := fillPage(string(page), js, css, contract.Brand)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dist, "index.html"), []byte(index), 0o644); err != nil {
		return fmt.Errorf("web: %w", err)
	}
	icon, err := os.ReadFile(filepath.Join(src, "favicon.svg"))
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dist, "favicon.svg"), icon, 0o644); err != nil {
		return fmt.Errorf("web: %w", err)
	}
	if err := os.RemoveAll(outDir); err != nil {
		return fmt.Errorf("web: %w", err)
	}
	if err := os.Rename(dist, outDir); err != nil {
		return fmt.Errorf("web: %w", err)
	}
	return nil
}

// checkOutDir refuses to replace a directory that is not a previous build
// (or empty): Build replaces outDir whole so no stale asset is deployed.
func checkOutDir(outDir string) error {
	if outDir == "" {
		return errors.New("web: empty output directory")
	}
	entries, err := os.ReadDir(outDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("web: output directory: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(outDir, "index.html")); err != nil {
		return fmt.Errorf("web: output directory %s is neither empty nor a previous build (no index.html): refusing to replace it", outDir)
	}
	return nil
}

// bundleNames reads esbuild's metafile for the site paths of the entry's
// script and stylesheet.
func bundleNames(metaFile, workDir, dist string) (js, css string, err error) {
	raw, err := os.ReadFile(metaFile)
	if err != nil {
		return "", "", fmt.Errorf("web: %w", err)
	}
	var meta struct {
		Outputs map[string]struct {
			EntryPoint string `json:"entryPoint"`
			CSSBundle  string `json:"cssBundle"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return "", "", fmt.Errorf("web: esbuild metafile: %w", err)
	}
	keys := make([]string, 0, len(meta.Outputs))
	for k := range meta.Outputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		o := meta.Outputs[k]
		if o.EntryPoint != entry {
			continue
		}
		if js, err = sitePath(k, workDir, dist); err != nil {
			return "", "", err
		}
		if o.CSSBundle != "" {
			if css, err = sitePath(o.CSSBundle, workDir, dist); err != nil {
				return "", "", err
			}
		}
	}
	if js == "" || css == "" {
		return "", "", fmt.Errorf("web: esbuild's metafile names no script or stylesheet for %s", entry)
	}
	return js, css, nil
}

// sitePath turns an output path of the metafile (relative to esbuild's
// working directory) into the absolute path the site serves it at.
func sitePath(output, workDir, dist string) (string, error) {
	abs := filepath.FromSlash(output)
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(workDir, abs)
	}
	rel, err := filepath.Rel(dist, abs)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("web: esbuild output %q is not under %s", output, dist)
	}
	return path.Join("/", filepath.ToSlash(rel)), nil
}

// brandMeta is where the page carries the brand for the app's script
// (web/src/ui.js reads it): the CSP allows no inline script to set it.
const brandMeta = `<meta name="application-name" content="{{brand}}">`

// fillPage puts the bundle's names and the brand (contract.Brand, in the
// title and brandMeta) into the page's placeholders.
func fillPage(page, js, css, brand string) (string, error) {
	for _, p := range []string{"{{script}}", "{{stylesheet}}", brandMeta} {
		if strings.Count(page, p) != 1 {
			return "", fmt.Errorf("web: %s/index.html must contain %s exactly once", SourceDir, p)
		}
	}
	return strings.NewReplacer("{{script}}", js, "{{stylesheet}}", css, "{{brand}}", html.EscapeString(brand)).Replace(page), nil
}
