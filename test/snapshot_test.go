package test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden templates in testdata/ from this synth")

// assetHash matches content hashes of assets (Lambda bundles), which change
// with the Go toolchain that built them, not with the infrastructure.
var assetHash = regexp.MustCompile(`[0-9a-f]{64}`)

// normalize makes a template comparable across machines: asset hashes are
// replaced and the JSON re-indented with sorted keys.
func normalize(raw []byte) ([]byte, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	out = assetHash.ReplaceAll(out, []byte("<asset-hash>"))
	return append(out, '\n'), nil
}

// TestSnapshot compares each stage's template with testdata/<stack>.template.json.
// A difference is a change to what `cdk deploy` would do: review it, then run
// `go test ./test -update` and commit the new golden file with the change.
func TestSnapshot(t *testing.T) {
	for name, s := range stages {
		t.Run(name, func(t *testing.T) {
			got, err := normalize(s.raw)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", s.config.StackName()+".template.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run `go test ./test -update` to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s:\n%s\nIf the change is intended, run `go test ./test -update` and commit the golden file.",
					s.config.StackName(), golden, lineDiff(string(want), string(got)))
			}
		})
	}
}
