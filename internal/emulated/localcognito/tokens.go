package localcognito

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// adminScope is the scope of every access token from the user pool API;
// Cognito's own user operations (GetUser, ...) require it.
const adminScope = "aws.cognito.signin.user.admin"

// reservedClaims are claims a pre token generation trigger cannot add,
// change or suppress, in either token. Cognito documents them as claims it
// owns; scope and the group claims change only through scopesToAdd,
// scopesToSuppress and groupOverrideDetails.
var reservedClaims = map[string]bool{
	"acr": true, "amr": true, "at_hash": true, "aud": true, "auth_time": true,
	"azp": true, "c_hash": true, "client_id": true, "cognito:username": true,
	"event_id": true, "exp": true, "iat": true, "identities": true, "iss": true,
	"jti": true, "nbf": true, "nonce": true, "origin_jti": true, "scope": true,
	"sub": true, "token_use": true, "username": true, "version": true,
	"cognito:groups": true, "cognito:roles": true, "cognito:preferred_role": true,
}

// scalarIDClaims must stay plain values in the ID token: Cognito lets a
// trigger put objects and lists in any other claim.
var scalarIDClaims = map[string]bool{
	"email_verified": true, "phone_number_verified": true, "updated_at": true, "address": true,
}

// refreshToken is a signed-in session: the refresh token and everything the
// tokens refreshed from it repeat.
type refreshToken struct {
	token     string
	clientID  string
	username  string
	sub       string
	originJTI string
	eventID   string
	authTime  time.Time
	expires   time.Time
	// revoked by GlobalSignOut, RevokeToken or the user's deletion; kept
	// so that a revoked token is reported as such.
	revoked bool
	// scopes of a session started through the domain's endpoints, which
	// its refreshed access tokens keep; nil for an API sign-in, whose
	// tokens carry only the admin scope.
	scopes []string
}

type authResult struct {
	AccessToken  string `json:"AccessToken"`
	ExpiresIn    int    `json:"ExpiresIn"`
	IDToken      string `json:"IdToken"`
	RefreshToken string `json:"RefreshToken,omitempty"`
	TokenType    string `json:"TokenType"`
}

// issueTokens runs the pre token generation trigger and signs the user's
// tokens. rt is the session being refreshed; nil starts a new session,
// whose refresh token is stored and returned.
func (s *Server) issueTokens(ctx context.Context, client *Client, snap *user, source string, rt *refreshToken, metadata map[string]string) (authResult, error) {
	if rt == nil {
		if h := hostedSignInFrom(ctx); h != nil {
			// A sign-in on the hosted UI proves who the user is through
			// the same flows as the API; its tokens come later, from the
			// token endpoint, with the scopes the authorize request asked.
			h.signedIn(snap)
			return authResult{}, nil
		}
	}
	return s.issue(ctx, client, snap, source, rt, metadata, nil)
}

// issue signs the tokens of issueTokens. grant, for a code exchanged at the
// token endpoint, gives the new session its scopes, nonce and the time the
// user signed in.
func (s *Server) issue(ctx context.Context, client *Client, snap *user, source string, rt *refreshToken, metadata map[string]string, grant *oauthGrant) (authResult, error) {
	now := s.now()
	newSession := rt == nil
	if newSession {
		rt = newSessionFor(client, snap, grant, now)
	}
	access, id := s.claims(client, snap, rt, now)
	groups := claimsOf(s.users.groupsOf(snap))
	groups.put(access, id)
	scopes := []string{adminScope}
	if rt.scopes != nil {
		scopes = slices.Clone(rt.scopes)
	}
	for name, value := range snap.attrs {
		if name != attrSub && client.canRead(name) && (rt.scopes == nil || scopesRelease(rt.scopes, name)) {
			id[name] = claimValue(name, value)
		}
	}
	if grant != nil && grant.nonce != "" {
		id["nonce"] = grant.nonce
	}

	if s.triggers.PreTokenGeneration != nil {
		var err error
		if scopes, err = s.preTokenGeneration(ctx, client, snap, source, scopes, groups, access, id, metadata); err != nil {
			return authResult{}, err
		}
	}
	if len(scopes) > 0 {
		access["scope"] = strings.Join(scopes, " ")
	}

	accessToken, err := s.key.Sign(access)
	if err != nil {
		return authResult{}, err
	}
	if grant != nil {
		// The ID token of a code exchange binds its access token, as
		// Cognito's do (OpenID Connect at_hash).
		id["at_hash"] = atHash(accessToken)
	}
	idToken, err := s.key.Sign(id)
	if err != nil {
		return authResult{}, err
	}
	res := authResult{
		AccessToken: accessToken,
		ExpiresIn:   int(client.AccessTokenValidity.Seconds()),
		IDToken:     idToken,
		TokenType:   "Bearer",
	}
	if newSession {
		// The user may have been deleted while the trigger ran.
		if err := s.users.addRefresh(rt); err != nil {
			return authResult{}, incorrectCredentials()
		}
		res.RefreshToken = rt.token
	}
	return res, nil
}

