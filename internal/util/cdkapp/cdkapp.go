// Package cdkapp holds what the CDK app and its tests share around jsii:
// the cdk.json context and a quiet shutdown of the jsii runtime.
package cdkapp

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/internal/util/modroot"
)

// Close stops the jsii runtime (the node child process) and returns the
// stderr the process had before, for messages printed after the close.
//
// jsii-runtime-go v1.139 waits on the node child from two goroutines, and the
// loser prints "Runtime process exited abnormally: waitid: no child processes"
// after a clean exit. That line is noise, so stderr stays muted from here on.
func Close() *os.File {
	stderr := os.Stderr
	if devnull, err := os.Open(os.DevNull); err == nil {
		os.Stderr = devnull
	}
	jsii.Close()
	return stderr
}

// Context returns the "context" object of the module's cdk.json: the
// feature flags `cdk synth` runs with, so tests synthesize with the same.
func Context() (map[string]any, error) {
	root, err := modroot.Dir()
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(root, "cdk.json"))
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("cdk.json: %w", err)
	}
	return cfg.Context, nil
}
