// Command dev runs a stage on this machine (`make dev`, `make dev
// STAGE=prod`) from its synthesized template: local
// DynamoDB, S3, Cognito user and identity pools, and the HTTP API, with
// every function run as its bundled bootstrap behind a local Lambda Runtime
// API, configured from the synthesized template. It prints
// the endpoints and a ready-to-use test user, writes the same to -info for
// `make smoke`, and stops everything on Ctrl-C.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/internal/devstack"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
	"github.com/portcullis-cdk/portcullis/internal/emulated/locallambda"
	"github.com/portcullis-cdk/portcullis/internal/stackinfo"
	"github.com/portcullis-cdk/portcullis/internal/util/modroot"
	"github.com/portcullis-cdk/portcullis/web"
)

func main() {
	template := flag.String("template", "cdk.out/"+contract.Project+"-dev.template.json", "synthesized stage template (make synth writes it; make dev STAGE=prod: cdk.out/<project>-prod.template.json)")
	info := flag.String("info", ".dev/stack.json", "where to write the endpoints and test user as JSON")
	host := flag.String("host", "127.0.0.1", "address to listen on")
	apiPort := flag.Int("api-port", 8787, "port of the HTTP API")
	cognitoPort := flag.Int("cognito-port", 9229, "port of the Cognito user pool")
	identityPort := flag.Int("identity-port", 9230, "port of the Cognito identity pool")
	// 5173 on localhost is the origin the dev stage registers as the SPA
	// client's callback and logout URLs, so the hosted UI returns there.
	webPort := flag.Int("web-port", 5173, "port of the web app's origin (the distribution's stand-in)")
	webHost := flag.String("web-host", "localhost", "host name of the web app's URL (its callback URLs are registered with it)")
	webDir := flag.String("web-dir", ".dev/web", "where the web app is built (web.Build) and served from")
	prebuilt := flag.Bool("web-prebuilt", false, "serve -web-dir as it is instead of building the app into it")
	quiet := flag.Bool("quiet", false, "do not log requests refused and codes sent")
	mfa := flag.String("mfa", "", "user pool MFA: required, optional or off (default: the template's)")
	watch := flag.Bool("watch", true, "rebuild a function whose sources change and put its new code live")
	synthStage := flag.String("synth-stage", "", "re-synthesize this stage when the app's sources change and restart on a new template (make dev: the stage it runs; default: off)")
	stateDir := flag.String("state-dir", "", "keep users, signing keys, items and objects here across runs (make dev: .dev/state/<stage>; default: none)")
	buildDir := flag.String("build-dir", "", "where the functions' bootstraps are built and cached (default: portcullis/bootstrap in the user's cache directory)")
	concurrency := flag.Int("concurrency", 0, "most execution environments (processes) per function (default: 10)")
	var ddbFaults, s3Faults localaws.Faults
	flag.Func("faults-dynamodb", "faults of the local DynamoDB from the start, e.g. 'throttle=0.5' (see "+localaws.FaultsPath+" in docs/local-stack.md)", faultsFlag(&ddbFaults))
	flag.Func("faults-s3", "faults of the local S3 from the start, e.g. 'fail=1&failStatus=503'", faultsFlag(&s3Faults))
	flag.Parse()

	if !*prebuilt {
		if err := web.Build(*webDir); err != nil {
			fmt.Fprintln(os.Stderr, "dev:", err)
			os.Exit(1)
		}
	}
	if err := run(*template, *info, *quiet, *watch, *synthStage, devstack.Options{
		Host: *host, APIPort: *apiPort, CognitoPort: *cognitoPort, IdentityPort: *identityPort,
		WebPort: *webPort, WebHost: *webHost, WebDir: *webDir,
		DynamoDBFaults: ddbFaults, S3Faults: s3Faults, MFA: *mfa, Concurrency: *concurrency, BuildDir: *buildDir, StateDir: *stateDir,
	}); err != nil {
		fmt.Fprintln(os.Stderr, "dev:", err)
		os.Exit(1)
	}
}

