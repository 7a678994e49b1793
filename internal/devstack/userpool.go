package devstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/contract/webconfig"
	"github.com/portcullis-cdk/portcullis/internal/cfn"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localcognito"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localcognito/hostedui"
)

// Pool is the user pool's sign-in configuration.
type Pool struct {
	UsernameAttributes     []string
	AutoVerifiedAttributes []string
	// KeepOriginal are the attributes (email, phone_number) whose old value
	// stays in effect until a changed one is verified.
	KeepOriginal       []string
	RequiredAttributes []string
	CustomAttributes   []string // "custom:company"
	MinLength          int
	RequireUppercase   bool
	RequireLowercase   bool
	RequireNumbers     bool
	RequireSymbols     bool
	TemporaryPassword  time.Duration
	// AccountRecovery are the AccountRecoverySetting mechanisms by priority.
	AccountRecovery []string
	// MFA is the MfaConfiguration: OFF, OPTIONAL or ON.
	MFA string
	// Domain is the prefix of the pool's UserPoolDomain; ResourceServers
	// its resource servers.
	Domain          string
	ResourceServers []localcognito.ResourceServer
	// FirstAuthFactors are the first factors of choice-based sign-in;
	// Passkeys says the pool has a WebAuthn relying party, whose user
	// verification is PasskeyUserVerification.
	FirstAuthFactors        []string
	Passkeys                bool
	PasskeyUserVerification string
	// Groups are the pool's AWS::Cognito::UserPoolGroup resources, by
	// name.
	Groups []PoolGroup
}

// LocalRelyingParty is the passkey relying party of the local pool: the
// local web app is served on localhost, whatever domain the template's
// relying party names (a distribution's, or the stage's Web.Domain).
const LocalRelyingParty = "localhost"

// readSignInPolicy reads the pool's choice-based sign-in: its first
// factors and its passkey relying party.
func (p *Pool) readSignInPolicy(pool *cfnResource) error {
	var pp struct {
		Policies struct {
			SignInPolicy struct{ AllowedFirstAuthFactors []string }
		}
		WebAuthnRelyingPartyID   cfn.Expr
		WebAuthnUserVerification string
	}
	if err := pool.Decode(&pp); err != nil {
		return fmt.Errorf("user pool sign-in policy: %w", err)
	}
	p.FirstAuthFactors = pp.Policies.SignInPolicy.AllowedFirstAuthFactors
	if len(p.FirstAuthFactors) == 0 {
		p.FirstAuthFactors = []string{"PASSWORD"} // Cognito's default
	}
	p.Passkeys = pp.WebAuthnRelyingPartyID.Set()
	p.PasskeyUserVerification = pp.WebAuthnUserVerification
	return nil
}

// PoolGroup is a group of the pool. Its role is RoleArn when the template
// gives the ARN as a string, else the role with logical id RoleID.
type PoolGroup struct {
	localcognito.Group
	RoleID string
}

// Client is an app client of the pool.
type Client struct {
	// Path is the client's construct path below the stack, e.g. "Clients/SPA".
	Path              string
	LogicalID         string
	Secret            bool
	ExplicitAuthFlows []string
	Access, ID        time.Duration
	Refresh           time.Duration
	// AuthSession is the AuthSessionValidity (zero: Cognito's default).
	AuthSession time.Duration
	// ReadAttributes and WriteAttributes; empty means every attribute.
	ReadAttributes, WriteAttributes []string
	// LegacyUserExistenceErrors is PreventUserExistenceErrors LEGACY.
	LegacyUserExistenceErrors bool
	// RotationGrace is the RefreshTokenRotation's grace period; nil when
	// the client does not rotate refresh tokens.
	RotationGrace *time.Duration
	// OAuthFlows are the AllowedOAuthFlows, empty unless
	// AllowedOAuthFlowsUserPoolClient; OAuthScopes the AllowedOAuthScopes.
	OAuthFlows, OAuthScopes  []string
	CallbackURLs, LogoutURLs []string
}

// userPool is the Cognito user pool: its sign-in settings, triggers and
// app clients, served by localcognito with the stack's clock at /_dev/clock.
// It reads the pool, its domain, resource servers, groups and clients, and
// the functions its LambdaConfig wires; it takes the functions' runtimes
// and the web app's origins (callback, logout and passkey origins of the
// SPA client) from the wiring.
var userPool = service{read: readUserPool, start: startUserPool}

