package localcognito

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// The operations the pool's domain (package hostedui: the OAuth 2.0
// endpoints and the sign-in pages) is built on. Each is one of the API's
// operations, called as the app client the domain acts for: the domain
// has authenticated the client, so the SECRET_HASH a confidential client
// owes is computed here. The domain keeps its own state (codes, sign-in
// cookies) and reaches users only through these.

// The domain's OAuth 2.0 and OpenID Connect endpoints
// (https://<prefix>.auth.<region>.amazoncognito.com in AWS), which the
// pool's discovery document names.
const (
	PathAuthorize = "/oauth2/authorize"
	PathToken     = "/oauth2/token"
	PathRevoke    = "/oauth2/revoke"
	PathUserInfo  = "/oauth2/userInfo"
	PathLogout    = "/logout"
)

// Challenges a sign-in on the domain's pages may meet.
const (
	ChallengeNewPassword      = challengeNewPassword
	ChallengeSoftwareTokenMFA = challengeSoftwareTokenMFA
	ChallengeMFASetup         = challengeMFASetup
)

// Error types the domain's pages act on; operations fail with an
// *awsjson.Error of one of these types, among others.
const (
	TypeUserNotConfirmed      = errUserNotConfirmed
	TypePasswordResetRequired = errPasswordResetRequired
	TypeNotAuthorized         = errNotAuthorized
	TypeUnsupportedTokenType  = errUnsupportedTokenType
)

// Errors of the token and userInfo endpoints' operations.
var (
	// ErrUserGone: the user a code was issued to was deleted or disabled.
	ErrUserGone = errors.New("the user no longer exists or is disabled")
	// ErrInvalidToken: an access token that is not the pool's, expired,
	// signed out, or of a user or client that no longer exists.
	ErrInvalidToken = errors.New("access token is expired, disabled, or deleted, or the user has globally signed out")
	// ErrInsufficientScope: an access token without the openid scope.
	ErrInsufficientScope = errors.New("the access token has no openid scope")
)

// Attribute is a user attribute, as the API's AttributeType.
type Attribute = attribute

// Identity is a user a sign-in proved.
type Identity struct {
	Username, Sub string
	// AuthTime is when they proved it.
	AuthTime time.Time
}

// SignInStep is where a sign-in on the domain's pages stands: done (User
// is set) or waiting for the answer to a challenge.
type SignInStep struct {
	User *Identity
	// Challenge and Session are the challenge to answer and its session;
	// Username is the name the answer must carry (USER_ID_FOR_SRP).
	Challenge, Session, Username string
}

// Grant is what an authorization code carries into its tokens.
type Grant struct {
	Scopes []string
	Nonce  string
	// AuthTime is when the user signed in on the domain.
	AuthTime time.Time
}

// Tokens are the tokens of the token endpoint. Scopes are the scopes of
// the session (nil for a session started through the API, not the domain).
type Tokens struct {
	AccessToken, IDToken, RefreshToken string
	ExpiresIn                          int
	Scopes                             []string
}

// Domain is the prefix of the pool's domain; "" for a pool without one.
func (s *Server) Domain() string { return s.domain }

// Now is the pool's clock.
func (s *Server) Now() time.Time { return s.now() }

// Logger is the pool's logger.
func (s *Server) Logger() *slog.Logger { return s.log }

// RequiredAttributes are the attributes a sign-up must give.
func (s *Server) RequiredAttributes() []string { return slices.Clone(s.required) }

// UsernameAttributes are the attributes users sign in with instead of a
// username; empty for a pool of plain usernames.
func (s *Server) UsernameAttributes() []string { return slices.Clone(s.usernameAttrs) }

// Client is the app client with id.
func (s *Server) Client(id string) (*Client, error) { return s.client(id) }

// secretHash is the SECRET_HASH client owes for name.
func secretHash(client *Client, name string) string {
	if client.Secret == "" {
		return ""
	}
	return SecretHash(client.ID, client.Secret, name)
}

// SignInWithPassword is InitiateAuth USER_PASSWORD_AUTH through client,
// without tokens: a sign-in page proves who the user is and the token
// endpoint issues the tokens later.
func (s *Server) SignInWithPassword(ctx context.Context, client *Client, username, password string) (SignInStep, error) {
	ctx, signIn := withHostedSignIn(ctx)
	params := map[string]string{"USERNAME": username, "PASSWORD": password}
	if h := secretHash(client, username); h != "" {
		params["SECRET_HASH"] = h
	}
	out, err := s.passwordAuth(ctx, client, params, nil)
	return signInStep(out, signIn), err
}

// AnswerChallenge is RespondToAuthChallenge through client, without
// tokens, with the one answer each challenge takes: the new password of
// NEW_PASSWORD_REQUIRED, or a code from the authenticator app (for
// MFA_SETUP, first verified with VerifySoftwareToken in the session).
func (s *Server) AnswerChallenge(ctx context.Context, client *Client, challenge, session, username, answer string) (SignInStep, error) {
	resp := map[string]string{"USERNAME": username}
	switch challenge {
	case challengeNewPassword:
		resp["NEW_PASSWORD"] = answer
	case challengeSoftwareTokenMFA:
		resp["SOFTWARE_TOKEN_MFA_CODE"] = answer
	case challengeMFASetup:
		v, err := s.verifySoftwareToken(ctx, softwareTokenInput{Session: session, UserCode: answer})
		if err != nil {
			return SignInStep{}, err
		}
		session = v.Session
	default:
		return SignInStep{}, invalidParameter("The challenge %s cannot be answered on this page.", challenge)
	}
	if h := secretHash(client, username); h != "" {
		resp["SECRET_HASH"] = h
	}
	ctx, signIn := withHostedSignIn(ctx)
	out, err := s.respondToAuthChallenge(ctx, respondToAuthChallengeInput{
		ChallengeName: challenge, ClientID: client.ID, Session: session, ChallengeResponses: resp,
	})
	return signInStep(out, signIn), err
}

