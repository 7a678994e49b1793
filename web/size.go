package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Budget is the most the first load may transfer, gzip-compressed.
const Budget = 100 << 10

// File is one response of the first load.
type File struct {
	Path      string // site path, "/index.html"
	Bytes     int    // uncompressed
	GzipBytes int    // gzip at the default level, as a CDN or server sends it
}

// Load is what a browser fetches to show the first screen.
type Load struct {
	Files []File
}

// GzipBytes is the load's total transfer size, compressed.
func (l Load) GzipBytes() int {
	n := 0
	for _, f := range l.Files {
		n += f.GzipBytes
	}
	return n
}

// String is a table of the files and the total.
func (l Load) String() string {
	var b strings.Builder
	for _, f := range l.Files {
		fmt.Fprintf(&b, "  %-36s %8d B  gzip %7d B\n", f.Path, f.Bytes, f.GzipBytes)
	}
	fmt.Fprintf(&b, "  %-36s %19s gzip %7d B (%.1f KB of the %d KB budget)\n", "first load", "", l.GzipBytes(), float64(l.GzipBytes())/1024, Budget>>10)
	return b.String()
}

// references are the URLs index.html makes the browser fetch at once.
var references = regexp.MustCompile(`<(?:script|link)\b[^>]*\b(?:src|href)="(/[^"]+)"`)

// FirstLoad measures the first load of the site built in dir: index.html,
// what it references (script, stylesheet, icon) and config.json, which the
// app fetches before anything else (dir's own when present, else a config
// of a typical stage, of the same size as a deployed one).
func FirstLoad(dir string) (Load, error) {
	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		return Load{}, err
	}
	paths := []string{"/index.html"}
	for _, m := range references.FindAllStringSubmatch(string(page), -1) {
		paths = append(paths, m[1])
	}
	var l Load
	for _, p := range paths {
		raw, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(p, "/"))))
		if err != nil {
			return Load{}, fmt.Errorf("index.html references %s: %w", p, err)
		}
		l.Files = append(l.Files, measure(p, raw))
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		cfg = []byte(typicalConfig)
	}
	l.Files = append(l.Files, measure("/config.json", cfg))
	return l, nil
}

func measure(path string, raw []byte) File {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	return File{Path: path, Bytes: len(raw), GzipBytes: buf.Len()}
}

// typicalConfig is a deployed stage's config.json, for measuring a build
// that has none.
const typicalConfig = `{"region":"eu-west-1","userPoolId":"eu-west-1_AbCdEf123","clientId":"1h2j3k4l5m6n7o8p9q0r1s2t3u",` +
	`"issuer":"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",` +
	`"cognitoDomain":"https://portcullis-prod.auth.eu-west-1.amazoncognito.com",` +
	`"userPoolEndpoint":"https://cognito-idp.eu-west-1.amazonaws.com",` +
	`"identityPoolId":"eu-west-1:01234567-89ab-cdef-0123-456789abcdef","identityEndpoint":"https://cognito-identity.eu-west-1.amazonaws.com",` +
	`"apiPath":"/api","scopes":["openid","email","profile","aws.cognito.signin.user.admin","portcullis/todos.read",` +
	`"portcullis/todos.write","portcullis/photos.read","portcullis/photos.write","portcullis/profile.read"],` +
	`"callbackPath":"/callback","logoutPath":"/","firstAuthFactors":["PASSWORD","WEB_AUTHN"]}`