// poolProperties is what the local pool reads of AWS::Cognito::UserPool.
type poolProperties struct {
	UsernameAttributes     []string
	UsernameConfiguration  struct{ CaseSensitive *bool }
	AdminCreateUserConfig  struct{ AllowAdminCreateUserOnly bool }
	AutoVerifiedAttributes []string
	Policies               struct {
		PasswordPolicy struct {
			MinimumLength                 int
			RequireUppercase              bool
			RequireLowercase              bool
			RequireNumbers                bool
			RequireSymbols                bool
			TemporaryPasswordValidityDays int
		}
	}
	Schema []struct {
		Name              string
		AttributeDataType string
		Required          bool
	}
	LambdaConfig                map[string]cfn.Expr
	UserAttributeUpdateSettings struct {
		AttributesRequireVerificationBeforeUpdate []string
	}
	AccountRecoverySetting struct {
		RecoveryMechanisms []struct {
			Name     string
			Priority int
		}
	}
	MfaConfiguration string
	EnabledMfas      []string
}

func readUserPool(t cfnTemplate, p *Plan) error {
	pool, err := t.One("AWS::Cognito::UserPool")
	if err != nil {
		return err
	}
	var pp poolProperties
	if err := pool.Decode(&pp); err != nil {
		return fmt.Errorf("user pool: %w", err)
	}
	pw := pp.Policies.PasswordPolicy
	p.Pool = Pool{
		UsernameAttributes:     pp.UsernameAttributes,
		AutoVerifiedAttributes: pp.AutoVerifiedAttributes,
		KeepOriginal:           pp.UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate,
		MinLength:              pw.MinimumLength,
		RequireUppercase:       pw.RequireUppercase,
		RequireLowercase:       pw.RequireLowercase,
		RequireNumbers:         pw.RequireNumbers,
		RequireSymbols:         pw.RequireSymbols,
		TemporaryPassword:      time.Duration(pw.TemporaryPasswordValidityDays) * 24 * time.Hour,
		MFA:                    pp.MfaConfiguration,
	}
	// A pool without UsernameConfiguration (made with the API) is case
	// sensitive; the local pool folds case.
	if c := pp.UsernameConfiguration.CaseSensitive; c == nil || *c {
		return errors.New("user pool usernames are case-sensitive (UsernameConfiguration CaseSensitive); the local pool's are not")
	}
	if pp.AdminCreateUserConfig.AllowAdminCreateUserOnly {
		return errors.New("user pool allows only administrators to create users (AllowAdminCreateUserOnly); the local pool allows sign-up")
	}
	mechanisms := pp.AccountRecoverySetting.RecoveryMechanisms
	sort.SliceStable(mechanisms, func(i, j int) bool { return mechanisms[i].Priority < mechanisms[j].Priority })
	for _, m := range mechanisms {
		p.Pool.AccountRecovery = append(p.Pool.AccountRecovery, m.Name)
	}
	if p.Pool.MFA != "" && p.Pool.MFA != localcognito.MFAOff && !slices.Contains(pp.EnabledMfas, "SOFTWARE_TOKEN_MFA") {
		return fmt.Errorf("user pool MfaConfiguration %s with EnabledMfas %v: the local pool offers only SOFTWARE_TOKEN_MFA (TOTP)", p.Pool.MFA, pp.EnabledMfas)
	}
	for _, a := range pp.Schema {
		switch {
		case a.AttributeDataType != "":
			p.Pool.CustomAttributes = append(p.Pool.CustomAttributes, "custom:"+a.Name)
		case a.Required:
			p.Pool.RequiredAttributes = append(p.Pool.RequiredAttributes, a.Name)
		}
	}
	if err := p.Pool.readSignInPolicy(pool); err != nil {
		return err
	}
	if err := p.readTriggers(t, pp.LambdaConfig); err != nil {
		return err
	}
	if err := p.readDomain(t); err != nil {
		return err
	}
	if err := p.readGroups(t); err != nil {
		return err
	}
	return p.readClients(t)
}