// faultsFlag parses a flag in the faults endpoint's query form.
func faultsFlag(dst *localaws.Faults) func(string) error {
	return func(v string) error {
		q, err := url.ParseQuery(v)
		if err != nil {
			return err
		}
		*dst, err = localaws.ParseFaults(q)
		return err
	}
}

// devRun is what one run of the command keeps across restarts of the
// stack: its options and where it reports.
type devRun struct {
	// stack is the stage's stack name, "portcullis-prod".
	stack    string
	opts     devstack.Options
	infoPath string
	watch    bool
	// restart receives a request to start the stack again (the template
	// changed).
	restart chan struct{}
}

func run(template, infoPath string, quiet, watch bool, synthStage string, opts devstack.Options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts.Template = template
	// The servers' log and every function's output and REPORT lines.
	opts.Log = os.Stderr
	if quiet {
		opts.Log = io.Discard
	}
	r := &devRun{stack: stackName(template), opts: opts, infoPath: infoPath, watch: watch, restart: make(chan struct{}, 1)}
	if synthStage != "" {
		if err := r.watchApp(ctx, synthStage); err != nil {
			return err
		}
	}
	for first := true; ; first = false {
		again, err := r.serve(ctx)
		if err != nil && first {
			return err
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "dev: the stage changed but does not start:", err, "\n  waiting for the next change")
			select {
			case <-ctx.Done():
				return nil
			case <-r.restart:
			}
			continue
		}
		if !again {
			return nil
		}
	}
}

// serve starts the stack and serves until Ctrl-C (false) or a restart
// (true); the state directory carries the state over.
func (r *devRun) serve(ctx context.Context) (again bool, err error) {
	started := time.Now()
	stack, err := devstack.Start(ctx, r.opts)
	if err != nil {
		return false, err
	}
	defer stack.Close()
	if err := stack.WriteInfo(r.infoPath); err != nil {
		return false, err
	}
	printInfo(os.Stdout, r.stack, stack.Info, stack.NotEmulated, r.infoPath, time.Since(started))
	stackCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if r.watch {
		go func() {
			if err := stack.Watch(stackCtx, devstack.DefaultWatchInterval, printRebuild); err != nil {
				fmt.Fprintln(os.Stderr, "dev: watching the functions' sources:", err)
			}
		}()
	}
	select {
	case <-ctx.Done():
		fmt.Println("\nstopping the local stack")
		printPeaks(os.Stdout, stack.FunctionStats())
		os.Remove(r.infoPath)
		return false, nil
	case <-r.restart:
		fmt.Println("\nthe stage's template changed: restarting the local stack (its state is kept)")
		return true, nil
	}
}

// watchApp re-synthesizes the stage when a source of the CDK app changes
// (the stage's code, a construct, cdk.json) and, when its template changed,
// asks for a restart.
func (r *devRun) watchApp(ctx context.Context, stage string) error {
	root, err := modroot.Dir()
	if err != nil {
		return err
	}
	stack := r.stack
	go func() {
		err := devstack.WatchApp(ctx, root, 300*time.Millisecond, func() {
			before, _ := os.ReadFile(r.opts.Template)
			started := time.Now()
			fmt.Printf("dev: the app changed: synthesizing %s\n", stack)
			cmd := exec.CommandContext(ctx, "cdk", "synth", "--quiet", "-c", "stage="+stage, stack)
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "dev: cdk synth: %v\n%s\n  the stack keeps running the previous template\n", err, out)
				return
			}
			after, _ := os.ReadFile(r.opts.Template)
			if bytes.Equal(before, after) {
				fmt.Printf("dev: synthesized in %.1fs, the template is unchanged\n", time.Since(started).Seconds())
				return
			}
			select {
			case r.restart <- struct{}{}:
			default:
			}
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "dev: watching the app's sources:", err)
		}
	}()
	return nil
}

