// Package cmd_test runs each function's main as Lambda would: it builds the
// binaries, starts each with its environment against a Lambda Runtime API
// emulator and the local AWS servers, and invokes it with real events. This
// covers what the handler tests cannot: the configuration in main.
package cmd_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
	"github.com/portcullis-cdk/portcullis/internal/emulated/locallambda"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/awstest"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
)

var (
	srv *localaws.Servers
	bin string // directory of the built functions
)

var functions = []string{"todos", "photos", "profile", "random", "custommessage", "presignup", "postconfirmation", "pretokengen"}

func TestMain(m *testing.M) {
	var err error
	if bin, err = build(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(awstest.Main(m, &srv))
}

// build compiles every function as the local stack does (locallambda.Build:
// for this machine, with the Lambda build tag) into a directory kept between
// runs: go build links again only the binaries whose build ID no longer
// matches their sources, which saves linking all eight each run.
func build() (string, error) {
	dir, err := buildDir()
	if err != nil {
		return "", err
	}
	pkgs := make([]string, len(functions))
	for i, f := range functions {
		pkgs[i] = "./" + f
	}
	_, err = locallambda.Build(context.Background(), ".", dir, pkgs)
	return dir, err
}

// buildDir is the user's cache directory for this checkout's functions (one
// per checkout, so two worktrees' runs never write the same files).
func buildDir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(wd))
	dir := filepath.Join(cache, "portcullis", "lambdas-cmd-test-"+hex.EncodeToString(sum[:6]))
	return dir, os.MkdirAll(dir, 0o700)
}

// runtimeAPI emulates the Lambda Runtime API for one function process: it
// hands out invocations one at a time and collects their results.
type runtimeAPI struct {
	addr    string
	next    chan invocation
	mu      sync.Mutex
	pending map[string]chan result
	count   int
}

type invocation struct {
	id      string
	payload []byte
}

type result struct {
	body    []byte
	isError bool
}

func newRuntimeAPI(t *testing.T) *runtimeAPI {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	api := &runtimeAPI{addr: l.Addr().String(), next: make(chan invocation), pending: map[string]chan result{}}
	const prefix = "/2018-06-01/runtime/invocation/"
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+prefix+"next", func(w http.ResponseWriter, r *http.Request) {
		select {
		case inv := <-api.next:
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", inv.id)
			w.Header().Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(30*time.Second).UnixMilli()))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:test")
			_, _ = w.Write(inv.payload)
		case <-r.Context().Done():
		}
	})
	done := func(isError bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			api.mu.Lock()
			ch := api.pending[r.PathValue("id")]
			api.mu.Unlock()
			if ch == nil {
				http.Error(w, "unknown invocation", http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusAccepted)
			ch <- result{body: body, isError: isError}
		}
	}
	mux.HandleFunc("POST "+prefix+"{id}/response", done(false))
	mux.HandleFunc("POST "+prefix+"{id}/error", done(true))
	s := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	return api
}

// invoke sends an event to the function and waits for its result.
func (api *runtimeAPI) invoke(t *testing.T, event any) result {
	t.Helper()
	payload, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan result, 1)
	api.mu.Lock()
	api.count++
	id := fmt.Sprintf("req-%d", api.count)
	api.pending[id] = ch
	api.mu.Unlock()
	select {
	case api.next <- invocation{id: id, payload: payload}:
	case <-time.After(10 * time.Second):
		t.Fatal("the function never asked for an invocation")
	}
	select {
	case res := <-ch:
		return res
	case <-time.After(10 * time.Second):
		t.Fatal("the function never answered")
	}
	return result{}
}

