package devstack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/portcullis-cdk/portcullis/constructs/golambda"
	"github.com/portcullis-cdk/portcullis/internal/cfn"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
	"github.com/portcullis-cdk/portcullis/internal/emulated/locallambda"
	"github.com/portcullis-cdk/portcullis/internal/util/modroot"
	"github.com/portcullis-cdk/portcullis/lambdas/awsenv"
)

// Lambda is a Go function of the template, as the local Lambda runs it:
// its bundled package built for this machine, with the template's settings.
type Lambda struct {
	LogicalID string
	// Name is the FunctionName, or the name CloudFormation would generate
	// (stack and logical id) without its random suffix.
	Name string
	// Package is the main package golambda bundled (its template
	// metadata).
	Package  string
	Handler  string
	Env      Env
	MemoryMB int
	Timeout  time.Duration
	// Role is the logical id of the execution role.
	Role string
	// LogGroup names the function's log group; LogFormat ("Text" or
	// "JSON") and LogLevel are its LoggingConfig.
	LogGroup            string
	LogFormat, LogLevel string
}

// functions runs every function the API and the user pool invoke, each as
// its bundled bootstrap behind a local Lambda Runtime API (locallambda).
// Nothing here names a function: the template's integrations and triggers
// do, so a function added to the template runs locally as it is. It reads
// nothing itself (the API and the pool read the functions they invoke,
// readLambda); it takes their roles' keys and the data stores' endpoints
// from the wiring.
var functions = service{start: startFunctions}

// readLambda reads the function with logical id id.
func readLambda(t cfnTemplate, id string) (*Lambda, error) {
	r, err := t.Get(id, "AWS::Lambda::Function")
	if err != nil {
		return nil, err
	}
	var fp struct {
		FunctionName, Handler, Runtime string
		MemorySize                     int
		Timeout                        *int
		LoggingConfig                  struct {
			LogFormat, ApplicationLogLevel string
			LogGroup                       cfn.Expr
		}
	}
	if err := r.Decode(&fp); err != nil {
		return nil, fmt.Errorf("function %s: %w", id, err)
	}
	stack, _, _ := strings.Cut(r.Meta("aws:cdk:path"), "/")
	l := &Lambda{LogicalID: id, Name: fp.FunctionName, Handler: fp.Handler, MemoryMB: fp.MemorySize,
		Timeout: locallambda.DefaultTimeout, LogFormat: fp.LoggingConfig.LogFormat, LogLevel: fp.LoggingConfig.ApplicationLogLevel}
	if l.Package = r.Meta(golambda.PackageMetadata); l.Package == "" {
		return nil, fmt.Errorf("function %s has no %s metadata: the local stack runs the Go functions golambda bundles", id, golambda.PackageMetadata)
	}
	if !strings.HasPrefix(fp.Runtime, "provided.") {
		return nil, fmt.Errorf("function %s: runtime %q, the local stack runs provided.al2023 bootstraps", id, fp.Runtime)
	}
	if l.Name == "" {
		l.Name = truncate(stack+"-"+id, 64)
	}
	if fp.Timeout != nil {
		l.Timeout = time.Duration(*fp.Timeout) * time.Second
	}
	if l.LogFormat == "" {
		l.LogFormat = locallambda.LogFormatText
	}
	if l.LogGroup, err = logGroup(t, l.Name, stack, fp.LoggingConfig.LogGroup); err != nil {
		return nil, fmt.Errorf("function %s: %w", id, err)
	}
	if l.Env, err = functionEnv(r); err != nil {
		return nil, err
	}
	if l.Role, err = functionRole(r); err != nil {
		return nil, err
	}
	return l, nil
}

