// Package devstack runs a whole Portcullis stage on one machine: DynamoDB
// (dynalite) and S3 (s3rver) from node_modules, a local Cognito user pool
// and identity pool, and a local HTTP API that authorizes requests the way
// API Gateway does and serves them with the deployed handler code. The user
// pool's clients, password policy and triggers, the API's routes, CORS and
// audience, and every function's environment come from the stage's
// synthesized template.
package devstack

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/portcullis-cdk/portcullis/contract/userattr"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localcognito"
	"github.com/portcullis-cdk/portcullis/internal/emulated/locallambda"
	"github.com/portcullis-cdk/portcullis/internal/stackinfo"
)

// Options configures Start. Zero ports pick free ones.
type Options struct {
	// Template is the synthesized stage template.
	Template string
	// Host the servers listen on. Default: 127.0.0.1.
	Host string
	// Ports of the API, the user pool and the identity pool.
	APIPort, CognitoPort, IdentityPort int
	// WebPort is the app's local origin (the distribution's stand-in),
	// WebHost the host name printed for it (default: Host), WebDir the
	// app's built files. Default: a free port and no files (config.json and
	// the API only).
	WebPort int
	WebHost string
	WebDir  string
	// Log receives what the servers log (refused requests, codes sent).
	// Default: discarded.
	Log io.Writer
	// MFA overrides the user pool's MfaConfiguration: "required" (ON),
	// "optional" or "off". Default: the template's.
	MFA string
	// StateDir keeps the stack's state across runs: the user pool's users
	// and signing key (saved by Close), DynamoDB's items and S3's objects.
	// Default: none, every run starts empty.
	StateDir string
	// BuildDir caches the functions' bootstraps built for this machine.
	// Default: portcullis/bootstrap/<module> in the user's cache directory.
	BuildDir string
	// Concurrency bounds the execution environments (processes) of each
	// function. Default: locallambda.DefaultConcurrency.
	Concurrency int
	// DynamoDBFaults and S3Faults are injected from the start (throttles,
	// failures, slow calls, a stopped service); POST <endpoint>/_dev/faults
	// changes them while the stack runs. Default: none.
	DynamoDBFaults, S3Faults localaws.Faults
}

// Stack is a running local stage.
type Stack struct {
	Info stackinfo.Info
	// NotEmulated names what the stage's template uses that the local
	// stack runs without (Plan.NotEmulated), for the banner.
	NotEmulated []string
	servers     []*http.Server
	// listeners of every service, served or not
	listeners []net.Listener
	aws       *localaws.Servers
	// bucketCORS are the template's CORS rules of the photo bucket.
	bucketCORS []s3types.CORSRule
	// pool is the local user pool.
	pool *localcognito.Server
	// saveState keeps the user pool's state in Options.StateDir.
	saveState func() error
	closeOnce sync.Once
	log       *slog.Logger
	// functions are the functions' runtimes, by logical id, running the
	// copies of their bootstraps in runDir.
	functions map[string]*locallambda.Function
	runDir    string
	// lambdas are the functions' settings by logical id, built from
	// moduleDir into buildDir; generation numbers their rebuilds (Watch).
	lambdas             map[string]*Lambda
	moduleDir, buildDir string
	generation          int
	// builtFrom is the module's sources as the functions were built from
	// them, Watch's starting point.
	builtFrom map[string]map[string]fileState
	wg        sync.WaitGroup
}

// Region of the local stack.
const Region = localaws.Region

// Start starts every service of the template and creates the test user.
// Close stops them.
func Start(ctx context.Context, opts Options) (_ *Stack, err error) {
	plan, err := ReadPlan(opts.Template)
	if err != nil {
		return nil, err
	}
	if err := plan.Pool.overrideMFA(opts.MFA); err != nil {
		return nil, err
	}
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	s := &Stack{Info: stackinfo.Info{Region: Region}, NotEmulated: plan.NotEmulated}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	s.log = slog.New(slog.NewTextHandler(orDiscard(opts.Log), nil))
	w := &wiring{
		stack: s,
		info:  &s.Info,
		plan:  plan,
		opts:  opts,
		log:   s.log,
		clock: &clock{},
	}
	for _, svc := range services {
		if svc.reserve == nil {
			continue
		}
		if err := svc.reserve(w); err != nil {
			return nil, err
		}
	}
	for _, svc := range services {
		if err := svc.start(ctx, w); err != nil {
			return nil, err
		}
	}
	if s.Info.TestUser, err = s.createTestUser(ctx); err != nil {
		return nil, fmt.Errorf("creating the test user: %w", err)
	}
	return s, nil
}

