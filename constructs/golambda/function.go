// Package golambda provides Function, a Lambda function built from a Go main
// package by a local `go build` at synth time (no Docker), running on
// provided.al2023 on arm64, with its own log group, X-Ray tracing, JSON logs
// and a role that starts with nothing but writing to that log group.
package golambda

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/portcullis-cdk/portcullis/constructs/golambda/bundle"
	"github.com/portcullis-cdk/portcullis/internal/modroot"
)

// FunctionProps configures a Function.
type FunctionProps struct {
	// Package is the main package to build: an import path, or a path
	// relative to ModuleDir such as "./lambdas/cmd/todos". Required.
	Package string
	// ModuleDir is the Go module the package is built in. Default: the
	// module holding the working directory (where `cdk synth` runs).
	ModuleDir string
	// Description of the function. Default: none.
	Description string
	// Environment variables. Default: none.
	Environment map[string]string
	// MemoryMB is the memory size, which also sets the CPU share. Default: 256.
	MemoryMB int
	// Timeout of one invocation. Default: 10 seconds (API Gateway gives up at 30).
	Timeout time.Duration
	// LogRetentionDays is how long the log group keeps events; one of the
	// values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...).
	// Default: 30.
	LogRetentionDays int
	// Ephemeral deletes the log group with the stack. Default: false (retain).
	Ephemeral bool
}

// Function is a Go Lambda function and the resources made for it.
type Function struct {
	// Construct groups the resources below; pass it where a scope is wanted.
	Construct constructs.Construct
	// Function is the Lambda function.
	Function awslambda.Function
	// Role is the execution role; grant further permissions to it.
	Role awsiam.Role
	// LogGroup receives the function's JSON logs.
	LogGroup awslogs.LogGroup
}

var retentionDays = map[int]awslogs.RetentionDays{
	1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS, 5: awslogs.RetentionDays_FIVE_DAYS,
	7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
	60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS, 120: awslogs.RetentionDays_FOUR_MONTHS,
	150: awslogs.RetentionDays_FIVE_MONTHS, 180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
	400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS, 731: awslogs.RetentionDays_TWO_YEARS,
	1827: awslogs.RetentionDays_FIVE_YEARS, 3653: awslogs.RetentionDays_TEN_YEARS,
}

// RetentionDays converts a number of days to the CloudWatch Logs retention
// setting, or fails naming the accepted values.
func RetentionDays(days int) (awslogs.RetentionDays, error) {
	if r, ok := retentionDays[days]; ok {
		return r, nil
	}
	var ok []int
	for d := range retentionDays {
		ok = append(ok, d)
	}
	sort.Ints(ok)
	return "", fmt.Errorf("log retention %d days: CloudWatch Logs accepts %v", days, ok)
}

// Validate reports every problem with the props.
func (p *FunctionProps) Validate() error {
	var errs []error
	if p.Package == "" {
		errs = append(errs, errors.New("Package is required"))
	}
	if p.MemoryMB != 0 && (p.MemoryMB < 128 || p.MemoryMB > 10240) {
		errs = append(errs, fmt.Errorf("MemoryMB %d: want 128..10240", p.MemoryMB))
	}
	if p.Timeout != 0 && (p.Timeout < time.Second || p.Timeout > 15*time.Minute) {
		errs = append(errs, fmt.Errorf("Timeout %v: want 1s..15m", p.Timeout))
	}
	if p.LogRetentionDays != 0 {
		if _, err := RetentionDays(p.LogRetentionDays); err != nil {
			errs = append(errs, err)
		}
	}
	for k := range p.Environment {
		if !envName.MatchString(k) || reservedEnv[k] {
			errs = append(errs, fmt.Errorf("environment variable %q: want [A-Za-z][A-Za-z0-9_]*, not one Lambda reserves", k))
		}
	}
	return errors.Join(errs...)
}

