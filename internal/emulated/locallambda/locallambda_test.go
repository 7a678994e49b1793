package locallambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/util/modroot"
)

// fnBootstrap is testdata/fn built as a bootstrap, by TestMain.
var fnBootstrap string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "locallambda-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	root, err := modroot.Dir()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	bins, err := Build(context.Background(), root, dir, []string{"./internal/emulated/locallambda/testdata/fn"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fnBootstrap = bins["./internal/emulated/locallambda/testdata/fn"]
	return m.Run()
}

type reply struct {
	RequestID, FunctionARN, TraceID string
	DeadlineMS                      int64 // Unix milliseconds
	Env                             map[string]string
	PID                             int
}

// syncBuffer collects a function's log.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{} // signalled after each write
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	select {
	case s.written <- struct{}{}:
	default:
	}
	return n, err
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// patience bounds the wait for an event that takes milliseconds, so that
// a runtime that never brings it fails the test with a message rather
// than hanging it until -timeout; no assertion depends on it.
const patience = time.Minute

// waitFor returns the submatches of the first n lines of the log that
// match re, waiting for them to be written.
func (s *syncBuffer) waitFor(t *testing.T, re *regexp.Regexp, n int) [][]string {
	t.Helper()
	limit := time.NewTimer(patience)
	defer limit.Stop()
	for {
		if m := re.FindAllStringSubmatch(s.String(), n); len(m) == n {
			return m
		}
		select {
		case <-s.written:
		case <-limit.C:
			t.Fatalf("after %v the log has fewer than %d lines matching %s:\n%s", patience, n, re, s)
		}
	}
}

// waiting is the line of an invocation {"op":"wait"} in flight.
var waiting = regexp.MustCompile(`(?m)^\[[^]]+\] waiting in process (\d+)$`)

// waitEvent is an invocation that stays in flight until release creates
// the file.
func waitEvent(t *testing.T) (event string, release func()) {
	file := filepath.Join(t.TempDir(), "release")
	return fmt.Sprintf(`{"op":"wait","file":%q}`, file), func() {
		if err := os.WriteFile(file, nil, 0o644); err != nil {
			t.Error(err)
		}
	}
}

// newFunction is testdata/fn with cfg's settings, closed when the test ends.
func newFunction(t *testing.T, cfg Config) (*Function, *syncBuffer) {
	t.Helper()
	log := &syncBuffer{written: make(chan struct{}, 1)}
	if cfg.Name == "" {
		cfg.Name = "fn"
	}
	cfg.Region = "eu-west-1"
	cfg.Bootstrap = fnBootstrap
	cfg.Log = log
	f, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f, log
}

func invoke(t *testing.T, f *Function, ev string) (reply, error) {
	t.Helper()
	out, err := f.Invoke(context.Background(), []byte(ev))
	if err != nil {
		return reply{}, err
	}
	var r reply
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	return r, nil
}

func mustInvoke(t *testing.T, f *Function, ev string) reply {
	t.Helper()
	r, err := invoke(t, f, ev)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func wantError(t *testing.T, err error, typ, message string) *Error {
	t.Helper()
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want a function error %s", err, typ)
	}
	if fe.Type != typ || !strings.Contains(fe.Message, message) {
		t.Errorf("got %s %q, want %s containing %q", fe.Type, fe.Message, typ, message)
	}
	var doc map[string]any
	if err := json.Unmarshal(fe.Payload, &doc); err != nil || doc["errorMessage"] == nil {
		t.Errorf("payload %s is not an error document", fe.Payload)
	}
	return fe
}

