package localcognito

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// OAuth flows of AllowedOAuthFlows. The local pool serves the authorization
// code grant only; the implicit and client credentials grants are refused
// when the configuration is read, so a stage that relies on them fails at
// start rather than at its first sign-in.
const OAuthFlowCode = "code"

// Scopes Cognito defines besides those of resource servers.
const (
	ScopeOpenID  = "openid"
	ScopeEmail   = "email"
	ScopePhone   = "phone"
	ScopeProfile = "profile"
)

var builtinScopes = []string{ScopeOpenID, ScopeEmail, ScopePhone, ScopeProfile, adminScope}

// OAuthClient is what an app client may do through the pool's domain.
type OAuthClient struct {
	// Flows are the client's AllowedOAuthFlows; only "code" is served.
	// Empty means AllowedOAuthFlowsUserPoolClient is false: the client
	// cannot use the domain's endpoints.
	Flows []string
	// Scopes are the client's AllowedOAuthScopes: openid, email, phone,
	// profile, aws.cognito.signin.user.admin and resource-server scopes
	// "<identifier>/<scope>". An authorize request without a scope gets
	// them all, as in Cognito.
	Scopes []string
	// CallbackURLs are the redirect URIs an authorize request may name,
	// matched exactly; LogoutURLs the logout_uri values /logout accepts.
	CallbackURLs, LogoutURLs []string
	// RequirePKCE refuses an authorize request without an S256
	// code_challenge. Cognito itself never requires PKCE; a stage sets
	// this for public clients whose contract is code + PKCE only.
	RequirePKCE bool
}

// ResourceServer is a user pool resource server: its identifier and the
// names of its scopes.
type ResourceServer struct {
	Identifier string
	Scopes     []string
}

var (
	domainPattern     = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`)
	scopeNamePattern  = regexp.MustCompile(`^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$`)
	identifierPattern = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]{1,256}$`)
)

// validateOAuth checks the domain, the resource servers and each client's
// OAuth settings, and records the domain and the custom scopes in p.
func (p *pool) validateOAuth(cfg Config) []error {
	var errs []error
	if cfg.Domain != "" && !domainPattern.MatchString(cfg.Domain) {
		errs = append(errs, fmt.Errorf("domain %q: want a prefix of lower-case letters, digits and hyphens", cfg.Domain))
	}
	p.domain = cfg.Domain
	p.resourceScopes = map[string]bool{}
	for _, rs := range cfg.ResourceServers {
		if !identifierPattern.MatchString(rs.Identifier) {
			errs = append(errs, fmt.Errorf("resource server identifier %q: want 1-256 printable characters", rs.Identifier))
			continue
		}
		for _, sc := range rs.Scopes {
			if !scopeNamePattern.MatchString(sc) {
				errs = append(errs, fmt.Errorf("resource server %q: scope %q: want 1-256 printable characters without / or quotes", rs.Identifier, sc))
				continue
			}
			p.resourceScopes[rs.Identifier+"/"+sc] = true
		}
	}
	for _, c := range cfg.Clients {
		o := c.OAuth
		for _, f := range o.Flows {
			if f != OAuthFlowCode {
				errs = append(errs, fmt.Errorf("client %q: OAuth flow %q: the local pool serves only the code flow", c.ID, f))
			}
		}
		if len(o.Flows) > 0 && cfg.Domain == "" {
			errs = append(errs, fmt.Errorf("client %q: OAuth flows need the pool to have a domain", c.ID))
		}
		if len(o.Flows) > 0 && len(o.CallbackURLs) == 0 {
			errs = append(errs, fmt.Errorf("client %q: OAuth flows need at least one callback URL", c.ID))
		}
		for _, sc := range o.Scopes {
			if !slices.Contains(builtinScopes, sc) && !p.resourceScopes[sc] {
				errs = append(errs, fmt.Errorf("client %q: scope %q is neither a Cognito scope nor one of a resource server", c.ID, sc))
			}
		}
		for _, u := range slices.Concat(o.CallbackURLs, o.LogoutURLs) {
			if err := checkRedirectURL(u); err != nil {
				errs = append(errs, fmt.Errorf("client %q: %w", c.ID, err))
			}
		}
	}
	return errs
}

// checkRedirectURL applies Cognito's rules for callback and logout URLs:
// absolute, no fragment, and HTTPS unless the host is localhost (custom
// schemes of native apps are allowed).
func checkRedirectURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("URL %q: %w", raw, err)
	case !u.IsAbs():
		return fmt.Errorf("URL %q: want an absolute URL", raw)
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return fmt.Errorf("URL %q: a fragment is not allowed", raw)
	case u.Scheme == "http" && u.Hostname() != "localhost" && u.Hostname() != "127.0.0.1" && u.Hostname() != "[::1]" && u.Hostname() != "::1":
		return fmt.Errorf("URL %q: http is allowed only for localhost", raw)
	}
	return nil
}

// AddRedirectURLs registers more callback and logout URLs on a client that
// may use the domain, e.g. a local web app's own origin, which the
// template's URLs do not name.
func (s *Server) AddRedirectURLs(clientID string, callbacks, logouts []string) error {
	var errs []error
	for _, u := range slices.Concat(callbacks, logouts) {
		if err := checkRedirectURL(u); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("client %s: %w", clientID, err)
	}
	return s.clients.change(func(byID map[string]*Client) error {
		c, ok := byID[clientID]
		if !ok {
			return fmt.Errorf("client %s does not exist", clientID)
		}
		if len(c.OAuth.Flows) == 0 {
			return fmt.Errorf("client %s may use no OAuth flow", clientID)
		}
		// A new Client, not a change to the one in use: requests in flight
		// read the old one without a lock.
		updated := *c
		updated.OAuth.CallbackURLs = appendNew(slices.Clone(c.OAuth.CallbackURLs), callbacks)
		updated.OAuth.LogoutURLs = appendNew(slices.Clone(c.OAuth.LogoutURLs), logouts)
		byID[clientID] = &updated
		return nil
	})
}

func appendNew(xs, more []string) []string {
	for _, x := range more {
		if !slices.Contains(xs, x) {
			xs = append(xs, x)
		}
	}
	return xs
}