// readDomain collects the pool's domain prefix and resource servers.
func (p *Plan) readDomain(t cfnTemplate) error {
	for _, r := range t.OfType("AWS::Cognito::UserPoolDomain") {
		var d struct{ Domain string }
		if err := r.Decode(&d); err != nil {
			return fmt.Errorf("user pool domain %s: %w", r.ID(), err)
		}
		if p.Pool.Domain != "" {
			return fmt.Errorf("user pool domain %s: the pool has a domain already (%s)", r.ID(), p.Pool.Domain)
		}
		p.Pool.Domain = d.Domain
	}
	for _, r := range t.OfType("AWS::Cognito::UserPoolResourceServer") {
		var rs struct {
			Identifier string
			Scopes     []struct{ ScopeName string }
		}
		if err := r.Decode(&rs); err != nil {
			return fmt.Errorf("resource server %s: %w", r.ID(), err)
		}
		server := localcognito.ResourceServer{Identifier: rs.Identifier}
		for _, sc := range rs.Scopes {
			server.Scopes = append(server.Scopes, sc.ScopeName)
		}
		p.Pool.ResourceServers = append(p.Pool.ResourceServers, server)
	}
	sort.Slice(p.Pool.ResourceServers, func(i, j int) bool {
		return p.Pool.ResourceServers[i].Identifier < p.Pool.ResourceServers[j].Identifier
	})
	return nil
}

// readGroups collects the pool's groups, if the template has any.
func (p *Plan) readGroups(t cfnTemplate) error {
	for _, r := range t.OfType("AWS::Cognito::UserPoolGroup") {
		var g struct {
			GroupName, Description string
			Precedence             *int
			RoleArn                cfn.Expr
		}
		if err := r.Decode(&g); err != nil {
			return fmt.Errorf("user pool group %s: %w", r.ID(), err)
		}
		if g.GroupName == "" {
			// CloudFormation generates a name for a group without one;
			// the local pool uses the logical id.
			g.GroupName = r.ID()
		}
		group := PoolGroup{Group: localcognito.Group{Name: g.GroupName, Description: g.Description, Precedence: g.Precedence}}
		if arn, ok := g.RoleArn.Value.(cfn.String); ok {
			group.RoleArn = string(arn)
		} else if g.RoleArn.Set() {
			role, err := arnOf(g.RoleArn)
			if err != nil {
				return fmt.Errorf("user pool group %s: role: %w", r.ID(), err)
			}
			group.RoleID = role
		}
		p.Pool.Groups = append(p.Pool.Groups, group)
	}
	sort.Slice(p.Pool.Groups, func(i, j int) bool { return p.Pool.Groups[i].Name < p.Pool.Groups[j].Name })
	return nil
}

// localGroups are the pool's groups for the local pool, roles named as the
// local IAM evaluator names them.
func (w *wiring) localGroups() []localcognito.Group {
	var out []localcognito.Group
	for _, g := range w.plan.Pool.Groups {
		if g.RoleID != "" {
			g.RoleArn = w.plan.names(w.getenv).RoleARN(g.RoleID)
		}
		out = append(out, g.Group)
	}
	return out
}

// readTriggers collects the environment and role of each function the
// pool's LambdaConfig wires, by its key.
func (p *Plan) readTriggers(t cfnTemplate, lambdaConfig map[string]cfn.Expr) error {
	for key, v := range lambdaConfig {
		if key == "PreTokenGenerationConfig" {
			var cfg struct {
				LambdaArn     cfn.Expr
				LambdaVersion string
			}
			if err := json.Unmarshal(v.Raw, &cfg); err != nil || cfg.LambdaVersion != "V2_0" {
				return fmt.Errorf("user pool PreTokenGenerationConfig %s: want a version V2_0 trigger", v.Raw)
			}
			v = cfg.LambdaArn
		}
		fn, err := functionOfArn(t, v)
		if err != nil {
			return fmt.Errorf("user pool LambdaConfig.%s: %w", key, err)
		}
		if p.Triggers[key], err = readLambda(t, fn); err != nil {
			return err
		}
	}
	return nil
}

