package localcognito

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
	"github.com/portcullis-cdk/portcullis/internal/protocol/srp"
)

var (
	poolIDPattern   = regexp.MustCompile(`^([\w-]+)_[0-9a-zA-Z]+$`)
	clientIDPattern = regexp.MustCompile(`^[\w+]{1,128}$`)
	customPattern   = regexp.MustCompile(`^custom:[\w-]{1,20}$`)
	// groupNamePattern is CreateGroup's GroupName.
	groupNamePattern = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$`)
)

// standardAttributes are the OpenID Connect attributes every pool has.
var standardAttributes = []string{
	"address", "birthdate", "email", "email_verified", "family_name", "gender",
	"given_name", "locale", "middle_name", "name", "nickname", "phone_number",
	"phone_number_verified", "picture", "preferred_username", "profile",
	"updated_at", "website", "zoneinfo",
}

// pool is the validated configuration.
type pool struct {
	id, region     string
	srpPool        string // the pool name SRP proofs are bound to
	issuer         string
	usernameAttrs  []string
	autoVerified   []string
	keepOriginal   []string
	recovery       []string
	mfa            string
	required       []string
	schema         map[string]bool // every attribute name the pool knows, but sub
	policy         PasswordPolicy
	clients        *clientStore
	domain         string
	resourceScopes map[string]bool // "<identifier>/<scope>"
	groups         []Group
	triggers       Triggers
	triggerTimeout time.Duration
	sink           func(username, destination, medium, message string)
	now            func() time.Time
	// wall is the clock TOTP codes are checked against (matchTOTP).
	wall  func() time.Time
	creds sigv4.Credentials
	log   *slog.Logger
	// firstFactors are the first factors of choice-based sign-in; webAuthn
	// the passkey relying party (nil: none), webAuthnUV its user
	// verification (userauth.go, webauthn.go).
	firstFactors []string
	webAuthn     atomic.Pointer[webauthn.WebAuthn]
	webAuthnUV   protocol.UserVerificationRequirement
}

// validate checks cfg section by section, each reporting every error of
// its own, and returns the pool with Cognito's defaults filled in.
func validate(cfg Config) (*pool, error) {
	p := &pool{
		usernameAttrs: cfg.UsernameAttributes,
		autoVerified:  cfg.AutoVerifiedAttributes,
		keepOriginal:  cfg.KeepOriginal,
		required:      cfg.RequiredAttributes,
		triggers:      cfg.Triggers,
	}
	errs := slices.Concat(
		p.validateIdentity(cfg),
		p.validateAttributes(cfg),
		p.validateRecovery(cfg),
		p.validatePasswordPolicy(cfg),
		p.validateOAuth(cfg),
		p.validateClients(cfg),
		p.validateWebAuthn(cfg),
		p.validateGroups(cfg),
		validateSigningKey(cfg),
	)
	p.applyDefaults(cfg)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("localcognito: %w", err)
	}
	return p, nil
}

// validateSigningKey checks a configured signing key; nil has the pool
// generate its own.
func validateSigningKey(cfg Config) []error {
	if cfg.SigningKey == nil {
		return nil
	}
	if err := cfg.SigningKey.Check(); err != nil {
		return []error{err}
	}
	return nil
}

// validateIdentity checks the pool id, region and base URL, which make the
// issuer of the pool's tokens.
func (p *pool) validateIdentity(cfg Config) []error {
	var errs []error
	p.id, p.region = cfg.PoolID, cfg.Region
	if m := poolIDPattern.FindStringSubmatch(cfg.PoolID); m == nil {
		errs = append(errs, fmt.Errorf("pool id %q is not <region>_<id>", cfg.PoolID))
	} else {
		if p.region == "" {
			p.region = m[1]
		}
		if p.region != m[1] {
			errs = append(errs, fmt.Errorf("region %q does not match pool id %q", cfg.Region, cfg.PoolID))
		}
		// Clients take the SRP pool name to be what follows the first
		// underscore, so a region with one would not sign in.
		name, err := srp.PoolName(cfg.PoolID)
		if err != nil {
			errs = append(errs, fmt.Errorf("pool id %q: %w", cfg.PoolID, err))
		}
		p.srpPool = name
	}
	base, err := url.Parse(cfg.BaseURL)
	switch {
	case err != nil:
		errs = append(errs, fmt.Errorf("base URL %q: %w", cfg.BaseURL, err))
	case base.Scheme != "http" && base.Scheme != "https", base.Host == "",
		strings.Trim(base.Path, "/") != "", base.RawQuery != "", base.Fragment != "":
		// The well-known paths are served from the root, so a base path
		// would publish an issuer whose keys cannot be found.
		errs = append(errs, fmt.Errorf("base URL %q: want http(s)://host[:port] without a path", cfg.BaseURL))
	default:
		p.issuer = base.Scheme + "://" + base.Host + "/" + cfg.PoolID
	}
	return errs
}

// validateAttributes checks the sign-in, verified, custom and required
// attributes and the attributes clients read and write, and records the
// pool's schema.
func (p *pool) validateAttributes(cfg Config) []error {
	var errs []error
	for _, a := range cfg.UsernameAttributes {
		if a != attrEmail && a != attrPhone {
			errs = append(errs, fmt.Errorf("username attribute %q: want email or phone_number", a))
		}
	}
	for _, a := range cfg.AutoVerifiedAttributes {
		if a != attrEmail && a != attrPhone {
			errs = append(errs, fmt.Errorf("auto-verified attribute %q: want email or phone_number", a))
		}
	}
	p.schema = map[string]bool{}
	for _, a := range standardAttributes {
		p.schema[a] = true
	}
	for _, a := range cfg.CustomAttributes {
		if !customPattern.MatchString(a) {
			errs = append(errs, fmt.Errorf("custom attribute %q: want custom:<name> with 1-20 letters, digits, _ or -", a))
			continue
		}
		p.schema[a] = true
	}
	for _, a := range cfg.KeepOriginal {
		if !slices.Contains(cfg.AutoVerifiedAttributes, a) {
			errs = append(errs, fmt.Errorf("keep-original attribute %q: want an auto-verified attribute (email or phone_number)", a))
		}
	}
	for _, c := range cfg.Clients {
		for _, a := range slices.Concat(c.ReadAttributes, c.WriteAttributes) {
			if !p.schema[a] {
				errs = append(errs, fmt.Errorf("client %q: attribute %q is not in the pool's schema", c.ID, a))
			}
		}
	}
	for _, a := range cfg.RequiredAttributes {
		if !p.schema[a] || strings.HasPrefix(a, "custom:") || strings.HasSuffix(a, "_verified") {
			errs = append(errs, fmt.Errorf("required attribute %q: want a standard attribute", a))
		}
	}
	return errs
}

// validateRecovery checks the account recovery channels and the MFA
// configuration.
func (p *pool) validateRecovery(cfg Config) []error {
	var errs []error
	p.recovery = cfg.AccountRecovery
	if len(p.recovery) == 0 {
		p.recovery = []string{RecoverVerifiedPhone, RecoverVerifiedEmail}
	}
	for _, r := range p.recovery {
		switch {
		case r != RecoverVerifiedEmail && r != RecoverVerifiedPhone && r != RecoverAdminOnly:
			errs = append(errs, fmt.Errorf("account recovery %q: want %s, %s or %s", r, RecoverVerifiedEmail, RecoverVerifiedPhone, RecoverAdminOnly))
		case r == RecoverAdminOnly && len(p.recovery) > 1:
			errs = append(errs, fmt.Errorf("account recovery %s: must be the only mechanism", RecoverAdminOnly))
		}
	}
	p.mfa = cfg.MFA
	if p.mfa == "" {
		p.mfa = MFAOff
	}
	if p.mfa != MFAOff && p.mfa != MFAOptional && p.mfa != MFAOn {
		errs = append(errs, fmt.Errorf("MFA %q: want %s, %s or %s", cfg.MFA, MFAOff, MFAOptional, MFAOn))
	}
	return errs
}

// validatePasswordPolicy checks the password policy; the zero policy is
// Cognito's default.
func (p *pool) validatePasswordPolicy(cfg Config) []error {
	p.policy = cfg.PasswordPolicy
	if p.policy == (PasswordPolicy{}) {
		p.policy = DefaultPasswordPolicy
	}
	if p.policy.TemporaryPasswordValidity == 0 {
		p.policy.TemporaryPasswordValidity = DefaultPasswordPolicy.TemporaryPasswordValidity
	}
	if p.policy.MinLength < 6 || p.policy.MinLength > 99 {
		return []error{fmt.Errorf("password minimum length %d: want 6..99", p.policy.MinLength)}
	}
	return nil
}

// validateClients checks the app clients and the credentials admin
// operations are verified with, and stores the clients with their defaults.
func (p *pool) validateClients(cfg Config) []error {
	var errs []error
	if len(cfg.Clients) == 0 {
		errs = append(errs, errors.New("no app clients"))
	}
	if cfg.Credentials == nil {
		errs = append(errs, errors.New("no Credentials to verify admin operations with"))
	}
	p.creds = cfg.Credentials
	p.clients = &clientStore{byID: map[string]*Client{}}
	for i := range cfg.Clients {
		c := cfg.Clients[i] // a copy: the caller's slice stays theirs
		if err := c.normalize(); err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := p.clients.byID[c.ID]; dup {
			errs = append(errs, fmt.Errorf("client %q given twice", c.ID))
			continue
		}
		p.clients.byID[c.ID] = &c
	}
	return errs
}

// validateGroups checks the pool's groups: names as CreateGroup takes
// them, each once, precedences not negative.
func (p *pool) validateGroups(cfg Config) []error {
	var errs []error
	for _, g := range cfg.Groups {
		switch {
		case !groupNamePattern.MatchString(g.Name):
			errs = append(errs, fmt.Errorf("group %q: want a name of 1-128 letters, marks, symbols, digits or punctuation", g.Name))
		case slices.ContainsFunc(p.groups, func(x Group) bool { return x.Name == g.Name }):
			errs = append(errs, fmt.Errorf("group %q given twice", g.Name))
		case g.Precedence != nil && *g.Precedence < 0:
			errs = append(errs, fmt.Errorf("group %q: precedence %d: want 0 or more", g.Name, *g.Precedence))
		default:
			p.groups = append(p.groups, g)
		}
	}
	return errs
}

// applyDefaults fills in what the configuration leaves to Cognito's
// defaults or the process: trigger timeout, clocks, logger, code sink.
func (p *pool) applyDefaults(cfg Config) {
	p.triggerTimeout = cfg.TriggerTimeout
	if p.triggerTimeout <= 0 {
		p.triggerTimeout = DefaultTriggerTimeout
	}
	p.now = cfg.Now
	if p.now == nil {
		p.now = time.Now
	}
	p.wall = time.Now
	p.log = cfg.Logger
	if p.log == nil {
		p.log = slog.Default()
	}
	p.sink = cfg.CodeSink
	if p.sink == nil {
		log := p.log
		p.sink = func(username, destination, medium, message string) {
			log.Info("localcognito: message", "username", username, "destination", destination, "medium", medium, "message", message)
		}
	}
}

func (p *pool) usernameIsAttribute() bool { return len(p.usernameAttrs) > 0 }

// clientStore holds the app clients, which CreateUserPoolClient,
// DeleteUserPoolClient and AddRedirectURLs change while requests read them.
// A stored Client is never changed: a change stores a new one, so a
// request may keep the one it read without the lock.
type clientStore struct {
	mu   sync.RWMutex
	byID map[string]*Client
}

// get returns the client with id.
func (cs *clientStore) get(id string) (*Client, bool) {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	c, ok := cs.byID[id]
	return c, ok
}

// change runs fn on the clients under the lock.
func (cs *clientStore) change(fn func(byID map[string]*Client) error) error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return fn(cs.byID)
}
