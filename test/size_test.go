package test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/constructs/golambda/bundle"
)

// maxRatio is the most a function's zip may weigh against the aws-lambda-go
// hello world built the same way: cold starts grow with the bundle.
const maxRatio = 1.6

// zipSize is the size of a deflate-compressed (best) zip holding one file.
func zipSize(path string) (int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) })
	f, err := zw.CreateHeader(&zip.FileHeader{Name: filepath.Base(path), Method: zip.Deflate})
	if err != nil {
		return 0, err
	}
	if _, err := f.Write(raw); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return buf.Len(), nil
}

// TestBundleSizes measures every function bundle of the synthesized stages
// against the hello world. `make sizes` prints the table.
func TestBundleSizes(t *testing.T) {
	dir := t.TempDir()
	if err := bundle.Build(context.Background(), "..", "./test/testdata/hello", dir); err != nil {
		t.Fatal(err)
	}
	base, err := zipSize(filepath.Join(dir, bundle.Binary))
	if err != nil {
		t.Fatal(err)
	}
	s := stages["dev"]
	var rows []string
	for _, id := range ours(s.template, s.template.ofType("AWS::Lambda::Function")) {
		r := s.template.Resources[id]
		asset, _ := r.Metadata["aws:asset:path"].(string)
		bin := filepath.Join(assembly, asset, bundle.Binary)
		info, err := os.Stat(bin)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		z, err := zipSize(bin)
		if err != nil {
			t.Fatal(err)
		}
		ratio := float64(z) / float64(base)
		name := strings.TrimSuffix(r.path(), "/Function/Resource")
		rows = append(rows, fmt.Sprintf("%-18s %10d %10d %6.2fx", name, info.Size(), z, ratio))
		if ratio > maxRatio {
			t.Errorf("%s: zip %d bytes is %.2fx the hello world's %d, over %.1fx", name, z, ratio, base, maxRatio)
		}
	}
	sort.Strings(rows)
	t.Logf("function           binary(B)     zip(B)  ratio   (hello world zip: %d B)\n%s", base, strings.Join(rows, "\n"))
}
