// Package localaws runs real local AWS API servers for tests: dynalite
// (DynamoDB) and s3rver (S3), both from the module's pinned node_modules.
// Neither checks SigV4 signatures, so each endpoint is a small verifying
// gateway that forwards only requests signed with a key of Credentials.
// Handler tests talk to them through the real AWS SDK clients, so request
// serialization, conditions, pagination and SigV4 presigning are exercised
// end to end without an AWS account or Docker.
//
// Each test binary starts one set of servers in TestMain (see
// internal/testhelp/awstest); the servers listen on 127.0.0.1 on free
// ports, keep their data in memory or in a temporary directory (StartIn: in
// a directory of the caller's, kept across runs), and die with the test
// binary.
package localaws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
	"github.com/portcullis-cdk/portcullis/internal/util/modroot"
	"github.com/portcullis-cdk/portcullis/internal/util/procgroup"
)

// The operator's key, which Credentials holds from the start and which is
// allowed everywhere, and the region the servers accept.
const (
	AccessKeyID     = "AKIALOCALADMIN000000"
	SecretAccessKey = "local-admin-secret"
	Region          = "us-east-1"
	// AccountID owns every local resource.
	AccountID = "000000000000"
)

// Bucket is the photo bucket the servers start with.
const Bucket = "portcullis-photos"

// startTimeout bounds how long one server may take to listen.
const startTimeout = 30 * time.Second

// Servers is a running dynalite and s3rver pair with the stage's tables and
// bucket created.
type Servers struct {
	DynamoDBEndpoint string
	S3Endpoint       string
	// Credentials are the keys the servers accept: the operator's key
	// and whatever the local stack adds (function roles, identity-pool
	// credentials).
	Credentials *sigv4.Store
	// Roles are the policies non-admin callers are authorized with.
	Roles *Roles
	log   atomic.Pointer[slog.Logger]
	keys  *tableKeys
	// dir holds the servers' logs (and their data, unless data is
	// elsewhere); Close removes it.
	dir      string
	data     string
	backends string
	procs    []proc
	gates    []*gate
}

// proc is a started server, the leader of its process group, and a channel
// closed once it has been reaped.
type proc struct {
	process *os.Process
	exited  <-chan struct{}
}

func (p proc) kill() {
	_ = procgroup.Kill(p.process)
	<-p.exited
}

// Start starts the servers with the tables of SchemaTables and Bucket,
// their data in a temporary directory Close removes. Call Close when done.
func Start(ctx context.Context) (*Servers, error) {
	return StartIn(ctx, Config{Tables: SchemaTables()})
}

// Config is what StartIn starts.
type Config struct {
	// DataDir keeps the data (DynamoDB's in DataDir/dynamodb, S3's in
	// DataDir/s3) where the next StartIn finds it, and Close leaves it;
	// empty is a temporary directory Close removes.
	DataDir string
	// Tables are created where missing; a table kept in DataDir whose
	// keys, attribute types or indexes differ is replaced (createTables).
	Tables []*dynamodb.CreateTableInput
	// Log receives what the servers report (a replaced table, refused
	// signatures, denied requests); nil discards it. SetLog replaces it.
	Log *slog.Logger
}

// StartIn starts the servers with cfg's tables and Bucket.
func StartIn(ctx context.Context, cfg Config) (_ *Servers, err error) {
	bin, err := nodeBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "localaws-")
	if err != nil {
		return nil, err
	}
	s := newServers(dir)
	s.SetLog(cfg.Log)
	s.data = cfg.DataDir
	if s.data == "" {
		s.data = dir
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	dynalite, err := s.startDynalite(bin)
	if err != nil {
		return nil, err
	}
	s3rver, err := s.startS3rver(bin)
	if err != nil {
		return nil, err
	}
	if err := s.startGates(dynalite, s3rver); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if err := s.createTables(ctx, cfg.Tables, s.log.Load()); err != nil {
		return nil, err
	}
	_, err = s.S3(nil).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(Bucket)})
	var owned *s3types.BucketAlreadyOwnedByYou
	var exists *s3types.BucketAlreadyExists
	if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
		return nil, fmt.Errorf("creating bucket %s: %w", Bucket, err)
	}
	return s, nil
}

// Backends names the DynamoDB and S3 processes behind the gates, for Attach
// in a process this one starts (a fuzz worker of the same test binary).
func (s *Servers) Backends() string { return s.backends }

