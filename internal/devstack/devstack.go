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
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/portcullis-cdk/portcullis/constructs/auth/attr"
	"github.com/portcullis-cdk/portcullis/internal/jwtauth"
	"github.com/portcullis-cdk/portcullis/internal/localapi"
	"github.com/portcullis-cdk/portcullis/internal/localaws"
	"github.com/portcullis-cdk/portcullis/internal/localcognito"
	"github.com/portcullis-cdk/portcullis/internal/localidentity"
)

// Options configures Start. Zero ports pick free ones.
type Options struct {
	// Template is the synthesized stage template.
	Template string
	// Host the servers listen on. Default: 127.0.0.1.
	Host string
	// Ports of the API, the user pool and the identity pool.
	APIPort, CognitoPort, IdentityPort int
	// Log receives what the servers log (refused requests, codes sent).
	// Default: discarded.
	Log io.Writer
}

// Info is what a client of the local stack needs: the same values a
// deployed stage's stack outputs give, plus the local endpoints.
type Info struct {
	Region           string `json:"region"`
	APIURL           string `json:"apiUrl"`
	CognitoEndpoint  string `json:"cognitoEndpoint"`
	IdentityEndpoint string `json:"identityEndpoint"`
	DynamoDBEndpoint string `json:"dynamodbEndpoint"`
	S3Endpoint       string `json:"s3Endpoint"`
	UserPoolID       string `json:"userPoolId"`
	Issuer           string `json:"issuer"`
	SPAClientID      string `json:"spaClientId"`
	ServerClientID   string `json:"serverClientId"`
	// ServerClientSecret is shown for local use only; a deployed stage
	// keeps its secret in Cognito.
	ServerClientSecret string `json:"serverClientSecret"`
	IdentityPoolID     string `json:"identityPoolId"`
	// ClockURL moves the stack's clock forward (POST ?by=2h): tokens
	// expire without waiting.
	ClockURL string `json:"clockUrl"`
	// AdminAccessKeyID and AdminSecretAccessKey sign Cognito admin calls.
	AdminAccessKeyID     string   `json:"adminAccessKeyId"`
	AdminSecretAccessKey string   `json:"adminSecretAccessKey"`
	TestUser             TestUser `json:"testUser"`
}

// TestUser is a confirmed user created at start.
type TestUser struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Stack is a running local stage.
type Stack struct {
	Info    Info
	servers []*http.Server
	aws     *localaws.Servers
	wg      sync.WaitGroup
}

// Region of the local stack.
const Region = localaws.Region

