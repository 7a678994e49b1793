package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// synth times `cdk synth` of every stage against the empty one-resource app
// (cmd/bench/emptyapp) with the same cdk.json, alternating the two, each
// into an output directory of its own that later runs reuse, as cdk.out is.
func synth(work string, pairs int) ([]row, error) {
	full := []string{"synth", "--quiet", "-o", filepath.Join(work, "full.out")}
	empty := []string{"synth", "--quiet", "--app", "go run ./cmd/bench/emptyapp", "-o", filepath.Join(work, "empty.out")}
	// A first run of each warms the Go build cache and the file cache.
	for _, args := range [][]string{full, empty} {
		if _, err := timed(context.Background(), "cdk", args...); err != nil {
			return nil, err
		}
	}
	var fulls, empties []time.Duration
	for range pairs {
		for _, args := range [][]string{empty, full} {
			d, err := timed(context.Background(), "cdk", args...)
			if err != nil {
				return nil, err
			}
			if args[len(args)-1] == full[len(full)-1] {
				fulls = append(fulls, d)
			} else {
				empties = append(empties, d)
			}
		}
	}
	f, e := median(fulls), median(empties)
	ratio := f.Seconds() / e.Seconds()
	const most = 2.0
	return []row{
		{what: "synth, empty one-resource app", value: seconds(e), goal: "baseline",
			command: fmt.Sprintf("cdk synth --quiet --app 'go run ./cmd/bench/emptyapp', median of %d", pairs)},
		{what: "synth, every stage", value: fmt.Sprintf("%s = %.2fx", seconds(f), ratio), goal: fmt.Sprintf("<= %.1fx", most),
			verdict: verdict(ratio, most), command: fmt.Sprintf("cdk synth --quiet, median of %d, alternating with the empty app", pairs)},
	}, nil
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

// makeTest times the whole gate, warm.
func makeTest() ([]row, error) {
	d, err := timed(context.Background(), "make", "test")
	if err != nil {
		return nil, err
	}
	const most = 120 * time.Second
	return []row{{
		what: "make test (warm caches)", value: seconds(d), goal: "<= 120 s",
		verdict: verdict(d.Seconds(), most.Seconds()), command: "make test",
	}}, nil
}