// Close stops every server and removes their data, or keeps it in
// Options.StateDir. Later calls do nothing.
func (s *Stack) Close() { s.closeOnce.Do(s.close) }

func (s *Stack) close() {
	if s.saveState != nil {
		if err := s.saveState(); err != nil {
			s.log.Error("saving the user pool's state", "err", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, srv := range s.servers {
		_ = srv.Shutdown(ctx)
	}
	s.wg.Wait()
	for _, fn := range s.functions {
		fn.Close()
	}
	if s.runDir != "" {
		os.RemoveAll(s.runDir)
	}
	// A service that failed to start leaves its listener unserved.
	for _, l := range s.listeners {
		_ = l.Close()
	}
	if s.aws != nil {
		s.aws.Close()
	}
}

// SetFaults makes the local "dynamodb" or "s3" inject f (the zero Faults
// stops), as POST <endpoint>/_dev/faults does.
func (s *Stack) SetFaults(service string, f localaws.Faults) error {
	return s.aws.SetFaults(service, f)
}

// WriteInfo writes Info as JSON to path, for `make smoke` and front ends.
func (s *Stack) WriteInfo(path string) error { return stackinfo.Write(path, s.Info) }

func (s *Stack) serve(l net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, srv)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = srv.Serve(l)
	}()
}

// getenv is the environment the local functions run with: the local
// servers' endpoints and credentials, and resource names by variable.
func (s *Stack) getenv() func(string) string {
	env := s.aws.Env()
	return func(k string) string { return env[k] }
}

// createTestUser signs a user up through the SPA client, so the pre
// sign-up, custom message and post confirmation triggers run for it, and
// confirms it as an administrator would.
func (s *Stack) createTestUser(ctx context.Context) (stackinfo.TestUser, error) {
	c := s.CognitoClient()
	u := stackinfo.TestUser{Username: "dev@example.com", Password: "Portcullis-dev-1!"}
	// A user the state directory kept is the test user already.
	if _, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(s.Info.UserPoolID), Username: aws.String(u.Username)}); err == nil {
		return u, nil
	}
	_, err := c.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(s.Info.SPAClientID),
		Username: aws.String(u.Username),
		Password: aws.String(u.Password),
		UserAttributes: []ciptypes.AttributeType{
			{Name: aws.String(userattr.Email), Value: aws.String(u.Username)},
			{Name: aws.String(userattr.Name), Value: aws.String("Dev User")},
			{Name: aws.String(userattr.Company.Key()), Value: aws.String("Portcullis")},
			// A job title, as users set it at sign-up.
			{Name: aws.String(userattr.RoleName.Key()), Value: aws.String("Developer")},
		},
	})
	if err != nil {
		return u, err
	}
	_, err = c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(s.Info.UserPoolID), Username: aws.String(u.Username)})
	return u, err
}

// CognitoClient is an SDK client of the local user pool with admin rights.
func (s *Stack) CognitoClient() *cip.Client {
	return stackinfo.CognitoClient(s.Info)
}

// clientID is the local id of the client at a construct path: 26 lower-case
// characters like Cognito's, derived so it is the same on every run.
func clientID(path string) string { return derived("client:"+path, 26) }

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func derived(name string, n int) string {
	sum := sha256.Sum256([]byte(name))
	out := make([]byte, n)
	for i := range out {
		out[i] = idAlphabet[int(sum[i%len(sum)]+byte(i/len(sum)))%len(idAlphabet)]
	}
	return string(out)
}

func listen(host string, port int) (net.Listener, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, fmt.Sprint(port)))
	if err != nil {
		return nil, fmt.Errorf("listening on %s:%d (is another `make dev` running?): %w", host, port, err)
	}
	return l, nil
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// clock is the stack's shared clock: the user pool, the identity pool and
// the API read it, so moving it forward expires tokens everywhere at once.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// ServeHTTP moves the clock: POST /_dev/clock?by=90m.
func (c *clock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	by, err := time.ParseDuration(r.URL.Query().Get("by"))
	if err != nil || by < 0 {
		http.Error(w, "want ?by=<positive duration>, e.g. ?by=2h", http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	c.offset += by
	c.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}
