package test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/portcullis-cdk/portcullis/constructs/golambda/bundle"
)

// maxRatio is the most a function's zip may weigh against the aws-lambda-go
// hello world built the same way: cold starts grow with the bundle.
const maxRatio = 1.5

// TestBundleSizes measures every function bundle of the synthesized stages
// against the hello world (`make bench` prints the same table).
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
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		rows []string
	)
	// Compressing at the best level is most of this test when a bundle
	// changed: one bundle per goroutine.
	for _, id := range ours(s.template, s.template.ofType("AWS::Lambda::Function")) {
		r := s.template.Resources[id]
		asset, _ := r.Metadata["aws:asset:path"].(string)
		bin := filepath.Join(assembly, asset, bundle.Binary)
		name := strings.TrimSuffix(r.path(), "/Function/Resource")
		wg.Go(func() {
			info, err := os.Stat(bin)
			if err != nil {
				t.Errorf("%s: %v", id, err)
				return
			}
			z, err := zipSize(bin)
			if err != nil {
				t.Error(err)
				return
			}
			ratio := float64(z) / float64(base)
			if ratio > maxRatio {
				t.Errorf("%s: zip %d bytes is %.2fx the hello world's %d, over %.1fx", name, z, ratio, base, maxRatio)
			}
			mu.Lock()
			defer mu.Unlock()
			rows = append(rows, fmt.Sprintf("%-18s %10d %10d %6.2fx", name, info.Size(), z, ratio))
		})
	}
	wg.Wait()
	sort.Strings(rows)
	t.Logf("function           binary(B)     zip(B)  ratio   (hello world zip: %d B)\n%s", base, strings.Join(rows, "\n"))
}

// zipSize is bundle.ZipSize remembered under the user's cache directory by
// the binary's content and the Go version (the compressor's output depends
// on nothing else): compressing at the best level costs about a second of
// CPU a bundle, and bundles are reproducible, so an unchanged function costs
// a hash.
func zipSize(bin string) (int, error) {
	raw, err := os.ReadFile(bin)
	if err != nil {
		return 0, err
	}
	h := sha256.New()
	h.Write([]byte(runtime.Version() + "\x00"))
	h.Write(raw)
	cache, err := os.UserCacheDir()
	if err != nil {
		return bundle.ZipSize(bin)
	}
	dir := filepath.Join(cache, "portcullis", "zipsize")
	file := filepath.Join(dir, hex.EncodeToString(h.Sum(nil)))
	if b, err := os.ReadFile(file); err == nil {
		if n, err := strconv.Atoi(string(b)); err == nil {
			return n, nil
		}
	}
	n, err := bundle.ZipSize(bin)
	if err != nil {
		return 0, err
	}
	// Written whole, then renamed: a concurrent run reads a size or none.
	if err := os.MkdirAll(dir, 0o700); err == nil {
		if tmp, err := os.CreateTemp(dir, "tmp-"); err == nil {
			_, werr := tmp.WriteString(strconv.Itoa(n))
			if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), file) != nil {
				_ = os.Remove(tmp.Name())
			}
		}
	}
	return n, nil
}
