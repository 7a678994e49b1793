package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/portcullis-cdk/portcullis/constructs/golambda/bundle"
	"github.com/portcullis-cdk/portcullis/internal/cfn"
)

// sizes builds every function and the hello world as Lambda bundles and
// compares their zips.
func sizes(work string) ([]row, error) {
	pkgs, err := functionPackages()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(work, "bundles")
	all := append([]string{helloPackage}, pkgs...)
	targets := make([]bundle.Target, len(all))
	for i, p := range all {
		targets[i] = bundle.Target{Package: p, OutDir: filepath.Join(dir, path.Base(p))}
	}
	for i, err := range bundle.BuildAll(context.Background(), ".", targets) {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", targets[i].Package, err)
		}
	}
	size := func(t bundle.Target) (int, error) { return bundle.ZipSize(filepath.Join(t.OutDir, bundle.Binary)) }
	hello, err := size(targets[0])
	if err != nil {
		return nil, err
	}
	const most = 1.5
	rows := []row{{
		what: "zip size, aws-lambda-go hello world", value: fmt.Sprintf("%d B", hello), goal: "baseline",
		command: "GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build " + buildFlags() + " -o bootstrap " + helloPackage + " && zip -9 f.zip bootstrap",
	}}
	for _, t := range targets[1:] {
		z, err := size(t)
		if err != nil {
			return nil, err
		}
		ratio := float64(z) / float64(hello)
		rows = append(rows, row{
			what:    "zip size, " + path.Base(t.Package),
			value:   fmt.Sprintf("%d B = %.2fx", z, ratio),
			goal:    fmt.Sprintf("<= %.1fx", most),
			verdict: verdict(ratio, most),
			command: "the same build of " + t.Package,
		})
	}
	return rows, nil
}

// buildFlags are bundle.Flags as a shell would take them.
func buildFlags() string {
	var out []string
	for _, f := range bundle.Flags {
		if strings.Contains(f, " ") {
			f = `"` + f + `"`
		}
		out = append(out, f)
	}
	return strings.Join(out, " ")
}

// coldStarts times each function from exec to its first poll of the Lambda
// Runtime API (a stand-in on loopback): the process start and the init of
// every package and of main up to lambda.Start. The binaries are built with
// the bundle flags for this machine's architecture so they run here. Runs
// are interleaved (hello, every function, hello, ...) so load spikes hit all
// alike.
func coldStarts(work string, runs int) ([]row, error) {
	pkgs, err := functionPackages()
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(work, "host") + string(filepath.Separator)
	build := exec.Command("go", append(append([]string{"build"}, bundle.Flags...), append([]string{"-o", bin, helloPackage, helloDynamoDBPackage}, pkgs...)...)...)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %w\n%s", err, out)
	}
	env, err := functionEnv()
	if err != nil {
		return nil, err
	}
	all := append([]string{helloPackage, helloDynamoDBPackage}, pkgs...)
	costs := map[string][]cost{}
	for range runs {
		for _, p := range all {
			c, err := coldStart([]string{filepath.Join(bin, path.Base(p))}, env)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			costs[p] = append(costs[p], c)
		}
	}
	wall, cpu := medianCost(costs[helloPackage])
	const most = 1.3
	rows := []row{{
		what: "cold start, aws-lambda-go hello world", value: fmt.Sprintf("%d µs wall, %d µs CPU", wall.Microseconds(), cpu.Microseconds()), goal: "baseline",
		command: fmt.Sprintf("exec of bootstrap (GOARCH=%s, bundle flags) until its first GET of the Runtime API's /next, median of %d interleaved", runtime.GOARCH, runs),
	}}
	for _, p := range all[1:] {
		w, c := medianCost(costs[p])
		ratio := c.Seconds() / cpu.Seconds()
		r := row{
			what:    "cold start, " + path.Base(p),
			value:   fmt.Sprintf("%d µs wall = %.2fx, %d µs CPU = %.2fx", w.Microseconds(), w.Seconds()/wall.Seconds(), c.Microseconds(), ratio),
			goal:    fmt.Sprintf("CPU <= %.1fx", most),
			verdict: verdict(ratio, most),
			command: "the same, for " + p,
		}
		if p == helloDynamoDBPackage {
			r.what = "cold start, the hello world importing the SDK's dynamodb package (no client)"
			r.goal, r.verdict = "(reported: the upstream share of the DynamoDB functions', docs/performance.md)", ""
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// coldStart starts one function process (argv: its bootstrap, or an
// emulator and the bootstrap) and returns how long it took to ask the
// Runtime API for its first invocation, and the CPU it used until then;
// then the process is killed (it is idle, polling).
func coldStart(argv []string, env []string) (cost, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return cost{}, err
	}
	polled := make(chan time.Time, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/runtime/invocation/next") {
			select {
			case polled <- time.Now():
			default:
			}
		}
		<-r.Context().Done() // no invocation: the process is killed
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(env, "AWS_LAMBDA_RUNTIME_API="+l.Addr().String())
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	exited := make(chan error, 1)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return cost{}, err
	}
	go func() { exited <- cmd.Wait() }()
	select {
	case t := <-polled:
		_ = cmd.Process.Kill()
		<-exited
		return cost{wall: t.Sub(start), cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}, nil
	case err := <-exited:
		return cost{}, fmt.Errorf("exited before polling for an invocation (%v): %s", err, out.String())
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		return cost{}, fmt.Errorf("no poll for an invocation within 10s: %s", out.String())
	}
}

// functionEnv is an environment every function starts with: what Lambda
// sets, and each variable the dev template gives any function (a literal as
// it is, a reference to a table or bucket as a placeholder name), so a
// setting added later is provided without touching this file.
func functionEnv() ([]string, error) {
	tpl, err := cfn.ReadFile(filepath.Join("cdk.out", "portcullis-dev.template.json"))
	if err != nil {
		return nil, fmt.Errorf("reading the dev template (run make synth first): %w", err)
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"), "AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIDBENCH", "AWS_SECRET_ACCESS_KEY=bench", "AWS_SESSION_TOKEN=bench",
		"AWS_LAMBDA_FUNCTION_NAME=bench", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
	}
	for _, fn := range tpl.OfType("AWS::Lambda::Function") {
		var fp struct {
			Environment struct{ Variables map[string]cfn.Expr }
		}
		if err := fn.Decode(&fp); err != nil {
			return nil, fmt.Errorf("function %s: %w", fn.ID(), err)
		}
		for k, v := range fp.Environment.Variables {
			env = append(env, k+"="+placeholder(v.Value))
		}
	}
	return env, nil
}

// placeholder spells a template value well enough to start a function: a
// reference becomes a made-up name, a join joins the spelled parts, so a
// JSON value built around a reference stays JSON.
func placeholder(v cfn.Value) string {
	s, err := cfn.Render(v, func(part cfn.Value) string {
		return "bench-" + strings.ToLower(strings.TrimPrefix(part.Func(), "Fn::"))
	})
	if err != nil {
		return "bench"
	}
	return s
}