// Attach serves gates of its own, in this process, in front of the DynamoDB
// and S3 processes of another process's Servers (its Backends), whose
// tables and bucket exist: a second set of node processes costs a few
// seconds of CPU. Close stops the gates only; the processes stay their
// owner's.
func Attach(backends string) (_ *Servers, err error) {
	dynalite, s3rver, ok := strings.Cut(backends, " ")
	for _, u := range []string{dynalite, s3rver} {
		if pu, perr := url.Parse(u); !ok || perr != nil || pu.Scheme != "http" || pu.Host == "" {
			return nil, fmt.Errorf("backends %q: want the DynamoDB and S3 URLs, space-separated", backends)
		}
	}
	s := newServers("")
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	return s, s.startGates(dynalite, s3rver)
}

// newServers is a Servers with no gates yet whose Credentials hold the
// operator's key.
func newServers(dir string) *Servers {
	s := &Servers{dir: dir, Credentials: &sigv4.Store{}, Roles: &Roles{}}
	s.SetLog(nil)
	s.Credentials.Put(sigv4.Credential{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey, Principal: sigv4.Principal{
		Admin: true, ARN: "arn:aws:iam::" + AccountID + ":user/local-admin", AccountID: AccountID, UserID: "AIDALOCALADMIN0000000",
	}})
	return s
}

// startGates serves a gate for each backend and records the endpoints.
// The DynamoDB gate reads each table's partition key from s.keys, which
// asks dynalite itself about a table the servers did not create.
func (s *Servers) startGates(dynalite, s3rver string) (err error) {
	if s.DynamoDBEndpoint, err = s.startGate(dynalite, s.dynamoDB(dynalite)); err != nil {
		return err
	}
	if s.S3Endpoint, err = s.startGate(s3rver, s3Service); err != nil {
		return err
	}
	s.backends = dynalite + " " + s3rver
	return nil
}

// Close kills the servers' process groups and removes their data.
func (s *Servers) Close() {
	for _, g := range s.gates {
		g.close()
	}
	for _, p := range s.procs {
		p.kill()
	}
	s.procs = nil
	_ = os.RemoveAll(s.dir)
}

// SetFaults makes the gate of service ("dynamodb" or "s3") inject f, as
// POST <endpoint>/_dev/faults does; the zero Faults turns them off.
func (s *Servers) SetFaults(service string, f Faults) error {
	g, err := s.gate(service)
	if err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return fmt.Errorf("faults of %s: %w", service, err)
	}
	g.faults.set(f)
	return nil
}

// FaultCounts reports how many calls the faults of service hit since set.
func (s *Servers) FaultCounts(service string) (FaultCounts, error) {
	g, err := s.gate(service)
	if err != nil {
		return FaultCounts{}, err
	}
	return g.faults.report(), nil
}

func (s *Servers) gate(service string) (*gate, error) {
	for _, g := range s.gates {
		if g.name == service {
			return g, nil
		}
	}
	return nil, fmt.Errorf("no local service %q: want dynamodb or s3", service)
}

func (s *Servers) startGate(backend string, svc service) (string, error) {
	g, err := startGate(backend, svc, s.Credentials, s.Roles, slog.New(logProxy{s}))
	if err != nil {
		return "", err
	}
	s.gates = append(s.gates, g)
	return g.url, nil
}

// SetLog sends the gates' refused signatures and denied requests to l;
// nil discards them.
func (s *Servers) SetLog(l *slog.Logger) {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	s.log.Store(l)
}

// logProxy sends records to the Servers' current logger, which may be set
// after the gates started.
type logProxy struct{ s *Servers }

func (l logProxy) handler() slog.Handler { return l.s.log.Load().Handler() }

func (l logProxy) Enabled(ctx context.Context, lvl slog.Level) bool {
	return l.handler().Enabled(ctx, lvl)
}

func (l logProxy) Handle(ctx context.Context, r slog.Record) error {
	return l.handler().Handle(ctx, r)
}

func (l logProxy) WithAttrs(a []slog.Attr) slog.Handler { return l.handler().WithAttrs(a) }
func (l logProxy) WithGroup(n string) slog.Handler      { return l.handler().WithGroup(n) }

// Config is an AWS configuration for the servers. Calls go through rec when
// it is non-nil, so a test can count them.
func (s *Servers) Config(rec *Recorder) aws.Config {
	cfg := aws.Config{
		Region:      Region,
		Credentials: credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
	}
	if rec != nil {
		cfg.HTTPClient = rec
	}
	return cfg
}

// DynamoDB is a client of the local DynamoDB, recording calls in rec if set.
func (s *Servers) DynamoDB(rec *Recorder) *dynamodb.Client {
	return dynamodb.NewFromConfig(s.Config(rec), func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(s.DynamoDBEndpoint)
	})
}

