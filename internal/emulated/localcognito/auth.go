package localcognito

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"
)

// Auth flows of InitiateAuth.
const (
	flowUserPassword      = "USER_PASSWORD_AUTH"
	flowRefreshToken      = "REFRESH_TOKEN_AUTH"
	flowRefreshTokenOld   = "REFRESH_TOKEN" // the older name, still accepted
	flowUserSRP           = "USER_SRP_AUTH"
	flowCustom            = "CUSTOM_AUTH"
	flowUser              = "USER_AUTH"
	flowAdminUserPassword = "ADMIN_USER_PASSWORD_AUTH"
	flowAdminNoSRP        = "ADMIN_NO_SRP_AUTH"
)

// allowedBy maps each flow of InitiateAuth to the client setting that
// enables it.
var allowedBy = map[string]string{
	flowUserPassword:    AllowUserPasswordAuth,
	flowRefreshToken:    AllowRefreshTokenAuth,
	flowRefreshTokenOld: AllowRefreshTokenAuth,
	flowUserSRP:         AllowUserSRPAuth,
	flowCustom:          AllowCustomAuth,
	flowUser:            AllowUserAuth,
}

const challengeNewPassword = "NEW_PASSWORD_REQUIRED"

// sessionValidity is how long a challenge session lasts, Cognito's default
// AuthSessionValidity (a client's Client.AuthSessionValidity).
const sessionValidity = 3 * time.Minute

// authSession is a sign-in waiting for the answer to a challenge.
type authSession struct {
	challenge string
	clientID  string
	username  string
	sub       string
	// validity is the client's AuthSessionValidity, which sets expires.
	validity time.Duration
	expires  time.Time
	// source is the token generation source of the sign-in the challenge
	// belongs to, for the tokens its last answer brings.
	source string
	// secret is the TOTP secret AssociateSoftwareToken handed out within
	// MFA_SETUP; verified says VerifySoftwareToken proved it.
	secret   string
	verified bool
	// failures counts wrong answers (TOTP codes) in this session.
	failures int
}