// newSessionFor is the refresh token of a new session of snap through
// client; grant, for a code exchange, gives it its scopes and the time the
// user signed in.
func newSessionFor(client *Client, snap *user, grant *oauthGrant, now time.Time) *refreshToken {
	rt := &refreshToken{
		token:     opaqueToken(),
		clientID:  client.ID,
		username:  snap.username,
		sub:       snap.sub(),
		originJTI: newUUID(),
		eventID:   newUUID(),
		authTime:  now,
		expires:   now.Add(client.RefreshTokenValidity),
	}
	if grant != nil {
		rt.authTime = grant.authTime
		rt.scopes = slices.Clone(grant.scopes)
	}
	return rt
}

// claims are the claims Cognito writes into the access and ID tokens of
// session rt, before the attributes and the trigger.
func (s *Server) claims(client *Client, snap *user, rt *refreshToken, now time.Time) (access, id map[string]any) {
	access = map[string]any{
		"sub":        snap.sub(),
		"iss":        s.issuer,
		"client_id":  client.ID,
		"origin_jti": rt.originJTI,
		"event_id":   rt.eventID,
		"token_use":  "access",
		"auth_time":  rt.authTime.Unix(),
		"exp":        now.Add(client.AccessTokenValidity).Unix(),
		"iat":        now.Unix(),
		"jti":        newUUID(),
		"username":   snap.username,
	}
	id = map[string]any{
		"sub":              snap.sub(),
		"iss":              s.issuer,
		"aud":              client.ID,
		"cognito:username": snap.username,
		"origin_jti":       rt.originJTI,
		"event_id":         rt.eventID,
		"token_use":        "id",
		"auth_time":        rt.authTime.Unix(),
		"exp":              now.Add(client.IDTokenValidity).Unix(),
		"iat":              now.Unix(),
		"jti":              newUUID(),
	}
	return access, id
}

// claimValue writes an attribute as Cognito writes it into the ID token:
// the verified flags as booleans, updated_at as a number, the rest as
// strings.
func claimValue(name, value string) any {
	switch name {
	case attrEmailVerified, attrPhoneVerified:
		return value == "true"
	case "updated_at":
		if n, err := strconv.ParseInt(value, 10, 64); err == nil {
			return n
		}
	}
	return value
}

