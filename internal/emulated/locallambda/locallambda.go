// Package locallambda runs Lambda functions on this machine as Lambda does:
// each function's bundled bootstrap in execution environments of its own
// (one process each, started on demand up to a concurrency limit, kept warm
// and reused), every environment speaking the Lambda Runtime API
// (2018-06-01: invocation/next, invocation/<id>/response and /error,
// init/error) on a listener of its own, with the environment variables,
// memory size, timeout and credentials a deployed function gets.
//
// An invocation's failures are answered as Lambda answers them: an error the
// function reports, a process that exits (Runtime.ExitError), a timeout
// (Sandbox.Timedout, the environment is killed) or a failed init; one
// function's failure never touches another's environments. Each invocation
// logs a REPORT line (Duration, Billed Duration, Memory Size, Max Memory
// Used, Init Duration on a cold start), in the function's log format.
//
// Behaviour follows the AWS Lambda developer guide ("Using the Lambda
// runtime API for custom runtimes", "Defined runtime environment
// variables", "Understanding the Lambda execution environment lifecycle").
package locallambda

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"
)

// Defaults of a function's settings, Lambda's where Lambda has one.
const (
	// DefaultMemoryMB is Lambda's default memory size.
	DefaultMemoryMB = 128
	// DefaultTimeout is Lambda's default function timeout.
	DefaultTimeout = 3 * time.Second
	// DefaultConcurrency bounds the environments (processes) of one
	// function; invocations beyond it wait for one to be free.
	DefaultConcurrency = 10
	// DefaultInitTimeout is Lambda's limit on the init phase.
	DefaultInitTimeout = 10 * time.Second
	// MaxPayloadBytes is the synchronous invocation quota on the event and
	// on the response.
	MaxPayloadBytes = 6 << 20
)

// Log formats of a function's LoggingConfig.
const (
	LogFormatText = "Text"
	LogFormatJSON = "JSON"
)

// Config is one function.
type Config struct {
	// Name is the function's name (AWS_LAMBDA_FUNCTION_NAME). Required.
	Name string
	// ARN is the function's ARN, sent with each invocation. Default:
	// arn:aws:lambda:<Region>:000000000000:function:<Name>.
	ARN string
	// Region is the function's region (AWS_REGION). Required.
	Region string
	// Bootstrap is the executable to run, the bundle's bootstrap built for
	// this machine. Required.
	Bootstrap string
	// Handler is the function's Handler setting (_HANDLER). Default: the
	// bootstrap's file name.
	Handler string
	// Env is the function's environment variables (the template's, with
	// references resolved). Variables Lambda reserves are refused.
	// Default: none.
	Env map[string]string
	// Credentials are the execution role's session. Default: none.
	Credentials Credentials
	// MemoryMB is the memory size (AWS_LAMBDA_FUNCTION_MEMORY_SIZE).
	// Default: DefaultMemoryMB.
	MemoryMB int
	// Timeout of one invocation. Default: DefaultTimeout.
	Timeout time.Duration
	// InitTimeout bounds the init phase: an environment whose runtime has
	// not asked for its first invocation by then is killed and the
	// invocation fails. Default: DefaultInitTimeout.
	InitTimeout time.Duration
	// LogGroup is the function's log group (AWS_LAMBDA_LOG_GROUP_NAME).
	// Default: /aws/lambda/<Name>.
	LogGroup string
	// LogFormat is LogFormatText or LogFormatJSON; with JSON the runtime
	// is told so (AWS_LAMBDA_LOG_FORMAT) and reports are JSON records.
	// Default: LogFormatText.
	LogFormat string
	// LogLevel is the application log level sent with JSON logs
	// (AWS_LAMBDA_LOG_LEVEL). Default: none.
	LogLevel string
	// Concurrency bounds the function's environments. Default:
	// DefaultConcurrency.
	Concurrency int
	// Label starts each line the function's processes write and each
	// report in Log. Default: Name.
	Label string
	// Log receives what the processes write and the reports. Default:
	// discarded.
	Log io.Writer
}

// Credentials are an execution role's temporary credentials.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// Error is an invocation that failed as a function error: what the runtime
// reported with /error, or what Lambda reports for a crash, a timeout or a
// failed init. Invoke's other errors are the caller's (a canceled context).
type Error struct {
	// Type is the errorType ("Runtime.ExitError", "Sandbox.Timedout", or
	// the type the runtime reported).
	Type string `json:"errorType,omitempty"`
	// Message is the errorMessage.
	Message string `json:"errorMessage"`
	// Payload is the error document as Lambda returns it to the invoker.
	Payload []byte `json:"-"`
}

