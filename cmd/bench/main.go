// Command bench measures, in one run on this machine, what the project
// promises about its size and speed, and prints one table: each row with its
// goal, verdict and the command that measured it (`make bench`).
//
// Times on a shared machine are noisy, so where a goal is a ratio both sides
// are measured in the same run, interleaved, and the ratio is of medians.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/util/modroot"
)

// row is one line of the table.
type row struct {
	what    string
	value   string
	goal    string
	verdict string
	command string
}

// verdict compares a measured ratio or value with the most it may be.
func verdict(value, most float64) string {
	if value <= most {
		return "met"
	}
	return "MISSED"
}

func main() {
	var (
		coldRuns  = flag.Int("cold-runs", 21, "cold starts per function (the median counts)")
		armRuns   = flag.Int("arm64-runs", 7, "emulated arm64 cold starts per function (the median counts)")
		synthRuns = flag.Int("synth-runs", 5, "interleaved runs of each synth (the median counts)")
		skipTest  = flag.Bool("skip-test", false, "skip timing `make test` (the longest rows)")
		testRuns  = flag.Int("test-runs", 3, "runs of `make test` (the median counts)")
		only      = flag.String("only", "", "comma-separated sections to run: sizes,cold,arm64,synth,handlers,dev,edit,test")
	)
	flag.Parse()
	if err := run(runs{cold: *coldRuns, arm64: *armRuns, synth: *synthRuns, test: *testRuns}, *skipTest, *only); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// runs is how many times each kind of row is measured (the median counts).
type runs struct{ cold, arm64, synth, test int }

func run(n runs, skipTest bool, only string) error {
	root, err := modroot.Dir()
	if err != nil {
		return err
	}
	if err := os.Chdir(root); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	want := func(section string) bool {
		return only == "" || strings.Contains(","+only+",", ","+section+",")
	}
	sections := []struct {
		name string
		run  func() ([]row, error)
	}{
		{"sizes", func() ([]row, error) { return sizes(work) }},
		{"cold", func() ([]row, error) { return coldStarts(work, n.cold) }},
		{"arm64", func() ([]row, error) { return coldStartsArm64(work, n.arm64) }},
		{"synth", func() ([]row, error) { return synth(work, n.synth) }},
		{"handlers", handlers},
		{"dev", func() ([]row, error) { return devReady(work) }},
		{"edit", func() ([]row, error) { return editLive(work, 5) }},
		{"test", func() ([]row, error) {
			if skipTest {
				return nil, nil
			}
			return makeTest(n.test)
		}},
	}
	var rows []row
	for _, s := range sections {
		if !want(s.name) {
			continue
		}
		fmt.Fprintf(os.Stderr, "bench: %s...\n", s.name)
		got, err := s.run()
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		rows = append(rows, got...)
	}
	printTable(os.Stdout, rows)
	return nil
}

// printTable writes the rows as a Markdown table, for notes and the README.
func printTable(w io.Writer, rows []row) {
	fmt.Fprintf(w, "measured %s on %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), machine())
	fmt.Fprintln(w, "| what | measured | goal | verdict | command |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, r := range rows {
		if r.verdict == "" { // a baseline or a reported figure: no goal to meet
			r.verdict = "-"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | `%s` |\n", r.what, r.value, r.goal, r.verdict, r.command)
	}
}

// machine names the CPU count and Go version, the context of every figure.
func machine() string {
	out, _ := exec.Command("nproc").Output()
	return fmt.Sprintf("%s cores, %s", strings.TrimSpace(string(out)), goVersion())
}

func goVersion() string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return "go (unknown version)"
	}
	return strings.TrimSpace(string(out))
}

// functionPackages are the Lambda mains: every directory of lambdas/cmd.
func functionPackages() ([]string, error) {
	mains, err := filepath.Glob("lambdas/cmd/*/main.go")
	if err != nil {
		return nil, err
	}
	var pkgs []string
	for _, m := range mains {
		pkgs = append(pkgs, "./"+filepath.ToSlash(filepath.Dir(m)))
	}
	sort.Strings(pkgs)
	return pkgs, nil
}

// helloPackage is the aws-lambda-go hello world every function is compared to.
const helloPackage = "./test/testdata/hello"

// helloDynamoDBPackage is the hello world importing the SDK's DynamoDB
// client package, and nothing else of it.
const helloDynamoDBPackage = "./test/testdata/helloddb"

// cost is what a command took: wall time, and the CPU time of the process
// and every descendant it waited for (the jsii node process of a synth, say),
// which a shared machine's load does not inflate as it does the wall time.
type cost struct{ wall, cpu time.Duration }

// measure runs a command and returns its cost.
func measure(cmd *exec.Cmd) (cost, error) {
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	c := cost{wall: time.Since(start)}
	if cmd.ProcessState != nil {
		c.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		return c, fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args, " "), err, tail(out.String(), 40))
	}
	return c, nil
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// median of durations (the upper middle one for an even count).
func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// seconds formats a duration as seconds with two decimals.
func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
