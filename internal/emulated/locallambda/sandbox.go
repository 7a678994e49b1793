package locallambda

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/protocol/uuid"
	"github.com/portcullis-cdk/portcullis/internal/util/procgroup"
)

// Runtime API headers (2018-06-01).
const (
	headerRequestID   = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline    = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID     = "Lambda-Runtime-Trace-Id"
	headerErrorType   = "Lambda-Runtime-Function-Error-Type"
	apiPrefix         = "/2018-06-01/runtime/"
)

// sandbox is one execution environment: a bootstrap process and the
// Runtime API it polls, on a listener of its own. It serves one invocation
// at a time.
type sandbox struct {
	cfg     Config
	gen     int
	cmd     *exec.Cmd
	out     *prefixWriter
	srv     *http.Server
	started time.Time
	// pending hands an invocation to the runtime's /next.
	pending chan *invocation
	// ready is closed at the runtime's first /next: init is over.
	ready     chan struct{}
	readyOnce sync.Once
	// initFailed is closed when the runtime posts /init/error.
	initFailed chan struct{}
	// exited is closed when the process has exited.
	exited  chan struct{}
	exitErr error

	mu           sync.Mutex
	current      *invocation
	initErr      *Error
	initDuration time.Duration
	reportedInit bool
	stopped      atomic.Bool
}

// invocation is one event on its way through an environment.
type invocation struct {
	id      string
	payload []byte
	trace   string
	// handed is closed by /next once deadline and start are set.
	handed   chan struct{}
	start    time.Time
	deadline time.Time
	// result receives the runtime's /response or /error, once.
	result chan result
	once   sync.Once
}

type result struct {
	payload []byte
	err     error
}

func newInvocation(payload []byte) *invocation {
	return &invocation{
		id:      uuid.New(),
		payload: payload,
		trace:   traceID(),
		handed:  make(chan struct{}),
		result:  make(chan result, 1),
	}
}

// finish delivers the invocation's outcome; later ones are ignored.
func (inv *invocation) finish(r result) bool {
	done := false
	inv.once.Do(func() {
		inv.result <- r
		done = true
	})
	return done
}

