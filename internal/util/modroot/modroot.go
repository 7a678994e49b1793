// Package modroot finds the Go module a command or test runs in: the
// directory holding go.mod, from the working directory up (`cdk synth`
// runs the app at the root; go test runs a test in its package directory).
package modroot

import (
	"errors"
	"os"
	"path/filepath"
)

// Dir is the module's root directory.
func Dir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod in the working directory or above")
		}
		dir = parent
	}
}