// start runs a function with env on top of the local servers' environment.
func start(t *testing.T, name string, env map[string]string) (*runtimeAPI, *bytes.Buffer) {
	t.Helper()
	api := newRuntimeAPI(t)
	vars := srv.Env()
	vars["AWS_LAMBDA_RUNTIME_API"] = api.addr
	for k, v := range env {
		vars[k] = v
	}
	cmd := exec.Command(filepath.Join(bin, name))
	for k, v := range vars {
		if v != "" { // "" removes a variable
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return api, &logs
}

func apiResponse(t *testing.T, res result) events.APIGatewayV2HTTPResponse {
	t.Helper()
	if res.isError {
		t.Fatalf("function error: %s", res.body)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(res.body, &resp); err != nil {
		t.Fatal(err)
	}
	return resp
}

// settings are the functions' settings besides the local servers': the
// identity pool the test events name and the quotas.
var settings = map[string]string{schema.IdentityPoolEnv: httpapitest.IdentityPool,
	schema.TodosQuotaEnv: "10", schema.PhotosQuotaEnv: "10", schema.PhotoBytesQuotaEnv: "1000000"}

func TestAPIFunctions(t *testing.T) {
	me := httpapitest.User(httpapitest.NewOwner())
	tests := []struct {
		function, routeKey, body string
		status                   int
		want                     string
	}{
		{"todos", "POST /todos", `{"title":"from main"}`, 201, `"title":"from main"`},
		{"todos", "GET /iam/todos", "", 200, `"items":[]`},
		{"photos", "POST /photos", `{"contentType":"image/png","size":10}`, 201, srv.S3Endpoint + "/" + localaws.Bucket + "/uploads/" + me.ID + "/"},
		{"profile", "GET /me", "", 200, `"sub":"` + me.ID + `"`},
		{"random", "GET /random", "", 200, `"randomNumber":`},
	}
	for _, tt := range tests {
		t.Run(tt.function+" "+tt.routeKey, func(t *testing.T) {
			api, logs := start(t, tt.function, settings)
			caller := me
			if httpapitest.IsIAM(tt.routeKey) {
				caller = httpapitest.User(httpapitest.NewIdentity())
			}
			resp := apiResponse(t, api.invoke(t, httpapitest.Event(caller, tt.routeKey, nil, nil, tt.body)))
			if resp.StatusCode != tt.status || !strings.Contains(resp.Body, tt.want) {
				t.Fatalf("%d %s, want %d with %s\nlogs: %s", resp.StatusCode, resp.Body, tt.status, tt.want, logs)
			}
		})
	}
}

func TestTriggers(t *testing.T) {
	t.Run("custom message", func(t *testing.T) {
		api, _ := start(t, "custommessage", map[string]string{schema.AppNameEnv: "Moments"})
		ev := events.CognitoEventUserPoolsCustomMessage{}
		ev.TriggerSource = "CustomMessage_SignUp"
		ev.Request.CodeParameter = "{####}"
		res := api.invoke(t, ev)
		if res.isError || !bytes.Contains(res.body, []byte(`"smsMessage":"Moments: your verification code is {####}"`)) {
			t.Fatalf("result %s", res.body)
		}
	})
	t.Run("pre sign-up", func(t *testing.T) {
		api, _ := start(t, "presignup", map[string]string{schema.AllowedEmailDomainsEnv: "example.com"})
		ev := events.CognitoEventUserPoolsPreSignup{}
		ev.TriggerSource = "PreSignUp_SignUp"
		ev.Request.UserAttributes = map[string]string{"email": "x@evil.com"}
		res := api.invoke(t, ev)
		if !res.isError || !bytes.Contains(res.body, []byte("sign-up is limited to addresses at example.com")) {
			t.Fatalf("result %s", res.body)
		}
		ev.Request.UserAttributes["email"] = "x@example.com"
		if res := api.invoke(t, ev); res.isError {
			t.Fatalf("allowed address refused: %s", res.body)
		}
	})
	t.Run("pre token generation", func(t *testing.T) {
		api, _ := start(t, "pretokengen", map[string]string{schema.ClientScopesEnv: `{"spa":["portcullis/todos.read","portcullis/todos.write"]}`})
		ev := events.CognitoEventUserPoolsPreTokenGenV2_0{}
		ev.TriggerSource = "TokenGeneration_Authentication"
		ev.CallerContext.ClientID = "spa"
		ev.Request.Scopes = []string{"aws.cognito.signin.user.admin"}
		res := api.invoke(t, ev)
		if res.isError || !bytes.Contains(res.body, []byte(`"scopesToAdd":["portcullis/todos.read","portcullis/todos.write"]`)) {
			t.Fatalf("result %s", res.body)
		}
	})
	t.Run("post confirmation then GET /me", func(t *testing.T) {
		sub := httpapitest.NewOwner()
		api, _ := start(t, "postconfirmation", nil)
		ev := events.CognitoEventUserPoolsPostConfirmation{}
		ev.TriggerSource = "PostConfirmation_ConfirmSignUp"
		ev.Request.UserAttributes = map[string]string{"sub": sub, "email": "ada@example.com", "custom:company": "ACME"}
		if res := api.invoke(t, ev); res.isError {
			t.Fatalf("post confirmation: %s", res.body)
		}
		profile, _ := start(t, "profile", nil)
		resp := apiResponse(t, profile.invoke(t, httpapitest.Event(httpapitest.User(sub), "GET /me", nil, nil, "")))
		if !strings.Contains(resp.Body, `"company":"ACME"`) || !strings.Contains(resp.Body, `"hasProfile":true`) {
			t.Fatalf("GET /me after sign-up: %s", resp.Body)
		}
	})
}

// TestMissingConfiguration: a function without its settings stops at once
// with a JSON log line naming what is missing.
func TestMissingConfiguration(t *testing.T) {
	tests := []struct {
		function string
		unset    []string
		want     string
	}{
		{"todos", []string{schema.Todos.Env}, schema.Todos.Env},
		{"todos", []string{schema.IdentityPoolEnv}, schema.IdentityPoolEnv},
		{"todos", []string{schema.TodosQuotaEnv}, schema.TodosQuotaEnv},
		{"photos", []string{schema.PhotoBytesQuotaEnv}, schema.PhotoBytesQuotaEnv},
		{"photos", []string{schema.PhotosBucketEnv}, schema.PhotosBucketEnv},
		{"profile", []string{"AWS_REGION"}, "AWS_REGION"},
		{"postconfirmation", []string{schema.Profiles.Env, "AWS_SECRET_ACCESS_KEY"}, "AWS_SECRET_ACCESS_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.function, func(t *testing.T) {
			env := map[string]string{}
			for _, k := range tt.unset {
				env[k] = ""
			}
			cmd := exec.Command(filepath.Join(bin, tt.function))
			all := srv.Env()
			maps.Copy(all, settings)
			for k, v := range all {
				if _, unset := env[k]; !unset {
					cmd.Env = append(cmd.Env, k+"="+v)
				}
			}
			cmd.Env = append(cmd.Env, "AWS_LAMBDA_RUNTIME_API=127.0.0.1:1")
			out, err := cmd.Output()
			if err == nil {
				t.Fatal("function started without its configuration")
			}
			var line struct{ Level, Msg, Err string }
			if jerr := json.Unmarshal(bytes.TrimSpace(out), &line); jerr != nil || line.Level != "ERROR" || !strings.Contains(line.Err, tt.want) {
				t.Fatalf("exit %v, log %q: want an ERROR line naming %s", err, out, tt.want)
			}
		})
	}
}