type initiateAuthInput struct {
	AuthFlow       string            `json:"AuthFlow"`
	AuthParameters map[string]string `json:"AuthParameters"`
	ClientID       string            `json:"ClientId"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

type authOutput struct {
	ChallengeName        string            `json:"ChallengeName,omitempty"`
	Session              string            `json:"Session,omitempty"`
	ChallengeParameters  map[string]string `json:"ChallengeParameters"`
	AuthenticationResult *authResult       `json:"AuthenticationResult,omitempty"`
}

// initiateAuth signs a user in with USER_PASSWORD_AUTH, starts a
// USER_SRP_AUTH sign-in, or refreshes tokens with REFRESH_TOKEN_AUTH.
func (s *Server) initiateAuth(ctx context.Context, in initiateAuthInput) (authOutput, error) {
	client, err := s.forClient(in.ClientID, need("authFlow", in.AuthFlow))
	if err != nil {
		return authOutput{}, err
	}
	setting, known := allowedBy[in.AuthFlow]
	switch {
	case in.AuthFlow == flowAdminUserPassword || in.AuthFlow == flowAdminNoSRP:
		return authOutput{}, invalidParameter("Initiate Auth method not supported.")
	case !known:
		return authOutput{}, invalidParameter("1 validation error detected: Value '%s' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]", in.AuthFlow)
	case !client.allows(setting):
		return authOutput{}, invalidParameter("%s flow not enabled for this client", in.AuthFlow)
	}
	params := in.AuthParameters
	switch in.AuthFlow {
	case flowUserPassword:
		return s.passwordAuth(ctx, client, params, in.ClientMetadata)
	case flowUserSRP:
		return s.srpAuth(client, params)
	case flowRefreshToken, flowRefreshTokenOld:
		return s.refreshAuth(ctx, client, params, in.ClientMetadata)
	default:
		return authOutput{}, invalidParameter("%s is not supported by this local user pool; use USER_SRP_AUTH or USER_PASSWORD_AUTH", in.AuthFlow)
	}
}

func missingParameter(name string) error {
	return invalidParameter("Missing required parameter %s", name)
}

func (s *Server) passwordAuth(ctx context.Context, client *Client, params map[string]string, metadata map[string]string) (authOutput, error) {
	if err := checkParams(client, params, "USERNAME", "PASSWORD"); err != nil {
		return authOutput{}, err
	}
	name, password := params["USERNAME"], params["PASSWORD"]
	call := clientCall{s: s, client: client, name: name}
	now := s.now()
	u, err := call.update(incorrectCredentials(), func(u *user, _ userTx) error {
		switch {
		case u.status == statusResetRequired:
			// The administrator deactivated the password: there is none to
			// check, only a reset code to ask for.
			return passwordResetRequired()
		case u.failures.signIn.blocked(now):
			return passwordAttemptsExceeded()
		case !u.passwordMatches(password):
			u.failures.signIn.fail(now)
			return incorrectCredentials()
		}
		u.failures.signIn.succeed()
		return nil
	})
	if err != nil {
		return authOutput{}, err
	}
	return s.completeSignIn(ctx, client, u, metadata)
}

// completeSignIn finishes a sign-in in which u (a copy) has proven their
// password, whichever flow they used: an unconfirmed user is refused, an
// invited one must choose a password, and anyone else gets tokens.
// Checking the password first means a wrong one never reveals the user's
// status.
func (s *Server) completeSignIn(ctx context.Context, client *Client, u *user, metadata map[string]string) (authOutput, error) {
	switch {
	case u.disabled:
		return authOutput{}, userDisabled()
	case u.status == statusUnconfirmed:
		return authOutput{}, apiError(errUserNotConfirmed, "User is not confirmed.")
	case s.tempPasswordExpired(u):
		return authOutput{}, apiError(errNotAuthorized, "Temporary password has expired and must be reset by an administrator.")
	case u.status == statusForceChange:
		return s.newPasswordChallenge(client, u), nil
	}
	if ch := s.mfaChallenge(u); ch != "" {
		return s.mfaStep(client, u, ch, sourceTokenAuthentication), nil
	}
	return s.signedIn(ctx, client, u, sourceTokenAuthentication, metadata)
}

// newPasswordChallenge opens a session in which an invited user must
// choose a password.
func (s *Server) newPasswordChallenge(client *Client, u *user) authOutput {
	id := s.users.openSession(&authSession{
		challenge: challengeNewPassword,
		clientID:  client.ID,
		validity:  client.AuthSessionValidity,
		username:  u.username,
		sub:       u.sub(),
	})
	// userAttributes is a JSON string of the user's attributes without sub;
	// Amplify and the AWS samples parse it to prefill a form.
	attrs := maps.Clone(u.attrs)
	delete(attrs, attrSub)
	attrsJSON, _ := json.Marshal(attrs) // a map of strings always encodes
	missing := []string{}
	for _, a := range s.required {
		if u.attrs[a] == "" {
			missing = append(missing, "userAttributes."+a)
		}
	}
	requiredJSON, _ := json.Marshal(missing)
	return authOutput{
		ChallengeName: challengeNewPassword,
		Session:       id,
		ChallengeParameters: map[string]string{
			"USER_ID_FOR_SRP":    u.username,
			"requiredAttributes": string(requiredJSON),
			"userAttributes":     string(attrsJSON),
		},
	}
}

func (s *Server) refreshAuth(ctx context.Context, client *Client, params map[string]string, metadata map[string]string) (authOutput, error) {
	token := params["REFRESH_TOKEN"]
	if token == "" {
		return authOutput{}, missingParameter("REFRESH_TOKEN")
	}
	invalid := apiError(errNotAuthorized, "Invalid Refresh Token")
	rt, u, known := s.users.refreshSession(token)
	switch {
	case !known || rt.clientID != client.ID:
		return authOutput{}, invalid
	case rt.revoked:
		return authOutput{}, apiError(errNotAuthorized, "Refresh Token has been revoked")
	case u == nil:
		return authOutput{}, invalid
	case u.disabled:
		return authOutput{}, userDisabled()
	case !s.now().Before(rt.expires):
		return authOutput{}, apiError(errNotAuthorized, "Refresh Token has expired")
	}
	// A confidential client proves itself with a hash of the username the
	// pool stores, which in a username-attribute pool is the sub, not the
	// email address the user signed in with.
	if err := client.checkSecretHash(rt.username, params["SECRET_HASH"]); err != nil {
		return authOutput{}, err
	}
	res, err := s.issueTokens(ctx, client, u, sourceTokenRefreshTokens, &rt, metadata)
	if err != nil {
		return authOutput{}, err
	}
	return authOutput{ChallengeParameters: map[string]string{}, AuthenticationResult: &res}, nil
}

type respondToAuthChallengeInput struct {
	ChallengeName      string            `json:"ChallengeName"`
	ClientID           string            `json:"ClientId"`
	Session            string            `json:"Session"`
	ChallengeResponses map[string]string `json:"ChallengeResponses"`
	ClientMetadata     map[string]string `json:"ClientMetadata"`
}

// respondToAuthChallenge answers the challenges this pool issues:
// PASSWORD_VERIFIER of a USER_SRP_AUTH sign-in, and NEW_PASSWORD_REQUIRED.
func (s *Server) respondToAuthChallenge(ctx context.Context, in respondToAuthChallengeInput) (authOutput, error) {
	client, err := s.forClient(in.ClientID, need("challengeName", in.ChallengeName))
	if err != nil {
		return authOutput{}, err
	}
	switch in.ChallengeName {
	case challengePasswordVerifier:
		return s.passwordVerifier(ctx, client, in)
	case challengeNewPassword:
		return s.newPassword(ctx, client, in)
	case challengeSoftwareTokenMFA:
		return s.softwareTokenMFA(ctx, client, in)
	case challengeMFASetup:
		return s.mfaSetup(ctx, client, in)
	default:
		return authOutput{}, invalidParameter("%s is not supported by this local user pool; it issues only %s, %s, %s and %s",
			in.ChallengeName, challengePasswordVerifier, challengeNewPassword, challengeMFASetup, challengeSoftwareTokenMFA)
	}
}

// newPassword completes NEW_PASSWORD_REQUIRED: the invited user chooses a
// password (and may fill in attributes as userAttributes.<name>) and is
// signed in.
func (s *Server) newPassword(ctx context.Context, client *Client, in respondToAuthChallengeInput) (authOutput, error) {
	resp := in.ChallengeResponses
	if err := checkParams(client, resp, "USERNAME", "NEW_PASSWORD"); err != nil {
		return authOutput{}, err
	}
	name, password := resp["USERNAME"], resp["NEW_PASSWORD"]
	if err := checkPasswordShape("NEW_PASSWORD", password); err != nil {
		return authOutput{}, err
	}
	var given []attribute
	for _, k := range slices.Sorted(maps.Keys(resp)) {
		if attr, ok := strings.CutPrefix(k, "userAttributes."); ok {
			given = append(given, attribute{Name: attr, Value: resp[k]})
		}
	}
	attrs, err := s.checkAttributes(given, byClient)
	if err != nil {
		return authOutput{}, err
	}

	u, err := s.users.withSession(in.Session, challengeNewPassword, client.ID, name, func(sess *authSession, u *user, tx userTx) error {
		if u.status != statusForceChange {
			return invalidSession()
		}
		if err := s.policy.check(password); err != nil {
			return err
		}
		updated := u.snapshot()
		maps.Copy(updated.attrs, attrs)
		if err := s.checkRequired(updated.attrs); err != nil {
			return err
		}
		if err := tx.conflict(updated, "", true); err != nil {
			return err
		}
		tx.closeSession(in.Session)
		u.attrs = updated.attrs
		s.setPassword(u, password)
		u.status = statusConfirmed
		u.tempExpires = time.Time{}
		u.modified = s.now()
		return nil
	})
	if err != nil {
		return authOutput{}, err
	}
	if ch := s.mfaChallenge(u); ch != "" {
		return s.mfaStep(client, u, ch, sourceTokenNewPasswordChallenge), nil
	}
	return s.signedIn(ctx, client, u, sourceTokenNewPasswordChallenge, in.ClientMetadata)
}
