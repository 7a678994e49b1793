package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/smoke"
	"github.com/portcullis-cdk/portcullis/internal/util/modroot"
)

// inbox marks the local user pool's lines that stand in for the email and
// SMS Cognito would send (the address and the code are the point of them);
// a deployed stage has no such log.
const inbox = `msg="code sent"`

// TestLogsCarryNoSecrets runs the local stack on free ports and the whole
// smoke run against it, then reads everything the stack wrote (the
// functions' JSON logs, each line after the function's name, and the
// stand-ins' own): no password, token, email
// address or phone number of the run's users may appear in it, while every
// API request left its line.
func TestLogsCarryNoSecrets(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the local stack")
	}
	root, err := modroot.Dir()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin, info, logPath := filepath.Join(dir, "dev"), filepath.Join(dir, "stack.json"), filepath.Join(dir, "dev.log")
	build := exec.Command("go", "build", "-o", bin, "./cmd/dev")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building cmd/dev: %v\n%s", err, out)
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	dev := exec.Command(bin, "-template", filepath.Join(root, "test", "testdata", "portcullis-dev.template.json"),
		"-api-port", "0", "-cognito-port", "0", "-identity-port", "0", "-info", info)
	dev.Dir, dev.Stdout, dev.Stderr = root, logFile, logFile
	if err := dev.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		_ = dev.Process.Signal(syscall.SIGINT)
		if err := dev.Wait(); err != nil {
			t.Errorf("the local stack did not stop cleanly: %v", err)
		}
	}
	defer stop()
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if st, err := os.Stat(info); err == nil && st.Size() > 0 {
			break
		}
		if time.Now().After(deadline) {
			raw, _ := os.ReadFile(logPath)
			t.Fatalf("the local stack did not start:\n%s", raw)
		}
	}

	target, err := local(info)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{} // value -> what
	target.Record = func(what, value string) { secrets[value] = what }
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := smoke.Run(ctx, target, &out); err != nil {
		t.Fatalf("smoke run: %v\n%s", err, out.String())
	}
	stop()

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, what := range secrets {
		kinds[strings.TrimSuffix(strings.TrimSuffix(what, " A"), " B")] = true
	}
	for _, k := range []string{"email", "password", "temporary password", "phone", "access token", "ID token", "refresh token"} {
		if !kinds[k] {
			t.Errorf("the run recorded no %s to look for", k)
		}
	}
	requests, owners := 0, map[string]bool{}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.Contains(line, inbox) {
			continue
		}
		for value, what := range secrets {
			if strings.Contains(line, value) {
				t.Errorf("the logs carry the %s: %s", what, line)
			}
		}
		var entry struct {
			Msg, RequestID, Route, Owner string
			Status, LatencyMs            *float64
		}
		// A function's lines come after its name: "[todos] {...}".
		if strings.HasPrefix(line, "[") {
			_, line, _ = strings.Cut(line, "] ")
		}
		if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "request" {
			requests++
			if entry.RequestID == "" || entry.Route == "" || entry.Status == nil || entry.LatencyMs == nil {
				t.Errorf("request line without request id, route, status or latency: %s", line)
			}
			if entry.Owner != "" {
				owners[entry.Owner] = true
			}
		}
	}
	// Two users and an identity-pool caller make dozens of requests.
	if requests < 20 || len(owners) < 3 {
		t.Errorf("%d request lines with %d owners; want every API request logged, with owners' hashes", requests, len(owners))
	}
}