// logGroup names a function's log group: Lambda's default for the
// function, or the group its LoggingConfig refers to (its LogGroupName, or
// the name CloudFormation generates without the random suffix).
func logGroup(t cfnTemplate, function, stack string, ref cfn.Expr) (string, error) {
	if !ref.Set() {
		return "/aws/lambda/" + function, nil
	}
	id, err := refID(ref)
	if err != nil {
		return "", fmt.Errorf("log group: %w", err)
	}
	g, err := t.Get(id, "AWS::Logs::LogGroup")
	if err != nil {
		return "", err
	}
	var lg struct{ LogGroupName string }
	if err := g.Decode(&lg); err != nil {
		return "", err
	}
	if lg.LogGroupName == "" {
		return truncate(stack+"-"+id, 512), nil
	}
	return lg.LogGroupName, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// lambdas are the functions the stack runs, by logical id.
func (p *Plan) lambdas() map[string]*Lambda {
	out := map[string]*Lambda{}
	for _, l := range p.Functions {
		out[l.LogicalID] = l
	}
	for _, l := range p.Triggers {
		out[l.LogicalID] = l
	}
	return out
}

// startFunctions builds every function's package for this machine in one
// `go build` (cached across runs: an unchanged package is not linked
// again) and gives each function its runtime, with its role's credentials.
func startFunctions(ctx context.Context, w *wiring) error {
	lambdas := w.plan.lambdas()
	var pkgs []string
	for _, l := range lambdas {
		pkgs = append(pkgs, l.Package)
	}
	sort.Strings(pkgs)
	root, err := modroot.Dir()
	if err != nil {
		return err
	}
	buildDir := w.opts.BuildDir
	if buildDir == "" {
		if buildDir, err = defaultBuildDir(root); err != nil {
			return err
		}
	}
	w.stack.builtFrom = snapshotTree(root)
	bins, err := locallambda.Build(ctx, root, buildDir, pkgs)
	if err != nil {
		return fmt.Errorf("building the functions: %w", err)
	}
	w.stack.moduleDir, w.stack.buildDir, w.stack.lambdas = root, buildDir, lambdas
	if w.stack.runDir, err = os.MkdirTemp("", "portcullis-functions-"); err != nil {
		return err
	}
	w.stack.functions = map[string]*locallambda.Function{}
	refs := w.plan.localRefs()
	for id, l := range lambdas {
		fn, err := w.newFunction(l, bins[l.Package], refs)
		if err != nil {
			return fmt.Errorf("function %s (%s): %w", id, l.Package, err)
		}
		w.stack.functions[id] = fn
	}
	return nil
}

// newFunction is l's runtime, running a copy of bin of its own.
func (w *wiring) newFunction(l *Lambda, bin string, refs map[string]string) (*locallambda.Function, error) {
	env, err := l.Env.resolve(w.getenv, refs)
	if err != nil {
		return nil, err
	}
	for _, k := range []string{awsenv.DynamoDBEndpointEnv, awsenv.S3EndpointEnv} {
		env[k] = w.getenv(k)
	}
	bootstrap, err := locallambda.Install(bin, filepath.Join(w.stack.runDir, l.LogicalID), handlerOf(l))
	if err != nil {
		return nil, err
	}
	key := w.roleKeys[l.Role]
	return locallambda.New(locallambda.Config{
		Name:        l.Name,
		ARN:         fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", Region, localaws.AccountID, l.Name),
		Region:      Region,
		Bootstrap:   bootstrap,
		Handler:     l.Handler,
		Env:         env,
		Credentials: locallambda.Credentials{AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey, SessionToken: key.SessionToken},
		MemoryMB:    l.MemoryMB,
		Timeout:     l.Timeout,
		LogGroup:    l.LogGroup,
		LogFormat:   l.LogFormat,
		LogLevel:    l.LogLevel,
		Concurrency: w.opts.Concurrency,
		Label:       path.Base(l.Package),
		Log:         orDiscard(w.opts.Log),
	})
}

// handlerOf is the bootstrap's file name: the function's Handler, which
// provided runtimes leave to the bootstrap ("bootstrap" by convention).
func handlerOf(l *Lambda) string {
	if l.Handler == "" || strings.ContainsAny(l.Handler, `/\`) {
		return "bootstrap"
	}
	return l.Handler
}

// defaultBuildDir is the bootstraps' cache for the module at root, in the
// user's cache directory: every local stack of the module shares it.
func defaultBuildDir(root string) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no directory for the functions' builds (set Options.BuildDir): %w", err)
	}
	sum := sha256.Sum256([]byte(root))
	return filepath.Join(cache, "portcullis", "bootstrap", hex.EncodeToString(sum[:8])), nil
}

// resolve is a function's environment as the Lambda would see it: the
// template's literals as they are, references to the stack's tables and
// bucket replaced by the local ones (local provides them by variable name),
// references to app clients (in refs, by logical id) by the local client
// ids.
func (e Env) resolve(local func(string) string, refs map[string]string) (map[string]string, error) {
	vars := map[string]string{}
	for k, v := range e {
		switch {
		case v.Join != nil:
			var b strings.Builder
			for _, part := range v.Join {
				if part.Ref == "" {
					b.WriteString(part.Literal)
					continue
				}
				id, ok := refs[part.Ref]
				if !ok {
					return nil, fmt.Errorf("%s refers to %s, which the local stack does not provide", k, part.Ref)
				}
				b.WriteString(id)
			}
			vars[k] = b.String()
		case v.Ref == "":
			vars[k] = v.Literal
		case refs[v.Ref] != "":
			vars[k] = refs[v.Ref]
		default:
			if vars[k] = local(k); vars[k] == "" {
				return nil, fmt.Errorf("%s refers to %s, which the local stack does not provide", k, v.Ref)
			}
		}
	}
	return vars, nil
}

// invoker adapts a function to the typed handler its caller expects (an
// API Gateway or a Cognito trigger event): the event and the response go
// through JSON, as they do to and from a deployed function, and a function
// error is returned as the error, its message as Lambda reports it.
func invoker[In, Out any](fn *locallambda.Function) func(context.Context, In) (Out, error) {
	return func(ctx context.Context, ev In) (Out, error) {
		var out Out
		payload, err := json.Marshal(ev)
		if err != nil {
			return out, fmt.Errorf("%s: encoding the event: %w", fn.Name(), err)
		}
		resp, err := fn.Invoke(ctx, payload)
		if err != nil {
			return out, err
		}
		if err := json.Unmarshal(resp, &out); err != nil {
			return out, fmt.Errorf("%s: the function's response %.200s: %w", fn.Name(), resp, err)
		}
		return out, nil
	}
}

// localRefs maps each app client's logical id to its local id, each
// table's to its local name, and the identity pool's to the local pool's.
func (p *Plan) localRefs() map[string]string {
	refs := map[string]string{}
	for _, c := range p.Clients {
		refs[c.LogicalID] = clientID(c.Path)
	}
	for _, t := range p.Tables {
		refs[t.LogicalID] = t.Name()
	}
	if p.IdentityPool != "" {
		refs[p.IdentityPool] = localIdentityPoolID
	}
	return refs
}