// TestRuntimeAPIContract runs the real aws-lambda-go client: the headers of
// /next reach the handler's context, and the process has Lambda's
// variables, the function's own and its credentials, nothing of this
// process's environment.
func TestRuntimeAPIContract(t *testing.T) {
	f, _ := newFunction(t, Config{
		Name: "contract", MemoryMB: 512, Timeout: 7 * time.Second, LogFormat: LogFormatJSON,
		ARN:         "arn:aws:lambda:eu-west-1:123456789012:function:contract",
		Env:         map[string]string{"GREETING": "hello"},
		Credentials: Credentials{AccessKeyID: "ASIAKEY", SecretAccessKey: "secret", SessionToken: "token"},
	})
	sent := time.Now()
	a := mustInvoke(t, f, `{"op":"echo"}`)
	answered := time.Now()
	b := mustInvoke(t, f, `{"op":"echo"}`)
	if a.RequestID == "" || a.RequestID == b.RequestID {
		t.Errorf("request ids %q, %q: want a new one per invocation", a.RequestID, b.RequestID)
	}
	if a.FunctionARN != "arn:aws:lambda:eu-west-1:123456789012:function:contract" {
		t.Errorf("invoked function ARN %q", a.FunctionARN)
	}
	if !regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`).MatchString(a.TraceID) || a.Env["_X_AMZN_TRACE_ID"] != a.TraceID {
		t.Errorf("trace id %q, _X_AMZN_TRACE_ID %q", a.TraceID, a.Env["_X_AMZN_TRACE_ID"])
	}
	// The deadline is the 7 s timeout from when the runtime took the event.
	if earliest, latest := sent.Add(7*time.Second).UnixMilli(), answered.Add(7*time.Second).UnixMilli(); a.DeadlineMS < earliest || a.DeadlineMS > latest {
		t.Errorf("deadline %d, want 7 s after the invocation, %d..%d", a.DeadlineMS, earliest, latest)
	}
	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME": "contract", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
		"AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/contract", "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "ASIAKEY",
		"AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token", "_HANDLER": "fn", "GREETING": "hello",
		"AWS_LAMBDA_LOG_FORMAT": "JSON", "HOME": "",
	}
	for k, v := range want {
		if a.Env[k] != v {
			t.Errorf("%s = %q, want %q", k, a.Env[k], v)
		}
	}
	if !regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`).MatchString(a.Env["AWS_LAMBDA_LOG_STREAM_NAME"]) {
		t.Errorf("log stream %q", a.Env["AWS_LAMBDA_LOG_STREAM_NAME"])
	}
	if a.PID != b.PID {
		t.Errorf("the second invocation ran in process %d, not the warm %d", b.PID, a.PID)
	}
}

// TestFunctionErrors: a returned error keeps the environment; a panic, an
// exit and a timeout end it, and the next invocation gets a new one. After
// an exit or a timeout the process is gone when the error is answered (an
// exit is answered once seen, a timeout once the process is killed); one
// that reports a panic exits on its own after that, before the next
// invocation runs.
func TestFunctionErrors(t *testing.T) {
	f, _ := newFunction(t, Config{Timeout: time.Second})
	first := mustInvoke(t, f, `{"op":"echo"}`)

	_, err := invoke(t, f, `{"op":"error"}`)
	wantError(t, err, "errorString", "asked to fail")
	if r := mustInvoke(t, f, `{"op":"echo"}`); r.PID != first.PID {
		t.Errorf("after a returned error the function runs in a new process %d, want the warm %d", r.PID, first.PID)
	}

	cases := []struct {
		event, typ, message string
		goneWhenAnswered    bool
	}{
		{`{"op":"panic"}`, "string", "asked to panic", false},
		{`{"op":"exit"}`, "Runtime.ExitError", "Error: Runtime exited with error: exit status 7", true},
		{`{"op":"sleep","ms":60000}`, "Sandbox.Timedout", "Error: Task timed out after 1.00 seconds", true},
	}
	for _, c := range cases {
		before := mustInvoke(t, f, `{"op":"echo"}`)
		started := time.Now()
		_, err := invoke(t, f, c.event)
		fe := wantError(t, err, c.typ, c.message)
		if c.typ != "string" && !strings.HasPrefix(fe.Message, "RequestId: ") {
			t.Errorf("%s: message %q does not start with the request id", c.event, fe.Message)
		}
		if took := time.Since(started); took > 2*time.Second {
			t.Errorf("%s took %v", c.event, took)
		}
		if c.goneWhenAnswered && processRuns(before.PID) {
			t.Errorf("%s: process %d still runs when the error is answered", c.event, before.PID)
		}
		after := mustInvoke(t, f, `{"op":"echo"}`)
		if after.PID == before.PID || processRuns(before.PID) {
			t.Errorf("%s: process %d still serves or runs (next ran in %d)", c.event, before.PID, after.PID)
		}
	}
}

// TestStopKillsChildren: a timeout or Close kills the processes the
// function started with its bootstrap, as Lambda resets the whole execution
// environment. A timeout is answered without waiting on the child's output
// and the next invocation gets a new process; its REPORT has the Max Memory
// Used, read before the kill.
func TestStopKillsChildren(t *testing.T) {
	for _, stop := range []string{"timeout", "close"} {
		t.Run(stop, func(t *testing.T) {
			timeout := time.Second
			if stop == "close" {
				timeout = time.Minute
			}
			f, log := newFunction(t, Config{Timeout: timeout})
			before := mustInvoke(t, f, `{"op":"echo"}`)
			started := time.Now()
			errc := make(chan error, 1)
			go func() {
				_, err := f.Invoke(context.Background(), []byte(`{"op":"spawn"}`))
				errc <- err
			}()
			child, err := strconv.Atoi(log.waitFor(t, regexp.MustCompile(`started child (\d+)`), 1)[0][1])
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = syscall.Kill(child, syscall.SIGKILL) })
			if stop == "close" {
				f.Close()
			}
			err = <-errc
			if err == nil {
				t.Fatal("the invocation succeeded")
			}
			took := time.Since(started)
			if gone(child) != nil {
				t.Errorf("child %d still runs after the %s", child, stop)
			}
			if processRuns(before.PID) {
				t.Errorf("process %d still runs after the %s", before.PID, stop)
			}
			if stop != "timeout" {
				return
			}
			fe := wantError(t, err, "Sandbox.Timedout", "Task timed out after 1.00 seconds")
			if took >= timeout+outputDrain {
				t.Errorf("the timeout was answered after %v, waiting on the child's output", took)
			}
			id := strings.Fields(strings.TrimPrefix(fe.Message, "RequestId: "))[0]
			report := regexp.MustCompile(`REPORT RequestId: ` + id + `\t.*\tMax Memory Used: \d+ MB\t.*Status: timeout`)
			if !report.MatchString(log.String()) {
				t.Errorf("no REPORT with Max Memory Used for the timeout %s:\n%s", id, log)
			}
			if after := mustInvoke(t, f, `{"op":"echo"}`); after.PID == before.PID {
				t.Errorf("the timed-out process %d still serves", before.PID)
			}
		})
	}
}