// printPeaks says how many processes each function needed at most.
func printPeaks(w io.Writer, stats map[string]locallambda.Stats) {
	names := make([]string, 0, len(stats))
	for n := range stats {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprint(w, "processes per function at most:")
	for _, n := range names {
		fmt.Fprintf(w, " %s %d", n, stats[n].Peak)
	}
	fmt.Fprintln(w)
}

// printRebuild says which functions' new code is live, or why not.
func printRebuild(r devstack.Rebuild) {
	if r.Err != nil {
		fmt.Fprintf(os.Stderr, "dev: %v\n  the functions keep their previous code\n", r.Err)
		return
	}
	fmt.Printf("dev: %s rebuilt in %.1fs, new code live\n", strings.Join(r.Functions, ", "), r.Took.Seconds())
}

// stackName is the stack a template file is synthesized from
// ("cdk.out/portcullis-prod.template.json": "portcullis-prod").
func stackName(template string) string {
	return strings.TrimSuffix(filepath.Base(template), ".template.json")
}

// notEmulatedLines names what the stage uses that runs without locally,
// so a stage that differs from its deployment says so in the banner.
func notEmulatedLines(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("Not emulated locally (the stage uses them when deployed):\n")
	for _, l := range lines {
		fmt.Fprintf(&b, "  - %s\n", l)
	}
	b.WriteString("\n")
	return b.String()
}

func printInfo(w io.Writer, stack string, i stackinfo.Info, notEmulated []string, infoPath string, took time.Duration) {
	fmt.Fprintf(w, `%s %s running locally (ready in %.1fs)

  Open the app        %s

  API                 %s
  Cognito user pool   %s   pool %s
  Cognito identity    %s   pool %s
  DynamoDB            %s
  S3                  %s
  Issuer (JWKS)       %s/.well-known/jwks.json

  SPA client id       %s
  Server client id    %s   secret %s
%s
  Test user           %s   password %s

%s
Faults on demand (off by default): curl -X POST '%s%s?throttle=0.5'
  (also fail=, failStatus=500|503, slow=, delay=, down=true; the same on S3; curl -X DELETE stops them)

%sEndpoints as JSON: %s   (make smoke reads it)
Ctrl-C stops everything.
`, contract.Brand, stack, took.Seconds(), i.AppURL, i.APIURL, i.CognitoEndpoint, i.UserPoolID, i.IdentityEndpoint, i.IdentityPoolID,
		i.DynamoDBEndpoint, i.S3Endpoint, i.Issuer, i.SPAClientID, i.ServerClientID, i.ServerClientSecret, cliClientLine(i),
		i.TestUser.Username, i.TestUser.Password, tryLines(i),
		i.DynamoDBEndpoint, localaws.FaultsPath, notEmulatedLines(notEmulated), infoPath)
}

// cliClientLine names the stage's command-line client, if it has one.
func cliClientLine(i stackinfo.Info) string {
	if i.CLIClientID == "" {
		return ""
	}
	return fmt.Sprintf("  CLI client id       %s   (USER_PASSWORD_AUTH, no secret)\n", i.CLIClientID)
}

// tryLines show the AWS CLI sign-in through the CLI client, which works
// on the deployed stage too; a stage without one (prod) signs in by SRP
// or the hosted UI only, which the aws CLI cannot do.
func tryLines(i stackinfo.Info) string {
	if i.CLIClientID == "" {
		return fmt.Sprintf(`Sign in: open the app (hosted UI or SRP). This stage has no CLI client, so the
  aws CLI's USER_PASSWORD_AUTH sign-in is refused here as when deployed.
  curl -H "Authorization: Bearer <AccessToken>" %s/random
`, i.APIURL)
	}
	return fmt.Sprintf(`Try it:
  AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s aws cognito-idp initiate-auth \
    --endpoint-url %s --region %s --client-id %s \
    --auth-flow USER_PASSWORD_AUTH --auth-parameters 'USERNAME=%s,PASSWORD=%s'
  curl -H "Authorization: Bearer <AccessToken>" %s/random
`, i.AdminAccessKeyID, i.AdminSecretAccessKey, i.CognitoEndpoint, i.Region, i.CLIClientID,
		i.TestUser.Username, i.TestUser.Password, i.APIURL)
}