// Start starts every server and creates the test user. Close stops them.
func Start(ctx context.Context, opts Options) (_ *Stack, err error) {
	plan, err := ReadPlan(opts.Template)
	if err != nil {
		return nil, err
	}
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	logger := slog.New(slog.NewTextHandler(orDiscard(opts.Log), nil))

	s := &Stack{}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.aws, err = localaws.Start(ctx); err != nil {
		return nil, fmt.Errorf("starting DynamoDB and S3: %w", err)
	}
	apiL, err := listen(opts.Host, opts.APIPort)
	if err != nil {
		return nil, err
	}
	cognitoL, err := listen(opts.Host, opts.CognitoPort)
	if err != nil {
		apiL.Close()
		return nil, err
	}
	identityL, err := listen(opts.Host, opts.IdentityPort)
	if err != nil {
		apiL.Close()
		cognitoL.Close()
		return nil, err
	}
	cognitoURL := "http://" + cognitoL.Addr().String()
	clock := &clock{}
	getenv := s.getenv()

	triggers, err := plan.triggers(getenv)
	if err != nil {
		return nil, err
	}
	clients, secrets := plan.localClients()
	pool, err := localcognito.New(localcognito.Config{
		PoolID:                 Region + "_PortcullisLocal",
		BaseURL:                cognitoURL,
		UsernameAttributes:     plan.Pool.UsernameAttributes,
		AutoVerifiedAttributes: plan.Pool.AutoVerifiedAttributes,
		KeepOriginal:           plan.Pool.KeepOriginal,
		RequiredAttributes:     plan.Pool.RequiredAttributes,
		CustomAttributes:       plan.Pool.CustomAttributes,
		PasswordPolicy: localcognito.PasswordPolicy{
			MinLength:                 plan.Pool.MinLength,
			RequireUppercase:          plan.Pool.RequireUppercase,
			RequireLowercase:          plan.Pool.RequireLowercase,
			RequireNumbers:            plan.Pool.RequireNumbers,
			RequireSymbols:            plan.Pool.RequireSymbols,
			TemporaryPasswordValidity: plan.Pool.TemporaryPassword,
		},
		Clients:  clients,
		Triggers: triggers,
		CodeSink: func(username, destination, medium, message string) {
			logger.Info("code sent", "username", username, "to", destination, "by", medium, "message", message)
		},
		Now:    clock.now,
		Logger: logger,
	})
	if err != nil {
		return nil, fmt.Errorf("local user pool: %w", err)
	}

	idOf := func(paths []string) []string {
		var ids []string
		for _, p := range paths {
			ids = append(ids, clientID(p))
		}
		return ids
	}
	identity, err := localidentity.New(localidentity.Config{
		PoolID:    Region + ":" + uuidFrom("identity-pool"),
		AccountID: "000000000000",
		RoleARN:   "arn:aws:iam::000000000000:role/portcullis-local-authenticated",
		Providers: []*jwtauth.Authorizer{{Issuer: pool.Issuer(), Audience: idOf(plan.IdentityClients), Now: clock.now}},
		Now:       clock.now,
	})
	if err != nil {
		return nil, fmt.Errorf("local identity pool: %w", err)
	}
	handlers, err := plan.handlers(getenv)
	if err != nil {
		return nil, err
	}
	gateway, err := localapi.New(localapi.Config{
		Handlers:    handlers,
		JWT:         &jwtauth.Authorizer{Issuer: pool.Issuer(), Audience: idOf(plan.Audience), Now: clock.now},
		Credentials: identity,
		Region:      Region,
		CORS: &localapi.CORS{
			AllowOrigins: plan.CORS.AllowOrigins,
			AllowHeaders: plan.CORS.AllowHeaders,
			AllowMethods: plan.CORS.AllowMethods,
			MaxAge:       plan.CORS.MaxAge,
		},
		Now:    clock.now,
		Logger: logger,
	})
	if err != nil {
		return nil, fmt.Errorf("local API: %w", err)
	}

	cognitoMux := http.NewServeMux()
	cognitoMux.Handle("/", pool)
	cognitoMux.Handle("POST /_dev/clock", clock)
	s.serve(apiL, gateway)
	s.serve(cognitoL, cognitoMux)
	s.serve(identityL, identity)

	s.Info = Info{
		Region:               Region,
		APIURL:               "http://" + apiL.Addr().String(),
		CognitoEndpoint:      cognitoURL,
		IdentityEndpoint:     "http://" + identityL.Addr().String(),
		DynamoDBEndpoint:     s.aws.DynamoDBEndpoint,
		S3Endpoint:           s.aws.S3Endpoint,
		UserPoolID:           pool.PoolID(),
		Issuer:               pool.Issuer(),
		SPAClientID:          clientID("Clients/SPA"),
		ServerClientID:       clientID("Clients/Server"),
		ServerClientSecret:   secrets["Clients/Server"],
		IdentityPoolID:       identity.ID(),
		ClockURL:             cognitoURL + "/_dev/clock",
		AdminAccessKeyID:     localaws.AccessKeyID,
		AdminSecretAccessKey: localaws.SecretAccessKey,
	}
	if s.Info.TestUser, err = s.createTestUser(ctx); err != nil {
		return nil, fmt.Errorf("creating the test user: %w", err)
	}
	return s, nil
}

// Close stops every server and removes their data.
func (s *Stack) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, srv := range s.servers {
		_ = srv.Shutdown(ctx)
	}
	s.wg.Wait()
	if s.aws != nil {
		s.aws.Close()
	}
}

