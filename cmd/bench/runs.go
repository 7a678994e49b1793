package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// synthRun is one way the project runs `cdk synth`.
type synthRun struct {
	what    string
	env     []string
	args    []string
	command string
}

// synth times `cdk synth` as the edit loop runs it (make synth: every
// stage; make dev: its stage) and as the gates run it (with CDK's built-in
// CloudFormation validation) against the empty one-resource app
// (cmd/bench/emptyapp) with the same cdk.json, synthesized as CDK does by
// default (validated), all interleaved, each into an output directory of
// its own that later runs reuse, as cdk.out is. The goal's verdict is on
// CPU time, which the load of a shared machine does not inflate.
func synth(work string, runs int) ([]row, error) {
	const noValidation = "CDK_VALIDATION=false"
	out := func(name string) []string { return []string{"-o", filepath.Join(work, name)} }
	emptyApp := []string{"--app", "go run ./cmd/bench/emptyapp"}
	variants := []synthRun{
		{what: "synth, empty one-resource app", args: append(emptyApp, out("empty.out")...),
			command: "cdk synth --quiet --app 'go run ./cmd/bench/emptyapp'"},
		{what: "synth, every stage (make synth)", env: []string{noValidation}, args: out("full.out"),
			command: "CDK_VALIDATION=false cdk synth --quiet"},
		{what: "synth, the dev stage (make dev after an edit)", env: []string{noValidation}, args: append([]string{"-c", "stage=dev"}, out("dev.out")...),
			command: "CDK_VALIDATION=false cdk synth --quiet -c stage=dev"},
		{what: "synth, every stage with CloudFormation validation (make deploy, a plain cdk synth)", args: out("validated.out"),
			command: "cdk synth --quiet"},
		{what: "synth, empty app without validation", env: []string{noValidation}, args: append(emptyApp, out("empty-noval.out")...),
			command: "CDK_VALIDATION=false cdk synth --quiet --app 'go run ./cmd/bench/emptyapp'"},
	}
	costs := make([][]cost, len(variants))
	// A first run of each warms the Go build cache and the file cache.
	for i := -1; i < runs; i++ {
		for j, v := range variants {
			cmd := exec.Command("cdk", append([]string{"synth", "--quiet"}, v.args...)...)
			cmd.Env = append(os.Environ(), v.env...)
			c, err := measure(cmd)
			if err != nil {
				return nil, err
			}
			if i >= 0 {
				costs[j] = append(costs[j], c)
			}
		}
	}
	wall, cpu := medianCost(costs[0])
	rows := []row{{what: variants[0].what, value: fmt.Sprintf("%s wall, %s CPU", seconds(wall), seconds(cpu)), goal: "baseline",
		command: fmt.Sprintf("%s, median of %d interleaved runs", variants[0].command, runs)}}
	const most = 2.0
	for j, v := range variants[1:] {
		w, c := medianCost(costs[j+1])
		ratio := c.Seconds() / cpu.Seconds()
		r := row{what: v.what, goal: "(reported)",
			value:   fmt.Sprintf("%s wall = %.2fx, %s CPU = %.2fx", seconds(w), w.Seconds()/wall.Seconds(), seconds(c), ratio),
			command: fmt.Sprintf("%s, median of %d, interleaved with the empty app", v.command, runs)}
		if j == 0 {
			r.goal, r.verdict = fmt.Sprintf("CPU <= %.1fx", most), verdict(ratio, most)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// medianCost is the median wall time and the median CPU time of runs.
func medianCost(runs []cost) (wall, cpu time.Duration) {
	var w, c []time.Duration
	for _, r := range runs {
		w, c = append(w, r.wall), append(c, r.cpu)
	}
	return median(w), median(c)
}

// benchLine is a line of `go test -bench` output with -benchmem.
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op\s+(\d+) B/op\s+(\d+) allocs/op`)

// handlers runs the handlers' Go benchmarks, which call each handler in
// process against local DynamoDB and S3 started by the test.
func handlers() ([]row, error) {
	pkgs := []string{"./lambdas/todos", "./lambdas/photos", "./lambdas/profile", "./lambdas/random"}
	args := append([]string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-benchtime", "200x"}, pkgs...)
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, tail(string(out), 40))
	}
	var rows []row
	pkg := ""
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = p[strings.LastIndex(p, "/")+1:]
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		rows = append(rows, row{
			what:    fmt.Sprintf("handler, %s %s", pkg, strings.TrimPrefix(m[1], "Benchmark")),
			value:   fmt.Sprintf("%s ns/op, %s B/op, %s allocs/op", m[2], m[3], m[4]),
			goal:    "(reported)",
			command: fmt.Sprintf("go test -run '^$' -bench '^%s$' -benchmem -benchtime 200x ./lambdas/%s", m[1], pkg),
		})
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no benchmark results in:\n%s", tail(string(out), 40))
	}
	return rows, nil
}

// devReady times the local stack from start to ready (the stack info file
// written), with the dev template already synthesized, as `make dev` runs
// it the second time: the command is built first, as `go run` caches it.
func devReady(work string) ([]row, error) {
	bin := filepath.Join(work, "dev")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/dev").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/dev: %w\n%s", err, out)
	}
	var rows []row
	for _, cold := range []bool{false, true} {
		times, err := devReadyTimes(work, bin, cold)
		if err != nil {
			return nil, err
		}
		r := row{what: "make dev, start to ready (functions built before)", value: seconds(median(times)), goal: "(reported)",
			command: "go run ./cmd/dev -api-port 0 -cognito-port 0 -identity-port 0 -info f: until f is written, median of 3"}
		if cold {
			r.what = "make dev, start to ready (no function built: every bootstrap linked)"
			r.command = "the same with -build-dir <empty directory>, median of 3"
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// devReadyTimes starts the local stack three times, each time with an
// empty bootstrap cache if cold.
func devReadyTimes(work, bin string, cold bool) ([]time.Duration, error) {
	var times []time.Duration
	for i := range 3 {
		info := filepath.Join(work, fmt.Sprintf("stack-%d.json", i))
		args := []string{"-api-port", "0", "-cognito-port", "0", "-identity-port", "0", "-info", info, "-quiet", "-watch=false"}
		if cold {
			args = append(args, "-build-dir", filepath.Join(work, fmt.Sprintf("bootstrap-%d", i)))
		}
		cmd := exec.Command(bin, args...)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		var ready time.Duration
		for deadline := start.Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if st, err := os.Stat(info); err == nil && st.Size() > 0 {
				ready = time.Since(start)
				break
			}
		}
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		if ready == 0 {
			return nil, fmt.Errorf("the local stack was not ready within 60s:\n%s", tail(out.String(), 40))
		}
		times = append(times, ready)
	}
	return times, nil
}

// makeTest times the whole gate runs times: median wall and CPU time, each
// run's wall time and the load average when it started, since on a shared
// machine the wall time is the load's as much as the gate's. The median
// leaves out a first run that warmed the caches.
func makeTest(runs int) ([]row, error) {
	var costs []cost
	var walls, loads []string
	for range runs {
		load := loadAverage()
		c, err := measure(exec.Command("make", "test"))
		if err != nil {
			return nil, err
		}
		costs = append(costs, c)
		walls, loads = append(walls, fmt.Sprintf("%.0f", c.wall.Seconds())), append(loads, load)
	}
	wall, cpu := medianCost(costs)
	const most = 120 * time.Second
	return []row{{
		what: "make test (warm caches)", value: fmt.Sprintf("%s wall, %s CPU", seconds(wall), seconds(cpu)), goal: "<= 120 s on 2 idle cores",
		verdict: verdict(wall.Seconds(), most.Seconds()),
		command: fmt.Sprintf("make test, median of %d runs (wall %s s; load average at each start %s)", runs, strings.Join(walls, ", "), strings.Join(loads, ", ")),
	}}, nil
}

// loadAverage is the 1-minute load average, or "?" where /proc has none.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}