func signInStep(out authOutput, signIn *hostedSignIn) SignInStep {
	if signIn.user != nil {
		u := signIn.user
		return SignInStep{User: &Identity{Username: u.username, Sub: u.sub()}}
	}
	return SignInStep{Challenge: out.ChallengeName, Session: out.Session, Username: out.ChallengeParameters["USER_ID_FOR_SRP"]}
}

// AssociateSoftwareToken is AssociateSoftwareToken in the session of an
// MFA_SETUP challenge: a new authenticator secret, and the session the
// sign-in goes on in.
func (s *Server) AssociateSoftwareToken(ctx context.Context, session string) (secret, next string, err error) {
	out, err := s.associateSoftwareToken(ctx, softwareTokenInput{Session: session})
	return out.SecretCode, out.Session, err
}

// SignUp is SignUp through client; confirmed is true when the user needs
// no code.
func (s *Server) SignUp(ctx context.Context, client *Client, username, password string, attrs []Attribute) (confirmed bool, err error) {
	out, err := s.signUp(ctx, signUpInput{
		ClientID: client.ID, Username: username, Password: password,
		UserAttributes: attrs, SecretHash: secretHash(client, username),
	})
	return out.UserConfirmed, err
}

// ConfirmSignUp is ConfirmSignUp through client.
func (s *Server) ConfirmSignUp(ctx context.Context, client *Client, username, code string) error {
	_, err := s.confirmSignUp(ctx, confirmSignUpInput{
		ClientID: client.ID, Username: username, ConfirmationCode: code, SecretHash: secretHash(client, username),
	})
	return err
}

// ForgotPassword is ForgotPassword through client.
func (s *Server) ForgotPassword(ctx context.Context, client *Client, username string) error {
	_, err := s.forgotPassword(ctx, forgotPasswordInput{ClientID: client.ID, Username: username, SecretHash: secretHash(client, username)})
	return err
}

// ConfirmForgotPassword is ConfirmForgotPassword through client.
func (s *Server) ConfirmForgotPassword(ctx context.Context, client *Client, username, code, password string) error {
	_, err := s.confirmForgotPassword(ctx, confirmForgotPasswordInput{
		ClientID: client.ID, Username: username, ConfirmationCode: code, Password: password,
		SecretHash: secretHash(client, username),
	})
	return err
}

// RevokeToken is RevokeToken through client.
func (s *Server) RevokeToken(ctx context.Context, client *Client, token string) error {
	_, err := s.revokeToken(ctx, revokeTokenInput{Token: token, ClientID: client.ID, ClientSecret: client.Secret})
	return err
}

// IssueTokens starts a session of user through client with the scopes,
// nonce and sign-in time of an authorization code (pre token generation
// runs with TokenGeneration_HostedAuth). ErrUserGone when the user was
// deleted or disabled since.
func (s *Server) IssueTokens(ctx context.Context, client *Client, user Identity, grant Grant) (Tokens, error) {
	snap := s.users.find(bySub(user.Username, user.Sub))
	if snap == nil || snap.disabled {
		return Tokens{}, ErrUserGone
	}
	g := oauthGrant{scopes: grant.Scopes, nonce: grant.Nonce, authTime: grant.AuthTime}
	res, err := s.issue(ctx, client, snap, sourceTokenHostedAuth, nil, nil, &g)
	if err != nil {
		return Tokens{}, err
	}
	return Tokens{AccessToken: res.AccessToken, IDToken: res.IDToken, RefreshToken: res.RefreshToken, ExpiresIn: res.ExpiresIn, Scopes: grant.Scopes}, nil
}

// RefreshTokens is InitiateAuth REFRESH_TOKEN_AUTH through client.
func (s *Server) RefreshTokens(ctx context.Context, client *Client, refreshToken string) (Tokens, error) {
	rt, _, known := s.users.refreshSession(refreshToken)
	if !known {
		return Tokens{}, apiError(errNotAuthorized, "Invalid Refresh Token")
	}
	params := map[string]string{"REFRESH_TOKEN": refreshToken}
	if h := secretHash(client, rt.username); h != "" {
		params["SECRET_HASH"] = h
	}
	out, err := s.refreshAuth(ctx, client, params, nil)
	if err != nil {
		return Tokens{}, err
	}
	res := out.AuthenticationResult
	// RefreshToken is set where the client rotates refresh tokens.
	return Tokens{AccessToken: res.AccessToken, IDToken: res.IDToken, RefreshToken: res.RefreshToken, ExpiresIn: res.ExpiresIn, Scopes: rt.scopes}, nil
}

// UserInfo is what the userInfo endpoint answers for an access token: the
// attributes its client may read and its scopes release, as stored (the
// verified flags as "true" and "false"), with sub and username.
func (s *Server) UserInfo(accessToken string) (map[string]string, error) {
	c, err := s.checkAccessToken(accessToken)
	if err != nil {
		return nil, ErrInvalidToken
	}
	scopes := strings.Fields(c.Scope)
	if !slices.Contains(scopes, ScopeOpenID) {
		return nil, ErrInsufficientScope
	}
	client, err := s.client(c.ClientID)
	if err != nil {
		return nil, ErrInvalidToken
	}
	u := s.users.find(bySub(c.Username, c.Sub))
	if u == nil {
		return nil, ErrInvalidToken
	}
	out := map[string]string{attrSub: u.sub(), "username": u.username}
	for name, value := range u.attrs {
		if name != attrSub && client.canRead(name) && scopesRelease(scopes, name) {
			out[name] = value
		}
	}
	return out, nil
}