// preTokenGeneration runs the V2_0 pre token generation trigger and
// applies its answer to the claims; it returns the access token's scopes.
// The event's groupConfiguration is the user's groups; an answer that
// names groups replaces them in the tokens.
func (s *Server) preTokenGeneration(ctx context.Context, client *Client, snap *user, source string, scopes []string, groups groupClaims, access, id map[string]any, metadata map[string]string) ([]string, error) {
	ev := events.CognitoEventUserPoolsPreTokenGenV2_0{
		CognitoEventUserPoolsHeader: s.header(eventVersion2, source, client.ID, snap.username),
		Request: events.CognitoEventUserPoolsPreTokenGenRequestV2_0{
			UserAttributes: snap.eventAttributes(),
			GroupConfiguration: events.GroupConfigurationV2_0{
				GroupsToOverride:   append([]string{}, groups.names...),
				IAMRolesToOverride: append([]string{}, groups.roles...),
			},
			ClientMetadata: metadata,
			Scopes:         slices.Clone(scopes),
		},
	}
	if groups.preferred != "" {
		ev.Request.GroupConfiguration.PreferredRole = &groups.preferred
	}
	out, err := invoke(ctx, s.pool, triggerNamePreTokenGeneration, s.triggers.PreTokenGeneration, ev)
	if err != nil {
		return nil, err
	}
	d := out.Response.ClaimsAndScopeOverrideDetails
	s.overrideClaims(id, d.IDTokenGeneration.ClaimsToAddOrOverride, d.IDTokenGeneration.ClaimsToSuppress, true)
	s.overrideClaims(access, d.AccessTokenGeneration.ClaimsToAddOrOverride, d.AccessTokenGeneration.ClaimsToSuppress, false)

	if g := d.GroupOverrideDetails; len(g.GroupsToOverride) > 0 {
		id["cognito:groups"] = g.GroupsToOverride
		access["cognito:groups"] = g.GroupsToOverride
		if len(g.IAMRolesToOverride) > 0 {
			id["cognito:roles"] = g.IAMRolesToOverride
		}
		if g.PreferredRole != nil && *g.PreferredRole != "" {
			id["cognito:preferred_role"] = *g.PreferredRole
		}
	}

	for _, sc := range d.AccessTokenGeneration.ScopesToAdd {
		// A scope is one word of the space-separated claim.
		if sc == "" || strings.ContainsFunc(sc, isSpace) {
			s.log.Warn("localcognito: pre token generation: ignoring a scope with white space", "scope", sc)
			continue
		}
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	scopes = slices.DeleteFunc(scopes, func(sc string) bool {
		return slices.Contains(d.AccessTokenGeneration.ScopesToSuppress, sc)
	})
	return scopes, nil
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v'
}

// overrideClaims applies claimsToAddOrOverride and then claimsToSuppress,
// so a claim both replaced and suppressed is suppressed, as Cognito
// documents. Reserved claims are left alone, as Cognito leaves them.
func (s *Server) overrideClaims(claims, add map[string]any, suppress []string, idToken bool) {
	for name, value := range add {
		if reservedClaims[name] {
			s.log.Warn("localcognito: pre token generation: a reserved claim cannot be overridden", "claim", name)
			continue
		}
		if idToken && scalarIDClaims[name] {
			switch value.(type) {
			case map[string]any, []any:
				s.log.Warn("localcognito: pre token generation: claim must not be an object or a list", "claim", name)
				continue
			}
		}
		claims[name] = value
	}
	for _, name := range suppress {
		if reservedClaims[name] {
			s.log.Warn("localcognito: pre token generation: a reserved claim cannot be suppressed", "claim", name)
			continue
		}
		delete(claims, name)
	}
}

// accessClaims are the claims of an access token the pool checks when a
// user presents one.
type accessClaims struct {
	Sub       string  `json:"sub"`
	Iss       string  `json:"iss"`
	TokenUse  string  `json:"token_use"`
	Exp       float64 `json:"exp"`
	Scope     string  `json:"scope"`
	Username  string  `json:"username"`
	OriginJTI string  `json:"origin_jti"`
	ClientID  string  `json:"client_id"`
}

// SignedIn reports whether the user an ID token of this pool was issued to
// still exists and that sign-in's session was not signed out
// (GlobalSignOut, AdminUserGlobalSignOut, a revoked refresh token): what an
// identity pool with ServerSideTokenCheck asks the user pool before it
// issues credentials. A token the pool did not sign is not signed in; the
// caller checks the expiry and audience itself.
func (s *Server) SignedIn(idToken string) bool {
	payload, err := s.key.Verify(idToken)
	if err != nil {
		return false
	}
	var c struct {
		Sub       string `json:"sub"`
		Username  string `json:"cognito:username"`
		OriginJTI string `json:"origin_jti"`
	}
	if json.Unmarshal(payload, &c) != nil || c.Sub == "" || c.Username == "" {
		return false
	}
	return s.users.find(bySub(c.Username, c.Sub)) != nil && !s.users.isRevoked(c.OriginJTI)
}

// verifyAccessToken checks an access token the way Cognito checks one
// presented to its user operations: its own signature and issuer, an
// access token, unexpired, not signed out, with the admin scope.
func (s *Server) verifyAccessToken(raw string) (accessClaims, error) {
	c, err := s.checkAccessToken(raw)
	if err != nil {
		return c, err
	}
	if !slices.Contains(strings.Fields(c.Scope), adminScope) {
		return c, apiError(errNotAuthorized, "Access Token does not have required scopes")
	}
	return c, nil
}

// checkAccessToken checks an access token's signature, issuer, use,
// expiry and session, whatever its scopes.
func (s *Server) checkAccessToken(raw string) (accessClaims, error) {
	var c accessClaims
	invalid := apiError(errNotAuthorized, "Invalid Access Token")
	payload, err := s.key.Verify(raw)
	if err != nil {
		return c, invalid
	}
	if json.Unmarshal(payload, &c) != nil || c.Iss != s.issuer || c.TokenUse != "access" {
		return c, invalid
	}
	if float64(s.now().Unix()) >= c.Exp {
		return c, apiError(errNotAuthorized, "Access Token has expired")
	}
	if s.users.isRevoked(c.OriginJTI) {
		return c, apiError(errNotAuthorized, "Access Token has been revoked")
	}
	return c, nil
}