func (e *Error) Error() string { return e.Message }

// reserved are the variables Lambda sets itself and refuses in a
// function's configuration.
var reserved = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true, "AWS_EXECUTION_ENV": true,
	"AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true, "AWS_LAMBDA_FUNCTION_VERSION": true,
	"AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true, "AWS_LAMBDA_LOG_STREAM_NAME": true,
	"AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true,
	"AWS_LAMBDA_RUNTIME_API": true, "LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

var functionName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// Validate reports every problem with the configuration.
func (c *Config) Validate() error {
	var errs []error
	if !functionName.MatchString(c.Name) {
		errs = append(errs, fmt.Errorf("function name %q: want 1-64 letters, digits, _ or -", c.Name))
	}
	if c.Region == "" {
		errs = append(errs, fmt.Errorf("function %s: no Region", c.Name))
	}
	if c.Bootstrap == "" {
		errs = append(errs, fmt.Errorf("function %s: no Bootstrap", c.Name))
	}
	if c.MemoryMB != 0 && (c.MemoryMB < 128 || c.MemoryMB > 10240) {
		errs = append(errs, fmt.Errorf("function %s: memory %d MB, want 128..10240", c.Name, c.MemoryMB))
	}
	if c.Timeout < 0 || c.Timeout > 15*time.Minute {
		errs = append(errs, fmt.Errorf("function %s: timeout %v, want up to 15m", c.Name, c.Timeout))
	}
	if c.LogFormat != "" && c.LogFormat != LogFormatText && c.LogFormat != LogFormatJSON {
		errs = append(errs, fmt.Errorf("function %s: log format %q, want %s or %s", c.Name, c.LogFormat, LogFormatText, LogFormatJSON))
	}
	if c.Concurrency < 0 {
		errs = append(errs, fmt.Errorf("function %s: concurrency %d", c.Name, c.Concurrency))
	}
	for k := range c.Env {
		if reserved[k] {
			errs = append(errs, fmt.Errorf("function %s: environment variable %s is reserved by Lambda", c.Name, k))
		}
	}
	return errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	if c.ARN == "" {
		c.ARN = fmt.Sprintf("arn:aws:lambda:%s:000000000000:function:%s", c.Region, c.Name)
	}
	if c.Handler == "" {
		c.Handler = filepath.Base(c.Bootstrap)
	}
	if c.MemoryMB == 0 {
		c.MemoryMB = DefaultMemoryMB
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.InitTimeout == 0 {
		c.InitTimeout = DefaultInitTimeout
	}
	if c.LogGroup == "" {
		c.LogGroup = "/aws/lambda/" + c.Name
	}
	if c.LogFormat == "" {
		c.LogFormat = LogFormatText
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Label == "" {
		c.Label = c.Name
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	return c
}

// Function is a function's pool of execution environments. Create it with
// New; Close stops its processes.
type Function struct {
	cfg   Config
	out   *lineWriter
	slots chan struct{}

	mu        sync.Mutex
	bootstrap string
	gen       int // bumps with each Replace; older environments retire
	idle      []*sandbox
	all       map[*sandbox]bool // started and not stopped, idle or busy
	peak      int
	closed    bool
}

// New checks cfg and returns the function; no process starts before the
// first invocation.
func New(cfg Config) (*Function, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	return &Function{
		cfg:       cfg,
		out:       &lineWriter{w: cfg.Log},
		slots:     make(chan struct{}, cfg.Concurrency),
		bootstrap: cfg.Bootstrap,
		all:       map[*sandbox]bool{},
	}, nil
}

// Name is the function's name.
func (f *Function) Name() string { return f.cfg.Name }

// Invoke runs one synchronous invocation with payload as the event, in a
// warm environment if one is idle, else in a new one, waiting while the
// function is at its concurrency limit. A function error is an *Error.
func (f *Function) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if len(payload) > MaxPayloadBytes {
		return nil, fmt.Errorf("%s: request payload of %d bytes exceeds the %d bytes quota", f.cfg.Name, len(payload), MaxPayloadBytes)
	}
	select {
	case f.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: waiting for a free execution environment: %w", f.cfg.Name, ctx.Err())
	}
	defer func() { <-f.slots }()
	inv := newInvocation(payload)
	var res result
	for {
		sb, err := f.take()
		if err != nil {
			return nil, err
		}
		res = sb.invoke(inv)
		f.put(sb)
		if res.err != errGone {
			break
		}
	}
	if res.err != nil {
		return nil, res.err
	}
	return res.payload, nil
}

// take returns an idle environment of the current code, or starts one.
func (f *Function) take() (*sandbox, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, fmt.Errorf("%s: the function is closed", f.cfg.Name)
	}
	for len(f.idle) > 0 {
		sb := f.idle[len(f.idle)-1]
		f.idle = f.idle[:len(f.idle)-1]
		if sb.alive() {
			return sb, nil
		}
		delete(f.all, sb)
	}
	sb, err := startSandbox(f.cfg, f.bootstrap, f.gen, f.out)
	if err != nil {
		return nil, err
	}
	f.all[sb] = true
	f.peak = max(f.peak, len(f.all))
	return sb, nil
}

// put returns an environment after an invocation: idle again if it still
// runs the current code, stopped otherwise. A stopped environment's
// process is gone when put returns, before Invoke answers and frees its
// slot: a timed-out or retired process is never running beside the
// environments the function counts.
func (f *Function) put(sb *sandbox) {
	f.mu.Lock()
	if !f.closed && sb.gen == f.gen && sb.alive() {
		f.idle = append(f.idle, sb)
		f.mu.Unlock()
		return
	}
	delete(f.all, sb)
	f.mu.Unlock()
	sb.stop()
	<-sb.exited
}

// Replace runs bootstrap from now on: idle environments stop (their
// processes are gone when it returns), busy ones finish their invocation
// and stop, new invocations start new ones.
func (f *Function) Replace(bootstrap string) {
	f.mu.Lock()
	f.bootstrap = bootstrap
	f.gen++
	retired := f.idle
	for _, sb := range retired {
		delete(f.all, sb)
	}
	f.idle = nil
	f.mu.Unlock()
	for _, sb := range retired {
		sb.stop()
	}
	for _, sb := range retired {
		<-sb.exited
	}
}

// Stats are a function's environments: running now and the most at once.
type Stats struct {
	Environments, Peak int
}

// Stats reports the function's environments.
func (f *Function) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return Stats{Environments: len(f.all), Peak: f.peak}
}