// gone waits a little for pid to end: a killed orphan is reaped by init,
// on its own time.
func gone(pid int) error {
	for deadline := time.Now().Add(2 * time.Second); processRuns(pid); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return fmt.Errorf("process %d still runs", pid)
		}
	}
	return nil
}

// TestInitFailures: a bootstrap that exits before asking for an
// invocation, one that posts /init/error, and one that never asks fail the
// invocation that started them. Only the one that never asks has a short
// init timeout: the others fail by themselves, however slowly they start.
func TestInitFailures(t *testing.T) {
	cases := []struct {
		init, typ, message string
		initTimeout        time.Duration
	}{
		{"exit", "Runtime.ExitError", "Error: Runtime exited with error: exit status 3", 0},
		{"post", "InitError.Config", "no table configured", 0},
		{"hang", "Sandbox.Timedout", "init timed out after 0.50 seconds", 500 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.init, func(t *testing.T) {
			f, log := newFunction(t, Config{Env: map[string]string{"INIT": c.init}, InitTimeout: c.initTimeout})
			_, err := invoke(t, f, `{"op":"echo"}`)
			wantError(t, err, c.typ, c.message)
			if c.init == "exit" && !strings.Contains(log.String(), "[fn] init: a required setting is missing\n") {
				t.Errorf("the init's output is not in the log:\n%s", log)
			}
			if st := f.Stats(); st.Environments != 0 {
				t.Errorf("%d environments left after a failed init", st.Environments)
			}
		})
	}
}

// TestConcurrentInvocations: one environment per concurrent invocation up
// to the limit, the rest wait; all of them answer, in the warm ones.
func TestConcurrentInvocations(t *testing.T) {
	f, log := newFunction(t, Config{Concurrency: 3, Timeout: time.Minute})
	ev, release := waitEvent(t)
	var wg sync.WaitGroup
	pids := make(chan int, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := invoke(t, f, ev)
			if err != nil {
				t.Error(err)
				return
			}
			pids <- r.PID
		}()
	}
	// Three in flight, the others waiting for one of them to be free.
	log.waitFor(t, waiting, 3)
	release()
	wg.Wait()
	close(pids)
	seen := map[int]bool{}
	for p := range pids {
		seen[p] = true
	}
	if st := f.Stats(); st.Peak != 3 || len(seen) != 3 {
		t.Errorf("peak %d environments, %d processes answered; want 3", st.Peak, len(seen))
	}
}

// TestCrashLeavesOtherFunctions: one function's crash ends its own
// environment only; another function keeps serving from its warm one.
func TestCrashLeavesOtherFunctions(t *testing.T) {
	crashing, _ := newFunction(t, Config{Name: "crashing"})
	serving, _ := newFunction(t, Config{Name: "serving"})
	warm := mustInvoke(t, serving, `{"op":"echo"}`)
	mustInvoke(t, crashing, `{"op":"echo"}`)
	_, err := invoke(t, crashing, `{"op":"exit"}`)
	wantError(t, err, "Runtime.ExitError", "exit status 7")
	if r := mustInvoke(t, serving, `{"op":"echo"}`); r.PID != warm.PID {
		t.Errorf("the other function moved from process %d to %d", warm.PID, r.PID)
	}
}