var envName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// Lambda sets these itself and rejects functions that define them.
var reservedEnv = map[string]bool{
	"_HANDLER": true, "AWS_REGION": true, "AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true,
	"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true, "AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true,
	"AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true, "LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

func (p *FunctionProps) withDefaults() (FunctionProps, error) {
	out := *p
	if out.ModuleDir == "" {
		root, err := modroot.Dir()
		if err != nil {
			return out, err
		}
		out.ModuleDir = root
	}
	if out.MemoryMB == 0 {
		out.MemoryMB = 256
	}
	if out.Timeout == 0 {
		out.Timeout = 10 * time.Second
	}
	if out.LogRetentionDays == 0 {
		out.LogRetentionDays = 30
	}
	return out, nil
}

// NewFunction builds props.Package and creates the function. It panics if
// props do not validate or the build fails (with the compiler's message);
// call props.Validate first to handle invalid props as an error.
func NewFunction(scope constructs.Construct, id string, props *FunctionProps) *Function {
	if props == nil {
		props = &FunctionProps{}
	}
	if err := props.Validate(); err != nil {
		panic(fmt.Errorf("golambda.NewFunction %q: %w", id, err))
	}
	p, err := props.withDefaults()
	if err != nil {
		panic(fmt.Errorf("golambda.NewFunction %q: %w", id, err))
	}
	this := constructs.NewConstruct(scope, jsii.String(id))

	dir, err := build(*awscdk.Stage_Of(this).Outdir(), p.ModuleDir, p.Package)
	if err != nil {
		panic(fmt.Errorf("golambda.NewFunction %q: %w", id, err))
	}

	removal := awscdk.RemovalPolicy_RETAIN
	if p.Ephemeral {
		removal = awscdk.RemovalPolicy_DESTROY
	}
	retention, _ := RetentionDays(p.LogRetentionDays)
	logs := awslogs.NewLogGroup(this, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention:     retention,
		RemovalPolicy: removal,
	})
	role := awsiam.NewRole(this, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Execution role of " + p.Package),
	})
	// Instead of AWSLambdaBasicExecutionRole (logs:* on every log group),
	// writing to this function's own log group only.
	logs.GrantWrite(role)

	env := map[string]*string{}
	for k, v := range p.Environment {
		env[k] = jsii.String(v)
	}
	var description *string
	if p.Description != "" {
		description = jsii.String(p.Description)
	}
	fn := awslambda.NewFunction(this, jsii.String("Function"), &awslambda.FunctionProps{
		Code:                  awslambda.Code_FromAsset(jsii.String(dir), nil),
		Handler:               jsii.String(bundle.Binary),
		Runtime:               awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:          awslambda.Architecture_ARM_64(),
		MemorySize:            jsii.Number(float64(p.MemoryMB)),
		Timeout:               awscdk.Duration_Seconds(jsii.Number(p.Timeout.Seconds())),
		Environment:           &env,
		Description:           description,
		Role:                  role,
		LogGroup:              logs,
		LoggingFormat:         awslambda.LoggingFormat_JSON,
		ApplicationLogLevelV2: awslambda.ApplicationLogLevel_INFO,
		SystemLogLevelV2:      awslambda.SystemLogLevel_WARN,
		Tracing:               awslambda.Tracing_ACTIVE,
	})
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		AppliesTo: &[]any{"Resource::*"},
		Reason: jsii.String("Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support " +
			"resource-level permissions, so AWS documents Resource '*' for them."),
	}}, jsii.Bool(true))
	return &Function{Construct: this, Function: fn, Role: role, LogGroup: logs}
}