// Close stops every environment; invocations in flight fail. It returns
// once no process of the function runs.
func (f *Function) Close() {
	f.mu.Lock()
	f.closed = true
	f.idle = nil
	var all []*sandbox
	for sb := range f.all {
		all = append(all, sb)
	}
	f.all = map[*sandbox]bool{}
	f.mu.Unlock()
	for _, sb := range all {
		sb.stop()
	}
	for _, sb := range all {
		<-sb.exited
	}
}

// environ is the process environment of an environment: what Lambda sets
// for a provided runtime, the function's variables and its credentials.
func environ(cfg Config, api, stream string) []string {
	env := []string{
		"PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin",
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"_HANDLER=" + cfg.Handler,
		"AWS_REGION=" + cfg.Region,
		"AWS_DEFAULT_REGION=" + cfg.Region,
		"AWS_LAMBDA_FUNCTION_NAME=" + cfg.Name,
		fmt.Sprintf("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%d", cfg.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=" + cfg.LogGroup,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + stream,
		"AWS_LAMBDA_RUNTIME_API=" + api,
		"LAMBDA_TASK_ROOT=" + filepath.Dir(cfg.Bootstrap),
		"LAMBDA_RUNTIME_DIR=" + filepath.Dir(cfg.Bootstrap),
		"AWS_XRAY_CONTEXT_MISSING=LOG_ERROR",
	}
	if cfg.LogFormat == LogFormatJSON {
		env = append(env, "AWS_LAMBDA_LOG_FORMAT=JSON")
		if cfg.LogLevel != "" {
			env = append(env, "AWS_LAMBDA_LOG_LEVEL="+cfg.LogLevel)
		}
	}
	c := cfg.Credentials
	if c.AccessKeyID != "" {
		env = append(env, "AWS_ACCESS_KEY_ID="+c.AccessKeyID, "AWS_ACCESS_KEY="+c.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+c.SecretAccessKey)
		if c.SessionToken != "" {
			env = append(env, "AWS_SESSION_TOKEN="+c.SessionToken)
		}
	}
	for k, v := range cfg.Env {
		env = append(env, k+"="+v)
	}
	return env
}

// exists reports whether the bootstrap is there, for a clear error before
// any process starts.
func exists(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if info.IsDir() || info.Mode()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable", path)
	}
	return nil
}