// TestReportLines: one REPORT per invocation, with the init duration on the
// cold start only, in the text and the JSON log formats.
func TestReportLines(t *testing.T) {
	f, log := newFunction(t, Config{MemoryMB: 256})
	a := mustInvoke(t, f, `{"op":"log"}`)
	b := mustInvoke(t, f, `{"op":"echo"}`)
	text := log.String()
	if !strings.Contains(text, "[fn] a line from the function\n") {
		t.Errorf("the function's output is missing:\n%s", text)
	}
	cold := regexp.MustCompile(`\[fn\] REPORT RequestId: ` + a.RequestID + `\tDuration: \d+\.\d+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d+ ms\n`)
	warm := regexp.MustCompile(`\[fn\] REPORT RequestId: ` + b.RequestID + `\tDuration: \d+\.\d+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\n`)
	if !cold.MatchString(text) || !warm.MatchString(text) {
		t.Errorf("REPORT lines missing or malformed:\n%s", text)
	}

	jf, jlog := newFunction(t, Config{Name: "json", LogFormat: LogFormatJSON, Timeout: time.Second})
	_, err := invoke(t, jf, `{"op":"sleep","ms":60000}`)
	wantError(t, err, "Sandbox.Timedout", "Task timed out")
	line, _ := strings.CutPrefix(strings.TrimSpace(lastLine(jlog.String())), "[json] ")
	var rec struct {
		Type   string
		Record struct {
			RequestID string
			Status    string
			ErrorType string
			Metrics   map[string]float64
		}
	}
	if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Type != "platform.report" || rec.Record.Status != "timeout" ||
		rec.Record.ErrorType != "Sandbox.Timedout" || rec.Record.Metrics["durationMs"] < 1000 || rec.Record.Metrics["initDurationMs"] <= 0 {
		t.Errorf("JSON report %q: %+v %v", line, rec, err)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestReplace: new invocations run the new bootstrap; one in flight
// finishes in the old process, which has stopped when it is answered.
func TestReplace(t *testing.T) {
	f, log := newFunction(t, Config{Timeout: time.Minute})
	old := mustInvoke(t, f, `{"op":"echo"}`)
	ev, release := waitEvent(t)
	inflight := make(chan reply, 1)
	go func() {
		r, err := invoke(t, f, ev)
		if err != nil {
			t.Error(err)
		}
		inflight <- r
	}()
	log.waitFor(t, waiting, 1)
	next, err := Install(fnBootstrap, t.TempDir(), "bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	f.Replace(next)
	r := mustInvoke(t, f, `{"op":"echo"}`)
	if r.Env["_HANDLER"] != "fn" || r.PID == old.PID {
		t.Errorf("after Replace: process %d (was %d)", r.PID, old.PID)
	}
	release()
	if got := <-inflight; got.PID != old.PID {
		t.Errorf("the invocation in flight moved from %d to %d", old.PID, got.PID)
	}
	if processRuns(old.PID) {
		t.Errorf("the old process %d still runs after its last invocation was answered", old.PID)
	}
	if st := f.Stats(); st.Environments != 1 {
		t.Errorf("%d environments after Replace, want the new one", st.Environments)
	}
}

// TestCloseStopsEveryProcess, idle and busy alike.
func TestCloseStopsEveryProcess(t *testing.T) {
	f, log := newFunction(t, Config{Timeout: 10 * time.Second})
	ev, _ := waitEvent(t) // never released
	busy := make(chan error, 1)
	go func() {
		_, err := invoke(t, f, ev)
		busy <- err
	}()
	busyPID, err := strconv.Atoi(log.waitFor(t, waiting, 1)[0][1])
	if err != nil {
		t.Fatal(err)
	}
	idle := mustInvoke(t, f, `{"op":"echo"}`)
	if idle.PID == busyPID {
		t.Fatalf("the echo ran in the busy process %d", busyPID)
	}
	started := time.Now()
	f.Close()
	if err := <-busy; err == nil || time.Since(started) > 2*time.Second {
		t.Errorf("the invocation in flight: %v after %v", err, time.Since(started))
	}
	for _, pid := range []int{idle.PID, busyPID} {
		if processRuns(pid) {
			t.Errorf("process %d runs after Close", pid)
		}
	}
	if _, err := f.Invoke(context.Background(), []byte(`{}`)); err == nil {
		t.Error("Invoke after Close succeeded")
	}
}

func TestValidate(t *testing.T) {
	err := (&Config{Name: "bad name", MemoryMB: 64, LogFormat: "XML", Env: map[string]string{"AWS_REGION": "x"}}).Validate()
	for _, want := range []string{`"bad name"`, "no Region", "no Bootstrap", "memory 64 MB", `"XML"`, "AWS_REGION is reserved"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: %v, want it to name %s", err, want)
		}
	}
	if _, err := New(Config{Name: "missing", Region: "eu-west-1", Bootstrap: filepath.Join(t.TempDir(), "bootstrap")}); err != nil {
		t.Fatal(err)
	}
}

// processRuns reports whether pid is a live process (not a zombie).
func processRuns(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		// Reaped since, or no /proc: what kill says now.
		return syscall.Kill(pid, 0) == nil
	}
	return !strings.Contains(string(stat), ") Z ")
}