// S3 is a client of the local S3, recording calls in rec if set.
func (s *Servers) S3(rec *Recorder) *s3.Client {
	return s3.NewFromConfig(s.Config(rec), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(s.S3Endpoint)
		o.UsePathStyle = true
	})
}

// Env is the environment a function's main reads to reach the servers, in
// awsenv's terms, with the names of SchemaTables (Start's tables).
func (s *Servers) Env() map[string]string {
	env := map[string]string{
		"AWS_REGION":                Region,
		"AWS_ACCESS_KEY_ID":         AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":     SecretAccessKey,
		"AWS_ENDPOINT_URL_DYNAMODB": s.DynamoDBEndpoint,
		"AWS_ENDPOINT_URL_S3":       s.S3Endpoint,
		schema.PhotosBucketEnv:      Bucket,
	}
	for _, t := range schema.Tables() {
		env[t.Env] = t.Name
	}
	return env
}

// listening matches the line each server prints once it accepts connections.
var listening = regexp.MustCompile(`(?i)listening (?:at|on):? (?:http://)?127\.0\.0\.1:(\d+)`)

func (s *Servers) startDynalite(bin nodeTools) (string, error) {
	// dynalite reads port 0 as "default", so pick a free port and retry
	// if another process takes it between the probe and the bind.
	var lastErr error
	for range 3 {
		port, err := freePort()
		if err != nil {
			return "", err
		}
		args := []string{"--host", "127.0.0.1", "--port", strconv.Itoa(port)}
		// In memory, unless the data is to outlive the servers.
		if s.data != s.dir {
			data := filepath.Join(s.data, "dynamodb")
			if err := os.MkdirAll(data, 0o700); err != nil {
				return "", err
			}
			args = append(args, "--path", data)
		}
		port, err = s.start(bin, "dynalite", bin.script("dynalite"), append(args,
			"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")...)
		if err == nil {
			return fmt.Sprintf("http://127.0.0.1:%d", port), nil
		}
		lastErr = err
	}
	return "", lastErr
}

func (s *Servers) startS3rver(bin nodeTools) (string, error) {
	data := filepath.Join(s.data, "s3")
	if err := os.MkdirAll(data, 0o700); err != nil {
		return "", err
	}
	port, err := s.start(bin, "s3rver", bin.script("s3rver"),
		"--directory", data, "--address", "127.0.0.1", "--port", "0", "--no-vhost-buckets")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("http://127.0.0.1:%d", port), nil
}

// start runs a server script with node, its output in a log file (a pipe
// nobody drains would block it), and waits for it to report its port and
// accept a connection there.
func (s *Servers) start(bin nodeTools, name, script string, args ...string) (int, error) {
	logPath := filepath.Join(s.dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return 0, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin.node, append([]string{script}, args...)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = procgroup.Attr()
	cmd.Env = append(os.Environ(), "NODE_NO_WARNINGS=1")
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("starting %s: %w", name, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	p := proc{process: cmd.Process, exited: exited}

	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			out, _ := os.ReadFile(logPath)
			return 0, fmt.Errorf("%s exited before listening:\n%s", name, out)
		case <-time.After(20 * time.Millisecond):
		}
		out, _ := os.ReadFile(logPath)
		m := listening.FindSubmatch(out)
		if m == nil {
			continue
		}
		port, _ := strconv.Atoi(string(m[1]))
		if conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second); err == nil {
			conn.Close()
			s.procs = append(s.procs, p)
			return port, nil
		}
	}
	p.kill()
	out, _ := os.ReadFile(logPath)
	return 0, fmt.Errorf("%s did not listen within %s:\n%s", name, startTimeout, out)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// nodeTools locates node and the server scripts.
type nodeTools struct {
	node string // the pinned Node 22, else node from PATH
	bin  string // node_modules/.bin
}

func (t nodeTools) script(name string) string { return filepath.Join(t.bin, name) }

func nodeBin() (nodeTools, error) {
	root, err := modroot.Dir()
	if err != nil {
		return nodeTools{}, err
	}
	t := nodeTools{bin: filepath.Join(root, "node_modules", ".bin")}
	for _, name := range []string{"dynalite", "s3rver"} {
		if _, err := os.Stat(t.script(name)); err != nil {
			return nodeTools{}, fmt.Errorf("%s is not installed under %s: run `make deps`", name, t.bin)
		}
	}
	t.node = filepath.Join(t.bin, "node")
	if _, err := os.Stat(t.node); err != nil {
		if t.node, err = exec.LookPath("node"); err != nil {
			return nodeTools{}, errors.New("no node in node_modules/.bin or on PATH: run `make deps`")
		}
	}
	return t, nil
}
