// Package awscli runs the real AWS CLI in tests, against a local endpoint,
// with the test's keys and none of the caller's AWS settings (profiles,
// real credentials), so a test can never reach AWS.
package awscli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// CLI is the `aws` command aimed at one endpoint.
type CLI struct {
	// Bin is the executable; Version what `aws --version` printed.
	Bin, Version string
	// Endpoint, Region and the keys go with every call.
	Endpoint, Region             string
	AccessKeyID, SecretAccessKey string
}

// Find returns the CLI on PATH, or skips the test without one.
func Find(t *testing.T, endpoint, region, accessKeyID, secretAccessKey string) *CLI {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws (AWS CLI) is not on PATH")
	}
	bin = unshim(bin)
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Skipf("aws --version: %v\n%s", err, out)
	}
	return &CLI{Bin: bin, Version: strings.TrimSpace(string(out)),
		Endpoint: endpoint, Region: region, AccessKeyID: accessKeyID, SecretAccessKey: secretAccessKey}
}

// unshim returns the executable behind a pyenv shim: the shim is a shell
// script that runs pyenv to find it, which doubles the CLI's start-up time
// for each of a test's dozens of commands.
func unshim(bin string) string {
	if !strings.Contains(bin, "/.pyenv/shims/") {
		return bin
	}
	out, err := exec.Command("pyenv", "which", filepath.Base(bin)).Output()
	if real := strings.TrimSpace(string(out)); err == nil && real != "" {
		return real
	}
	return bin
}

// Run runs the CLI and returns its JSON output, or its error output when
// it fails. Pass a value that may start with "-" as --flag=value.
func (c *CLI) Run(t *testing.T, args ...string) (map[string]any, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args = append(args, "--region", c.Region, "--endpoint-url", c.Endpoint, "--output", "json")
	if strings.HasPrefix(c.Version, "aws-cli/2") {
		args = append(args, "--no-cli-pager") // version 1 has no pager, and no such option
	}
	cmd := exec.CommandContext(ctx, c.Bin, args...)
	dir := t.TempDir()
	cmd.Env = append(withoutAWS(os.Environ()),
		"AWS_ACCESS_KEY_ID="+c.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+c.SecretAccessKey, "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, stderr.String(), err
	}
	out := map[string]any{}
	if b := bytes.TrimSpace(stdout.Bytes()); len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("aws %s: output is not JSON: %v\n%s", args[1], err, b)
		}
	}
	return out, "", nil
}

// OK runs a command that must succeed and returns its output.
func (c *CLI) OK(t *testing.T, args ...string) map[string]any {
	t.Helper()
	out, stderr, err := c.Run(t, args...)
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

// Refused runs a command that must fail with the error code and a message
// containing msg.
func (c *CLI) Refused(t *testing.T, code, msg string, args ...string) {
	t.Helper()
	_, stderr, err := c.Run(t, args...)
	if err == nil || !strings.Contains(stderr, "("+code+")") || !strings.Contains(stderr, msg) {
		t.Errorf("aws %s: error %v\n%s\nwant (%s) ... %s", args[1], err, stderr, code, msg)
	}
}

// withoutAWS drops the caller's AWS settings.
func withoutAWS(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "AWS_") {
			out = append(out, kv)
		}
	}
	return out
}
