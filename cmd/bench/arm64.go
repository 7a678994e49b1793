package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/portcullis-cdk/portcullis/constructs/golambda/bundle"
)

// qemuPackage is the Debian package with qemu-aarch64, the user-mode
// emulator the arm64 rows run the functions under.
const qemuPackage = "qemu-user"

// coldStartsArm64 runs the functions as they are deployed (GOARCH=arm64,
// Graviton) under qemu-aarch64's user-mode emulation, where this machine
// has it: the emulator's CPU time from exec to the first poll of the
// Runtime API, against the hello world's, and the allocations of the
// package initializations before main (GODEBUG=inittrace=1). Emulated CPU
// time counts the arm64 instructions the start-up executes (each
// translated, then run), not a Graviton's latency; the allocation counts
// are the arm64 binary's own, as on Graviton.
func coldStartsArm64(work string, runs int) ([]row, error) {
	qemu, err := exec.LookPath("qemu-aarch64")
	if err != nil {
		return []row{{what: "cold start on arm64 (emulated)", value: "not measured: no qemu-aarch64 on PATH", goal: "(reported)",
			command: "apt-get install " + qemuPackage + ", then make bench"}}, nil
	}
	pkgs, err := functionPackages()
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(work, "arm64") + string(filepath.Separator)
	all := append([]string{helloPackage, helloDynamoDBPackage}, pkgs...)
	build := exec.Command("go", append(append([]string{"build"}, bundle.Flags...), append([]string{"-o", bin}, all...)...)...)
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %w\n%s", err, out)
	}
	env, err := functionEnv()
	if err != nil {
		return nil, err
	}
	costs := map[string][]cost{}
	for range runs {
		for _, p := range all {
			c, err := coldStart([]string{qemu, filepath.Join(bin, path.Base(p))}, env)
			if err != nil {
				return nil, fmt.Errorf("%s on qemu-aarch64: %w", p, err)
			}
			costs[p] = append(costs[p], c)
		}
	}
	_, base := medianCost(costs[helloPackage])
	var rows []row
	for _, p := range all {
		allocs, bytes, err := initAllocs(qemu, filepath.Join(bin, path.Base(p)), env)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		_, c := medianCost(costs[p])
		r := row{
			what:    "cold start on arm64 (emulated), " + path.Base(p),
			value:   fmt.Sprintf("%d ms emulated CPU = %.2fx; package inits: %d allocations, %d KB", c.Milliseconds(), c.Seconds()/base.Seconds(), allocs, bytes/1024),
			goal:    "(reported)",
			command: fmt.Sprintf("qemu-aarch64 bootstrap (GOARCH=arm64, bundle flags) until its first GET of /next, median of %d interleaved; GODEBUG=inittrace=1 for the inits", runs),
		}
		switch p {
		case helloPackage:
			r.goal, r.what = "baseline", "cold start on arm64 (emulated), aws-lambda-go hello world"
		case helloDynamoDBPackage:
			r.what = "cold start on arm64 (emulated), the hello world importing the SDK's dynamodb package (no client)"
			r.command = "the same, for " + p
		default:
			r.command = "the same, for " + p
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// initLine is a line of GODEBUG=inittrace=1: one package's initialization.
var initLine = regexp.MustCompile(`^init \S+ @\S+ ms, \S+ ms clock, (\d+) bytes, (\d+) allocs$`)

// initAllocs runs a bootstrap once with GODEBUG=inittrace=1 (it exits when
// it finds no Runtime API) and sums its package initializations.
func initAllocs(qemu, binary string, env []string) (allocs, bytes int, err error) {
	cmd := exec.Command(qemu, binary)
	cmd.Env = append(env, "GODEBUG=inittrace=1", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:1")
	out, _ := cmd.CombinedOutput() // it fails to reach the Runtime API, by design
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	n := 0
	for sc.Scan() {
		m := initLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		b, _ := strconv.Atoi(m[1])
		a, _ := strconv.Atoi(m[2])
		bytes, allocs, n = bytes+b, allocs+a, n+1
	}
	if n == 0 {
		return 0, 0, fmt.Errorf("no inittrace lines in:\n%s", tail(string(out), 20))
	}
	return allocs, bytes, nil
}