// WriteInfo writes Info as JSON to path, for `make smoke` and front ends.
func (s *Stack) WriteInfo(path string) error {
	raw, err := json.MarshalIndent(s.Info, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(raw, '\n'), 0o600)
}

// ReadInfo reads what WriteInfo wrote.
func ReadInfo(path string) (Info, error) {
	var info Info
	raw, err := os.ReadFile(path)
	if err != nil {
		return info, fmt.Errorf("reading the local stack's info (is `make dev` running?): %w", err)
	}
	if err := json.Unmarshal(raw, &info); err != nil {
		return info, fmt.Errorf("%s: %w", path, err)
	}
	return info, nil
}

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
func (s *Stack) createTestUser(ctx context.Context) (TestUser, error) {
	c := s.CognitoClient()
	u := TestUser{Username: "dev@example.com", Password: "Portcullis-dev-1!"}
	_, err := c.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(s.Info.SPAClientID),
		Username: aws.String(u.Username),
		Password: aws.String(u.Password),
		UserAttributes: []ciptypes.AttributeType{
			{Name: aws.String(attr.Email), Value: aws.String(u.Username)},
			{Name: aws.String(attr.Name), Value: aws.String("Dev User")},
			{Name: aws.String(attr.Company.Key()), Value: aws.String("Portcullis")},
		},
	})
	if err != nil {
		return u, err
	}
	_, err = c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(s.Info.UserPoolID), Username: aws.String(u.Username)})
	if err != nil {
		return u, err
	}
	// The app clients may not write custom:role_name; an administrator sets it.
	_, err = c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
		UserPoolId:     aws.String(s.Info.UserPoolID),
		Username:       aws.String(u.Username),
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String(attr.RoleName.Key()), Value: aws.String("Developer")}},
	})
	return u, err
}

// CognitoClient is an SDK client of the local user pool with admin rights.
func (s *Stack) CognitoClient() *cip.Client {
	return CognitoClient(s.Info)
}

// CognitoClient is an SDK client of the user pool described by info.
func CognitoClient(info Info) *cip.Client {
	return cip.New(cip.Options{
		Region:       info.Region,
		BaseEndpoint: aws.String(info.CognitoEndpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(info.AdminAccessKeyID, info.AdminSecretAccessKey, ""),
	})
}

// localClients are the template's app clients with ids stable across runs
// (a front end's config survives a restart). Besides the template's flows
// (SRP and refresh), each allows USER_PASSWORD_AUTH: seed 001's AWS CLI
// flow, which the deployed clients refuse.
func (p *Plan) localClients() ([]localcognito.Client, map[string]string) {
	secrets := map[string]string{}
	var out []localcognito.Client
	for _, c := range p.Clients {
		lc := localcognito.Client{
			ID:                   clientID(c.Path),
			Name:                 c.Path,
			ExplicitAuthFlows:    slices.Clone(c.ExplicitAuthFlows),
			AccessTokenValidity:  c.Access,
			IDTokenValidity:      c.ID,
			RefreshTokenValidity: c.Refresh,
			ReadAttributes:       c.ReadAttributes,
			WriteAttributes:      c.WriteAttributes,
		}
		if !slices.Contains(lc.ExplicitAuthFlows, localcognito.AllowUserPasswordAuth) {
			lc.ExplicitAuthFlows = append(lc.ExplicitAuthFlows, localcognito.AllowUserPasswordAuth)
		}
		if c.Secret {
			lc.Secret = derived("secret:"+c.Path, 51)
			secrets[c.Path] = lc.Secret
		}
		out = append(out, lc)
	}
	return out, secrets
}

// clientID is the local id of the client at a construct path: 26 lower-case
// characters like Cognito's, derived so it is the same on every run.
func clientID(path string) string { return derived("client:"+path, 26) }

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func derived(seed string, n int) string {
	sum := sha256.Sum256([]byte(seed))
	out := make([]byte, n)
	for i := range out {
		out[i] = idAlphabet[int(sum[i%len(sum)]+byte(i/len(sum)))%len(idAlphabet)]
	}
	return string(out)
}

func uuidFrom(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
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