// readClients collects the pool's app clients, sorted by construct path.
func (p *Plan) readClients(t cfnTemplate) error {
	for _, r := range t.OfType("AWS::Cognito::UserPoolClient") {
		id := r.ID()
		var c struct {
			GenerateSecret                                             bool
			ExplicitAuthFlows                                          []string
			AccessTokenValidity, IdTokenValidity, RefreshTokenValidity float64
			AuthSessionValidity                                        float64
			TokenValidityUnits                                         map[string]string
			ReadAttributes, WriteAttributes                            []string
			PreventUserExistenceErrors                                 string
			AllowedOAuthFlowsUserPoolClient                            bool
			AllowedOAuthFlows, AllowedOAuthScopes                      []string
			// Strings, or the deployed distribution's URL (a Fn::Join),
			// which the local pool has no use for: literalURLs drops it.
			CallbackURLs, LogoutURLs []cfn.Expr
			RefreshTokenRotation     *struct {
				Feature                 string
				RetryGracePeriodSeconds int
			}
		}
		if err := r.Decode(&c); err != nil {
			return fmt.Errorf("client %s: %w", id, err)
		}
		for k, unit := range c.TokenValidityUnits {
			if unit != "minutes" {
				return fmt.Errorf("client %s: %s validity in %s; the local pool reads minutes", id, k, unit)
			}
		}
		p.Clients = append(p.Clients, Client{
			Path:              strings.TrimSuffix(r.Path(), "/Resource"),
			LogicalID:         id,
			Secret:            c.GenerateSecret,
			ExplicitAuthFlows: c.ExplicitAuthFlows,
			Access:            minutes(c.AccessTokenValidity),
			ID:                minutes(c.IdTokenValidity),
			Refresh:           minutes(c.RefreshTokenValidity),
			AuthSession:       minutes(c.AuthSessionValidity),
			ReadAttributes:    c.ReadAttributes,
			WriteAttributes:   c.WriteAttributes,
			// Absent means LEGACY, as for a client created with the API.
			LegacyUserExistenceErrors: c.PreventUserExistenceErrors != "ENABLED",
			OAuthScopes:               c.AllowedOAuthScopes,
			CallbackURLs:              literalURLs(c.CallbackURLs),
			LogoutURLs:                literalURLs(c.LogoutURLs),
		})
		if c.AllowedOAuthFlowsUserPoolClient {
			p.Clients[len(p.Clients)-1].OAuthFlows = c.AllowedOAuthFlows
		}
		if r := c.RefreshTokenRotation; r != nil && r.Feature == "ENABLED" {
			grace := time.Duration(r.RetryGracePeriodSeconds) * time.Second
			p.Clients[len(p.Clients)-1].RotationGrace = &grace
		}
	}
	sort.Slice(p.Clients, func(i, j int) bool { return p.Clients[i].Path < p.Clients[j].Path })
	return nil
}

func startUserPool(_ context.Context, w *wiring) error {
	l, err := w.listen(w.opts.CognitoPort)
	if err != nil {
		return err
	}
	url := "http://" + l.Addr().String()
	triggers, err := w.triggers()
	if err != nil {
		return err
	}
	clients, secrets := w.plan.localClients()
	pool, err := localcognito.New(localcognito.Config{
		PoolID:                 Region + "_PortcullisLocal",
		BaseURL:                url,
		UsernameAttributes:     w.plan.Pool.UsernameAttributes,
		AutoVerifiedAttributes: w.plan.Pool.AutoVerifiedAttributes,
		KeepOriginal:           w.plan.Pool.KeepOriginal,
		AccountRecovery:        w.plan.Pool.AccountRecovery,
		MFA:                    w.plan.Pool.MFA,
		RequiredAttributes:     w.plan.Pool.RequiredAttributes,
		CustomAttributes:       w.plan.Pool.CustomAttributes,
		PasswordPolicy: localcognito.PasswordPolicy{
			MinLength:                 w.plan.Pool.MinLength,
			RequireUppercase:          w.plan.Pool.RequireUppercase,
			RequireLowercase:          w.plan.Pool.RequireLowercase,
			RequireNumbers:            w.plan.Pool.RequireNumbers,
			RequireSymbols:            w.plan.Pool.RequireSymbols,
			TemporaryPasswordValidity: w.plan.Pool.TemporaryPassword,
		},
		FirstAuthFactors: w.plan.Pool.FirstAuthFactors,
		WebAuthn:         w.plan.Pool.webAuthn(),
		Clients:          clients,
		Domain:           w.plan.Pool.Domain,
		ResourceServers:  w.plan.Pool.ResourceServers,
		Groups:           w.localGroups(),
		Triggers:         triggers,
		CodeSink: func(username, destination, medium, message string) {
			w.log.Info("code sent", "username", username, "to", destination, "by", medium, "message", message)
		},
		Now:         w.clock.now,
		Credentials: w.stack.aws.Credentials,
		Logger:      w.log,
	})
	if err != nil {
		return fmt.Errorf("local user pool: %w", err)
	}
	if err := w.keepState(pool); err != nil {
		return err
	}
	w.issuer = pool.Issuer()
	w.stack.pool = pool
	w.stack.serve(l, w.poolMux(pool))

	w.recordPool(pool, url, secrets)
	// The hosted UI returns to the local web app, and its passkeys are
	// the app's, as the deployed pool's are the distribution's
	// (registered in the template).
	for _, o := range w.appOrigins {
		if err := w.stack.AddAppOrigin(o); err != nil {
			return err
		}
	}
	return nil
}

