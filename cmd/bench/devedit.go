package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/portcullis-cdk/portcullis/internal/stackinfo"
)

// editedFile and its edit: the random handler answers Max+1+i instead of a
// number from 0 to Max, which no unedited handler can answer.
const (
	editedFile = "lambdas/random/random.go"
	editFrom   = "h.intN(Max + 1)"
)

// editLive starts the local stack (watching its sources), then edits the
// random handler rounds times: each row's time runs from the file saved to
// the first response of the new code. The file is restored on return. The
// same run reports the local invocation latencies from the functions'
// REPORT records: cold (init and duration of a new process) and warm.
func editLive(work string, rounds int) (_ []row, err error) {
	original, err := os.ReadFile(editedFile)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(string(original), editFrom) {
		return nil, fmt.Errorf("%s no longer contains %q: update the edit bench", editedFile, editFrom)
	}
	defer func() {
		if werr := os.WriteFile(editedFile, original, 0o644); werr != nil && err == nil {
			err = werr
		}
	}()
	dev, info, err := startDev(work)
	if err != nil {
		return nil, err
	}
	defer dev.stop()
	call, err := randomCaller(info)
	if err != nil {
		return nil, err
	}
	for range 20 { // warm invocations for the REPORT records
		if _, err := call(); err != nil {
			return nil, err
		}
	}
	var times []time.Duration
	for i := range rounds {
		want := 101 + i
		edited := strings.Replace(string(original), editFrom, fmt.Sprintf("Max + 1 + %d", i), 1)
		saved := time.Now()
		if err := os.WriteFile(editedFile, []byte(edited), 0o644); err != nil {
			return nil, err
		}
		for {
			if n, err := call(); err == nil && n == want {
				break
			}
			if time.Since(saved) > 30*time.Second {
				return nil, fmt.Errorf("edit %d not live after 30 s:\n%s", i, tail(dev.log.String(), 40))
			}
			time.Sleep(10 * time.Millisecond)
		}
		times = append(times, time.Since(saved))
	}
	cold, warm := reportLatencies(dev.log.String(), "[random] ")
	const most = 2 * time.Second
	return []row{
		{what: "make dev, edit -> live (a handler's source saved to its first new response)", value: seconds(median(times)),
			goal: "<= 2 s", verdict: verdict(median(times).Seconds(), most.Seconds()),
			command: fmt.Sprintf("make bench BENCHFLAGS='-only edit': edit %s, poll GET /random, median of %d", editedFile, rounds)},
		{what: "local invocation, cold start (init + duration)", value: millis(cold), goal: "(reported)",
			command: "REPORT records of the random function in the same run, median"},
		{what: "local invocation, warm (duration)", value: millis(warm), goal: "(reported)",
			command: "REPORT records of the random function in the same run, median"},
	}, nil
}

// devProcess is a running cmd/dev with its output.
type devProcess struct {
	cmd *exec.Cmd
	log *syncBuilder
}

func (d *devProcess) stop() {
	_ = d.cmd.Process.Signal(os.Interrupt)
	_ = d.cmd.Wait()
}

// startDev builds and starts cmd/dev on free ports and waits for it.
func startDev(work string) (*devProcess, stackinfo.Info, error) {
	bin := filepath.Join(work, "dev")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/dev").CombinedOutput(); err != nil {
		return nil, stackinfo.Info{}, fmt.Errorf("go build ./cmd/dev: %w\n%s", err, out)
	}
	path := filepath.Join(work, "edit-stack.json")
	d := &devProcess{cmd: exec.Command(bin, "-api-port", "0", "-cognito-port", "0", "-identity-port", "0", "-web-port", "0",
		"-web-dir", filepath.Join(work, "web"), "-info", path), log: &syncBuilder{}}
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	if err := d.cmd.Start(); err != nil {
		return nil, stackinfo.Info{}, err
	}
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if info, err := stackinfo.Read(path); err == nil {
			return d, info, nil
		}
		if time.Now().After(deadline) {
			d.stop()
			return nil, stackinfo.Info{}, fmt.Errorf("the local stack did not start:\n%s", tail(d.log.String(), 40))
		}
	}
}

// randomCaller signs the test user in and returns a call of GET /random.
func randomCaller(info stackinfo.Info) (func() (int, error), error) {
	out, err := stackinfo.CognitoClient(info).InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(info.CLIClientID),
		AuthParameters: map[string]string{"USERNAME": info.TestUser.Username, "PASSWORD": info.TestUser.Password},
	})
	if err != nil {
		return nil, err
	}
	token := *out.AuthenticationResult.AccessToken
	return func() (int, error) {
		req, _ := http.NewRequest("GET", info.APIURL+"/random", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		var n struct{ RandomNumber int }
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET /random: %s", resp.Status)
		}
		err = json.NewDecoder(resp.Body).Decode(&n)
		return n.RandomNumber, err
	}, nil
}

// reportLatencies reads the platform.report records after prefix: the
// median cold start (init and duration) and warm duration.
func reportLatencies(log, prefix string) (cold, warm time.Duration) {
	var colds, warms []time.Duration
	sc := bufio.NewScanner(strings.NewReader(log))
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), prefix)
		if !ok {
			continue
		}
		var rec struct {
			Type   string
			Record struct {
				Metrics struct {
					DurationMs     float64
					InitDurationMs *float64
				}
			}
		}
		if json.Unmarshal([]byte(line), &rec) != nil || rec.Type != "platform.report" {
			continue
		}
		m := rec.Record.Metrics
		d := time.Duration(m.DurationMs * float64(time.Millisecond))
		if m.InitDurationMs != nil {
			colds = append(colds, d+time.Duration(*m.InitDurationMs*float64(time.Millisecond)))
		} else {
			warms = append(warms, d)
		}
	}
	if len(colds) == 0 || len(warms) == 0 {
		return 0, 0
	}
	return median(colds), median(warms)
}

func millis(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// syncBuilder collects a process's output.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