// startSandbox listens, starts the bootstrap with the Runtime API's
// address and watches it exit.
func startSandbox(cfg Config, bootstrap string, gen int, out *lineWriter) (*sandbox, error) {
	cfg.Bootstrap = bootstrap
	if err := exists(bootstrap); err != nil {
		return nil, fmt.Errorf("%s: bootstrap: %w", cfg.Name, err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("%s: runtime API: %w", cfg.Name, err)
	}
	sb := &sandbox{
		cfg:        cfg,
		gen:        gen,
		pending:    make(chan *invocation),
		ready:      make(chan struct{}),
		initFailed: make(chan struct{}),
		exited:     make(chan struct{}),
		// Before Serve: the runtime's /next reads it.
		started: time.Now(),
	}
	sb.srv = &http.Server{Handler: sb.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = sb.srv.Serve(l) }()

	sb.cmd = exec.Command(bootstrap)
	sb.cmd.Dir = filepath.Dir(bootstrap)
	sb.cmd.Env = environ(cfg, l.Addr().String(), logStream())
	sb.out = out.prefixed(cfg.Label)
	sb.cmd.Stdout, sb.cmd.Stderr = sb.out, sb.out
	// The bootstrap leads a process group, so that stopping the
	// environment kills what the function started too, as Lambda resets
	// the whole execution environment; the kernel kills the bootstrap if
	// its stack dies without stopping it (a killed `make dev`, a test
	// binary's -timeout exit).
	sb.cmd.SysProcAttr = procgroup.Attr()
	// A child that left the group, or outlives a bootstrap that exited by
	// itself, may hold its output: the environment still counts as ended,
	// so stopping never waits long on it.
	sb.cmd.WaitDelay = outputDrain
	if err := sb.cmd.Start(); err != nil {
		_ = sb.srv.Close()
		return nil, fmt.Errorf("%s: starting %s: %w", cfg.Name, bootstrap, err)
	}
	go sb.wait()
	return sb, nil
}

// wait reaps the process: the invocation in flight, if any, fails as
// Lambda fails it when the runtime exits.
func (sb *sandbox) wait() {
	err := sb.cmd.Wait()
	sb.out.flush()
	sb.mu.Lock()
	sb.exitErr = err
	if err == nil {
		sb.exitErr = errors.New("exit status 0")
	}
	sb.mu.Unlock()
	close(sb.exited)
	_ = sb.srv.Close()
}

func (sb *sandbox) alive() bool {
	if sb.stopped.Load() {
		return false
	}
	select {
	case <-sb.exited:
		return false
	default:
		return true
	}
}

// stop kills the process and every process it started (its process
// group); Lambda gives a runtime without extensions no shutdown phase. The
// bootstrap is gone once exited is closed.
func (sb *sandbox) stop() {
	if !sb.stopped.Swap(true) {
		_ = procgroup.Kill(sb.cmd.Process)
	}
}

// outputDrain bounds how long an exited process's output is read after it
// exits, for what a child that outlives it still holds open.
const outputDrain = 2 * time.Second

// errGone is a warm environment whose process exited between
// invocations (a runtime exits after reporting a panic): Lambda starts
// another one for the next invocation.
var errGone = errors.New("the environment's process exited between invocations")

// invoke hands inv to the runtime and waits for its outcome: the
// runtime's response or error, the process's exit, or the deadline.
func (sb *sandbox) invoke(inv *invocation) result {
	cold := false
	if r, ok := sb.handOver(inv); !ok {
		mem := sb.maxMemory()
		sb.stop()
		if r.err != errGone {
			sb.report(inv, r, true, mem)
		}
		return r
	}
	sb.mu.Lock()
	if !sb.reportedInit {
		sb.reportedInit, cold = true, true
	}
	sb.mu.Unlock()
	timer := time.NewTimer(time.Until(inv.deadline))
	defer timer.Stop()
	var r result
	var mem memory
	select {
	case r = <-inv.result:
		mem = sb.maxMemory()
	case <-sb.exited:
		inv.finish(result{err: sb.exitError(inv.id)})
		r = <-inv.result
	case <-timer.C:
		// Before the kill: a killed process's peak is gone with it.
		mem = sb.maxMemory()
		sb.stop()
		inv.finish(result{err: timeoutError(inv.id, sb.cfg.Timeout)})
		r = <-inv.result
	}
	sb.mu.Lock()
	sb.current = nil
	sb.mu.Unlock()
	sb.report(inv, r, cold, mem)
	return r
}

// handOver waits for the runtime to take inv at /next: false with the
// failed invocation's result when the init fails, exits or runs out of
// time first.
func (sb *sandbox) handOver(inv *invocation) (result, bool) {
	initLimit := time.NewTimer(sb.cfg.InitTimeout)
	defer initLimit.Stop()
	select {
	case sb.pending <- inv:
		<-inv.handed
		return result{}, true
	case <-sb.initFailed:
		sb.mu.Lock()
		e := sb.initErr
		sb.mu.Unlock()
		return result{err: e}, false
	case <-sb.exited:
		select {
		case <-sb.ready:
			return result{err: errGone}, false
		default:
		}
		return result{err: sb.exitError(inv.id)}, false
	case <-initLimit.C:
		return result{err: functionError("Sandbox.Timedout",
			fmt.Sprintf("RequestId: %s Error: init timed out after %.2f seconds", inv.id, sb.cfg.InitTimeout.Seconds()))}, false
	}
}

func (sb *sandbox) exitError(id string) *Error {
	sb.mu.Lock()
	err := sb.exitErr
	sb.mu.Unlock()
	return functionError("Runtime.ExitError", fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %v", id, err))
}

func timeoutError(id string, timeout time.Duration) *Error {
	return functionError("Sandbox.Timedout", fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", id, timeout.Seconds()))
}

func functionError(typ, msg string) *Error {
	e := &Error{Type: typ, Message: msg}
	e.Payload, _ = json.Marshal(e)
	return e
}

// routes is the Runtime API of this environment.
func (sb *sandbox) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"invocation/next", sb.next)
	mux.HandleFunc("POST "+apiPrefix+"invocation/{id}/response", sb.response)
	mux.HandleFunc("POST "+apiPrefix+"invocation/{id}/error", sb.invocationError)
	mux.HandleFunc("POST "+apiPrefix+"init/error", sb.initError)
	return mux
}

// next blocks until an invocation arrives and sends it with its headers.
// The first call ends the init phase.
func (sb *sandbox) next(w http.ResponseWriter, r *http.Request) {
	sb.readyOnce.Do(func() {
		sb.mu.Lock()
		sb.initDuration = time.Since(sb.started)
		sb.mu.Unlock()
		close(sb.ready)
	})
	var inv *invocation
	select {
	case inv = <-sb.pending:
	case <-r.Context().Done():
		return
	}
	inv.start = time.Now()
	inv.deadline = inv.start.Add(sb.cfg.Timeout)
	sb.mu.Lock()
	sb.current = inv
	sb.mu.Unlock()
	close(inv.handed)
	h := w.Header()
	h.Set(headerRequestID, inv.id)
	h.Set(headerDeadline, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set(headerFunctionARN, sb.cfg.ARN)
	h.Set(headerTraceID, inv.trace)
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(inv.payload)
}

// response completes the invocation with the runtime's response.
func (sb *sandbox) response(w http.ResponseWriter, r *http.Request) {
	inv, ok := sb.invocationOf(w, r)
	if !ok {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayloadBytes+1))
	switch {
	case err != nil:
		writeError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	case len(body) > MaxPayloadBytes:
		e := functionError("Function.ResponseSizeTooLarge",
			fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxPayloadBytes))
		inv.finish(result{err: e})
		writeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", e.Message)
		return
	}
	// A response whose body failed mid-stream carries the error in
	// trailers (aws-lambda-go's errorCapturingReader).
	if typ := r.Trailer.Get(headerErrorType); typ != "" {
		inv.finish(result{err: functionError(typ, "the function's response failed while it was sent")})
	} else {
		inv.finish(result{payload: body})
	}
	accepted(w)
}