// poolMux serves the pool's API and domain, and the local stack's clock
// and sent codes.
func (w *wiring) poolMux(pool *localcognito.Server) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/", hostedui.New(pool))
	mux.Handle("POST /_dev/clock", w.clock)
	mux.HandleFunc("GET /_dev/code", func(rw http.ResponseWriter, r *http.Request) {
		code, ok := pool.Code(r.URL.Query().Get("username"))
		if !ok {
			http.Error(rw, "no code was sent to that user", http.StatusNotFound)
			return
		}
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.Header().Set("Cache-Control", "no-store")
		_, _ = rw.Write([]byte(code))
	})
	return mux
}

// recordPool writes what clients need of the pool into the stack info.
func (w *wiring) recordPool(pool *localcognito.Server, url string, secrets map[string]string) {
	w.info.CognitoEndpoint = url
	w.info.UserPoolID = pool.PoolID()
	w.info.Issuer = pool.Issuer()
	w.info.SPAClientID = clientID(contract.SPAClientPath)
	w.info.ServerClientID = clientID(contract.ServerClientPath)
	w.info.ServerClientSecret = secrets[contract.ServerClientPath]
	w.info.ClockURL = url + "/_dev/clock"
	w.info.CodeURL = url + "/_dev/code"
	if w.plan.Pool.Domain != "" {
		w.info.CognitoDomain = w.plan.Pool.Domain
		w.info.CognitoDomainURL = url
	}
	for _, c := range w.plan.Clients {
		if c.Path == contract.SPAClientPath && len(c.OAuthFlows) > 0 {
			w.info.SPACallbackURL = first(c.CallbackURLs)
			w.info.SPALogoutURL = first(c.LogoutURLs)
		}
		if c.Path == contract.ServerClientPath && len(c.OAuthFlows) > 0 {
			w.info.ServerCallbackURL = first(c.CallbackURLs)
		}
		if c.Path == contract.CLIClientPath {
			w.info.CLIClientID = clientID(c.Path)
		}
	}
}

// webAuthn is the local pool's passkey configuration: the template's,
// with the local relying party (the web app adds its origins).
func (p *Pool) webAuthn() localcognito.WebAuthnConfig {
	if !p.Passkeys {
		return localcognito.WebAuthnConfig{}
	}
	return localcognito.WebAuthnConfig{RelyingPartyID: LocalRelyingParty, UserVerification: p.PasskeyUserVerification}
}