// Prebuild starts compiling the main packages of functions an app is about
// to create: in the background, so the build overlaps the start of the jsii
// runtime and the constructs made before the functions, and in one `go
// build` (bundle.BuildAll), so shared packages are loaded and checked once
// instead of once per function. Each NewFunction of one of these packages
// waits for it and takes its bundle; a package that fails to build is
// reported by that NewFunction, with the compiler's message. moduleDir is as
// in FunctionProps (default: the module of the working directory). Calling
// Prebuild is optional and never changes the template; packages already
// prebuilt are skipped. Bundles wait in a temporary directory, removed once
// every package has been taken: prebuild only packages the app uses.
func Prebuild(moduleDir string, pkgs ...string) {
	if moduleDir == "" {
		root, err := modroot.Dir()
		if err != nil {
			return // NewFunction reports it.
		}
		moduleDir = root
	}
	scratch, err := os.MkdirTemp("", "golambda-")
	if err != nil {
		return // Each NewFunction builds its own package.
	}
	batch := &prebuildBatch{scratch: scratch}
	var targets []bundle.Target
	var started []*prebuilt
	for i, pkg := range pkgs {
		p := &prebuilt{batch: batch, dir: filepath.Join(scratch, fmt.Sprint(i)), done: make(chan struct{})}
		if _, loaded := prebuilds.LoadOrStore(moduleDir+"\x00"+pkg, p); loaded {
			continue
		}
		targets = append(targets, bundle.Target{Package: pkg, OutDir: p.dir})
		started = append(started, p)
	}
	batch.pending.Store(int64(len(started)))
	if len(started) == 0 {
		os.Remove(scratch)
		return
	}
	go func() {
		errs := bundle.BuildAll(context.Background(), moduleDir, targets)
		for i, p := range started {
			p.err = errs[i]
			close(p.done)
		}
	}()
}

// prebuilds are the packages Prebuild started, by module and package.
var prebuilds sync.Map // moduleDir\x00pkg -> *prebuilt

type prebuilt struct {
	batch *prebuildBatch
	dir   string // bundle in the batch's scratch directory
	err   error
	done  chan struct{} // closed when dir is built or err is set

	claim sync.Once
	moved string // where the first take moved the binary; later takes copy it
}

type prebuildBatch struct {
	scratch string
	pending atomic.Int64 // packages not taken yet
}

// take moves the prebuilt bundle to dir, or copies it there from where an
// earlier take moved it (another app of the same process). The batch's
// scratch directory goes when its last package is taken.
func (p *prebuilt) take(dir string) error {
	<-p.done
	took := false
	p.claim.Do(func() {
		took = true
		if p.err == nil {
			if p.err = bundle.Place(filepath.Join(p.dir, bundle.Binary), dir, true); p.err == nil {
				p.moved = filepath.Join(dir, bundle.Binary)
			}
		}
		if p.batch.pending.Add(-1) == 0 {
			os.RemoveAll(p.batch.scratch)
		}
	})
	if took || p.err != nil {
		return p.err
	}
	return bundle.Place(p.moved, dir, false)
}

// builds remembers the bundles made in this process, so stages sharing a
// handler build it once per synth.
var builds sync.Map // outdir\x00moduleDir\x00pkg -> *buildResult

type buildResult struct {
	once sync.Once
	dir  string
	err  error
}

// build puts the bundle of pkg into a directory inside the cloud assembly
// (outdir), which CDK then stages as the function's asset: the one Prebuild
// made, or a build of its own.
func build(outdir, moduleDir, pkg string) (string, error) {
	v, _ := builds.LoadOrStore(outdir+"\x00"+moduleDir+"\x00"+pkg, &buildResult{})
	r := v.(*buildResult)
	r.once.Do(func() {
		h := fnv.New64a()
		h.Write([]byte(moduleDir + "\x00" + pkg))
		r.dir = filepath.Join(outdir, ".golambda", fmt.Sprintf("%x", h.Sum64()))
		if p, ok := prebuilds.Load(moduleDir + "\x00" + pkg); ok {
			r.err = p.(*prebuilt).take(r.dir)
			return
		}
		r.err = bundle.Build(context.Background(), moduleDir, pkg, r.dir)
	})
	return r.dir, r.err
}