// invocationError completes the invocation with the function's error.
func (sb *sandbox) invocationError(w http.ResponseWriter, r *http.Request) {
	inv, ok := sb.invocationOf(w, r)
	if !ok {
		return
	}
	inv.finish(result{err: readError(r)})
	accepted(w)
}

// initError records the runtime's init failure; the invocation waiting for
// this environment fails with it.
func (sb *sandbox) initError(w http.ResponseWriter, r *http.Request) {
	select {
	case <-sb.ready:
		writeError(w, http.StatusForbidden, "InvalidStateTransition", "init/error after the init phase")
		return
	default:
	}
	e := readError(r)
	sb.mu.Lock()
	first := sb.initErr == nil
	if first {
		sb.initErr = e
	}
	sb.mu.Unlock()
	if first {
		close(sb.initFailed)
	}
	accepted(w)
}

// invocationOf is the invocation in flight whose id the path names.
func (sb *sandbox) invocationOf(w http.ResponseWriter, r *http.Request) (*invocation, bool) {
	sb.mu.Lock()
	inv := sb.current
	sb.mu.Unlock()
	if inv == nil || inv.id != r.PathValue("id") {
		writeError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation "+r.PathValue("id")+" is in flight in this environment")
		return nil, false
	}
	return inv, true
}

// readError reads an error document, {"errorMessage", "errorType"}, with
// the type also in Lambda-Runtime-Function-Error-Type; a body that is not
// one is kept as the payload, as Lambda passes it on.
func readError(r *http.Request) *Error {
	body, _ := io.ReadAll(io.LimitReader(r.Body, MaxPayloadBytes))
	e := &Error{}
	if json.Unmarshal(body, e) != nil {
		e = &Error{}
	}
	if e.Type == "" {
		e.Type = r.Header.Get(headerErrorType)
	}
	if e.Type == "" {
		e.Type = "Runtime.Unknown"
	}
	e.Payload = body
	if len(body) == 0 || !json.Valid(body) {
		e.Payload, _ = json.Marshal(e)
	}
	return e
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func writeError(w http.ResponseWriter, status int, typ, msg string) {
	b, _ := json.Marshal(Error{Type: typ, Message: msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// traceID is an X-Ray trace header for a new, sampled-out trace:
// Root=1-<epoch seconds hex>-<96 random bits>;Parent=<64 bits>;Sampled=0.
func traceID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), hex.EncodeToString(b[:12]), hex.EncodeToString(b[12:]))
}

// logStream names an environment's log stream as Lambda does:
// yyyy/mm/dd/[$LATEST]<32 hex digits>.
func logStream() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + hex.EncodeToString(b[:])
}