// keepState restores the pool's users and signing key from the state
// directory, if it has them, and has Close save them there.
func (w *wiring) keepState(pool *localcognito.Server) error {
	if w.opts.StateDir == "" {
		return nil
	}
	path := filepath.Join(w.opts.StateDir, "userpool.json")
	if f, err := os.Open(path); err == nil {
		err = pool.LoadState(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s (make dev-reset starts afresh): %w", path, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	w.stack.saveState = func() error {
		if err := os.MkdirAll(w.opts.StateDir, 0o700); err != nil {
			return err
		}
		tmp, err := os.CreateTemp(w.opts.StateDir, ".userpool-*.json")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		if err := pool.SaveState(tmp); err != nil {
			tmp.Close()
			return err
		}
		if err := tmp.Close(); err != nil {
			return err
		}
		return os.Rename(tmp.Name(), path)
	}
	return nil
}

// triggers are the pool's triggers, each invoking its function through
// the local Lambda as Cognito invokes it, by the LambdaConfig key that
// wires it.
func (w *wiring) triggers() (localcognito.Triggers, error) {
	var t localcognito.Triggers
	for key, l := range w.plan.Triggers {
		fn := w.stack.functions[l.LogicalID]
		switch key {
		case "PreSignUp":
			t.PreSignUp = invoker[events.CognitoEventUserPoolsPreSignup, events.CognitoEventUserPoolsPreSignup](fn)
		case "CustomMessage":
			t.CustomMessage = invoker[events.CognitoEventUserPoolsCustomMessage, events.CognitoEventUserPoolsCustomMessage](fn)
		case "PostConfirmation":
			t.PostConfirmation = invoker[events.CognitoEventUserPoolsPostConfirmation, events.CognitoEventUserPoolsPostConfirmation](fn)
		case "PreTokenGenerationConfig":
			t.PreTokenGeneration = invoker[events.CognitoEventUserPoolsPreTokenGenV2_0, events.CognitoEventUserPoolsPreTokenGenV2_0](fn)
		default:
			return t, fmt.Errorf("user pool trigger %s: the local pool does not call it", key)
		}
	}
	return t, nil
}

// localClients are the template's app clients with ids stable across runs
// (a front end's config survives a restart), each allowing exactly the
// template's flows.
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
			AuthSessionValidity:  c.AuthSession,
			ReadAttributes:       c.ReadAttributes,
			WriteAttributes:      c.WriteAttributes,

			LegacyUserExistenceErrors: c.LegacyUserExistenceErrors,
			OAuth: localcognito.OAuthClient{
				Flows:        c.OAuthFlows,
				Scopes:       c.OAuthScopes,
				CallbackURLs: c.CallbackURLs,
				LogoutURLs:   c.LogoutURLs,
				// Cognito never requires PKCE and the template cannot say
				// so; the stage's public (SPA) client is code + PKCE only
				// by contract, so the local pool refuses it a code
				// without a challenge. Confidential clients may use PKCE.
				RequirePKCE: !c.Secret && len(c.OAuthFlows) > 0,
			},
		}
		if c.RotationGrace != nil {
			lc.RefreshTokenRotation = &localcognito.RefreshTokenRotation{GracePeriod: *c.RotationGrace}
		}
		if c.Secret {
			lc.Secret = derived("secret:"+c.Path, 51)
			secrets[c.Path] = lc.Secret
		}
		out = append(out, lc)
	}
	return out, secrets
}

// clientIDs are the local ids of the clients at the construct paths.
func clientIDs(paths []string) []string {
	var ids []string
	for _, p := range paths {
		ids = append(ids, clientID(p))
	}
	return ids
}

// overrideMFA sets the pool's MFA configuration from make dev's MFA
// option, so a stage whose MFA is optional can be tried as one that
// requires it; such a pool allows no one-time-code first factor, as
// Cognito refuses them where MFA is required.
func (p *Pool) overrideMFA(mfa string) error {
	switch mfa {
	case "":
	case "required", "on":
		p.MFA = localcognito.MFAOn
		p.FirstAuthFactors = slices.DeleteFunc(slices.Clone(p.FirstAuthFactors), func(f string) bool { return f == "EMAIL_OTP" || f == "SMS_OTP" })
	case "optional":
		p.MFA = localcognito.MFAOptional
	case "off":
		p.MFA = localcognito.MFAOff
	default:
		return fmt.Errorf("MFA %q: want required, optional or off", mfa)
	}
	return nil
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

// AddAppOrigin registers origin's callback and logout URLs
// (webconfig.CallbackPath, webconfig.LogoutPath) on the SPA client of the
// local pool, as SetBucketOrigins adds it to the bucket's CORS rules: the
// local web app runs on an origin the template's URLs do not name. The
// hosted UI then accepts origin as it accepts the template's URLs.
func (s *Stack) AddAppOrigin(origin string) error {
	if s.pool == nil || s.Info.SPAClientID == "" {
		return fmt.Errorf("add app origin %s: the stack has no local user pool with a SPA client", origin)
	}
	origin = strings.TrimSuffix(origin, "/")
	if err := s.pool.AddPasskeyOrigins(origin); err != nil {
		return err
	}
	return s.pool.AddRedirectURLs(s.Info.SPAClientID,
		[]string{origin + webconfig.CallbackPath}, []string{origin + webconfig.LogoutPath})
}

// literalURLs keeps the plain strings of a template's URL list.
func literalURLs(urls []cfn.Expr) []string {
	var out []string
	for _, u := range urls {
		if s, ok := u.Value.(cfn.String); ok {
			out = append(out, string(s))
		}
	}
	return out
}
