// Command fn is a test function for the local Runtime API: it runs under
// the real aws-lambda-go client and does what each event asks.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Op   string `json:"op"`
	MS   int    `json:"ms"`
	File string `json:"file"`
}

type reply struct {
	RequestID, FunctionARN, TraceID string
	DeadlineMS                      int64 // Unix milliseconds
	Env                             map[string]string
	PID                             int
}

var vars = []string{"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
	"AWS_SESSION_TOKEN", "_HANDLER", "_X_AMZN_TRACE_ID", "GREETING", "AWS_LAMBDA_LOG_FORMAT", "HOME"}

func handle(ctx context.Context, ev event) (reply, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	switch ev.Op {
	case "error":
		return reply{}, errors.New("asked to fail")
	case "panic":
		panic("asked to panic")
	case "exit":
		os.Exit(7)
	case "sleep":
		time.Sleep(time.Duration(ev.MS) * time.Millisecond)
	case "wait":
		// In flight until the test creates the file: the line tells it
		// which process holds the invocation.
		fmt.Printf("waiting in process %d\n", os.Getpid())
		for {
			if _, err := os.Stat(ev.File); err == nil {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	case "spawn":
		// A child that outlives the invocation, holding its output.
		child := exec.Command("sleep", "600")
		child.Stdout, child.Stderr = os.Stdout, os.Stderr
		if err := child.Start(); err != nil {
			return reply{}, err
		}
		fmt.Printf("started child %d\n", child.Process.Pid)
		time.Sleep(time.Hour)
	case "log":
		fmt.Println("a line from the function")
	}
	deadline, _ := ctx.Deadline()
	r := reply{RequestID: lc.AwsRequestID, FunctionARN: lc.InvokedFunctionArn, Env: map[string]string{},
		DeadlineMS: deadline.UnixMilli(), PID: os.Getpid()}
	if v, ok := ctx.Value("x-amzn-trace-id").(string); ok {
		r.TraceID = v
	}
	for _, k := range vars {
		r.Env[k] = os.Getenv(k)
	}
	return r, nil
}

func main() {
	switch os.Getenv("INIT") {
	case "exit":
		fmt.Println("init: a required setting is missing")
		os.Exit(3)
	case "post":
		// The documented init error call, which aws-lambda-go leaves to
		// the program.
		url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
		req, _ := http.NewRequest("POST", url, bytes.NewReader([]byte(`{"errorMessage":"no table configured","errorType":"InitError.Config"}`)))
		req.Header.Set("Lambda-Runtime-Function-Error-Type", "InitError.Config")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		os.Exit(1)
	case "hang":
		time.Sleep(time.Hour)
	}
	lambda.Start(handle)
}
