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
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/portcullis-cdk/portcullis/constructs/auth/attr"
	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localapi"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localcognito"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localidentity"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth"
	"github.com/portcullis-cdk/portcullis/internal/protocol/uuid"
	"github.com/portcullis-cdk/portcullis/internal/stackinfo"
	"github.com/portcullis-cdk/portcullis/lambdas/schema"
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

// Stack is a running local stage.
type Stack struct {
	Info    stackinfo.Info
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
	s.aws.SetLog(logger)
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

	envFor, err := s.authorize(plan, getenv)
	if err != nil {
		return nil, err
	}
	triggers, err := plan.triggers(envFor)
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
		Now:         clock.now,
		Credentials: s.aws.Credentials,
		Logger:      logger,
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
		PoolID:    Region + ":" + uuid.V5(uuid.URLNamespace, "portcullis-local://identity-pool"),
		AccountID: localaws.AccountID,
		RoleARN:   plan.names(getenv).RoleARN(plan.IdentityRole),
		Providers: []*jwtauth.Authorizer{{Issuer: pool.Issuer(), Audience: idOf(plan.IdentityClients), Now: clock.now}},
		Now:       clock.now,
		Store:     s.aws.Credentials,
	})
	if err != nil {
		return nil, fmt.Errorf("local identity pool: %w", err)
	}
	handlers, err := plan.handlers(envFor)
	if err != nil {
		return nil, err
	}
	gateway, err := localapi.New(localapi.Config{
		Handlers:    handlers,
		JWT:         &jwtauth.Authorizer{Issuer: pool.Issuer(), Audience: idOf(plan.Audience), Now: clock.now},
		Credentials: s.aws.Credentials,
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

	s.Info = stackinfo.Info{
		Region:               Region,
		APIURL:               "http://" + apiL.Addr().String(),
		CognitoEndpoint:      cognitoURL,
		IdentityEndpoint:     "http://" + identityL.Addr().String(),
		DynamoDBEndpoint:     s.aws.DynamoDBEndpoint,
		S3Endpoint:           s.aws.S3Endpoint,
		UserPoolID:           pool.PoolID(),
		Issuer:               pool.Issuer(),
		SPAClientID:          clientID(contract.SPAClientPath),
		ServerClientID:       clientID(contract.ServerClientPath),
		ServerClientSecret:   secrets[contract.ServerClientPath],
		IdentityPoolID:       identity.ID(),
		TodosTable:           schema.Todos.Name,
		PhotosBucket:         localaws.Bucket,
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
	return stackinfo.CognitoClient(s.Info)
}

// localClients are the template's app clients with ids stable across runs
// (a front end's config survives a restart). Besides the template's flows
// (SRP and refresh), each allows USER_PASSWORD_AUTH: the AWS CLI sign-in
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
