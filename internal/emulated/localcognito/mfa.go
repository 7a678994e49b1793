package localcognito

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/protocol/totp"
)

// Challenges and the MFA type of software tokens (TOTP).
const (
	challengeMFASetup         = "MFA_SETUP"
	challengeSoftwareTokenMFA = "SOFTWARE_TOKEN_MFA"
	mfaSoftwareToken          = "SOFTWARE_TOKEN_MFA"
)

// totpState is a user's authenticator app.
type totpState struct {
	// pending is a secret AssociateSoftwareToken handed out with an access
	// token, waiting for VerifySoftwareToken; pendingFailures counts the
	// wrong codes it was given.
	pending         string
	pendingFailures int
	// secret is the verified secret: the user has a software token.
	secret string
	// enabled and preferred are SoftwareTokenMfaSettings.
	enabled, preferred bool
	// lastStep is the TOTP time step of the last code accepted: a code is
	// good once.
	lastStep int64
}

func invalidSession() error {
	return apiError(errNotAuthorized, "Invalid session for the user, session is expired.")
}

// mfaChallenge is the second step a user who has proven their password
// must take: MFA_SETUP where the pool requires MFA and they have no
// authenticator yet, SOFTWARE_TOKEN_MFA where they have one the pool
// requires or they enabled; "" for none.
func (s *Server) mfaChallenge(u *user) string {
	switch {
	case s.mfa == MFAOn && u.totp.secret == "":
		return challengeMFASetup
	case s.mfa == MFAOn, s.mfa == MFAOptional && u.totp.enabled && u.totp.secret != "":
		return challengeSoftwareTokenMFA
	}
	return ""
}

// matchTOTP checks code against the secret's codes for the current time
// step and one either side, for clock skew. A code counts once: its step
// must come after *last, and becomes it. The clock is the wall clock, not
// the pool's: authenticator apps live in real time, and a stack whose
// clock was moved forward still takes their codes.
func (s *Server) matchTOTP(secret, code string, last *int64) error {
	now := s.wall()
	for _, skew := range []time.Duration{0, -totp.Period, totp.Period} {
		t := now.Add(skew)
		want, err := totp.Code(secret, t)
		if err != nil {
			break
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
			continue
		}
		step := t.Unix() / int64(totp.Period/time.Second)
		if step <= *last {
			return apiError(errExpiredCode, "Your software token has already been used once.")
		}
		*last = step
		return nil
	}
	return apiError(errCodeMismatch, "Invalid code received for user")
}

// newTOTPSecret is a SecretCode as Cognito hands them out: 32 random bytes
// in unpadded base32.
func newTOTPSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
}

// mfaStep opens the session of an MFA challenge; source is the token
// generation source of the sign-in it completes.
func (s *Server) mfaStep(client *Client, u *user, challenge, source string) authOutput {
	id := s.users.openSession(&authSession{challenge: challenge, clientID: client.ID, validity: client.AuthSessionValidity,
		username: u.username, sub: u.sub(), source: source})
	params := map[string]string{}
	if challenge == challengeMFASetup {
		params["MFAS_CAN_SETUP"] = `["` + mfaSoftwareToken + `"]`
	}
	return authOutput{ChallengeName: challenge, Session: id, ChallengeParameters: params}
}

// softwareTokenMFA answers SOFTWARE_TOKEN_MFA: a code from the user's
// authenticator app finishes the sign-in. A session takes a few wrong
// codes, then ends.
func (s *Server) softwareTokenMFA(ctx context.Context, client *Client, in respondToAuthChallengeInput) (authOutput, error) {
	resp := in.ChallengeResponses
	if err := checkParams(client, resp, "USERNAME", "SOFTWARE_TOKEN_MFA_CODE"); err != nil {
		return authOutput{}, err
	}
	return s.finishChallenge(ctx, client, in, func(sess *authSession, u *user, tx userTx) error {
		if err := s.matchTOTP(u.totp.secret, resp["SOFTWARE_TOKEN_MFA_CODE"], &u.totp.lastStep); err != nil {
			if sess.failures++; sess.failures >= maxCodeRetries {
				tx.closeSession(in.Session)
			}
			return err
		}
		return nil
	})
}

// mfaSetup answers MFA_SETUP once VerifySoftwareToken has verified the
// new authenticator with the session: the sign-in finishes.
func (s *Server) mfaSetup(ctx context.Context, client *Client, in respondToAuthChallengeInput) (authOutput, error) {
	if err := checkParams(client, in.ChallengeResponses, "USERNAME"); err != nil {
		return authOutput{}, err
	}
	return s.finishChallenge(ctx, client, in, func(sess *authSession, _ *user, _ userTx) error {
		if !sess.verified {
			return invalidParameter("Software token MFA has not been verified: call AssociateSoftwareToken and VerifySoftwareToken with the session first")
		}
		return nil
	})
}

// finishChallenge checks the answer to the challenge of a session with
// answer, under the store's lock; an answer that passes ends the session
// and gets the tokens of the sign-in the challenge belongs to.
func (s *Server) finishChallenge(ctx context.Context, client *Client, in respondToAuthChallengeInput, answer func(sess *authSession, u *user, tx userTx) error) (authOutput, error) {
	var source string
	u, err := s.users.withSession(in.Session, in.ChallengeName, client.ID, in.ChallengeResponses["USERNAME"], func(sess *authSession, u *user, tx userTx) error {
		if err := answer(sess, u, tx); err != nil {
			return err
		}
		tx.closeSession(in.Session)
		source = sess.source
		return nil
	})
	if err != nil {
		return authOutput{}, err
	}
	return s.signedIn(ctx, client, u, source, in.ClientMetadata)
}

// signedIn issues the tokens of a finished sign-in.
func (s *Server) signedIn(ctx context.Context, client *Client, snap *user, source string, metadata map[string]string) (authOutput, error) {
	res, err := s.issueTokens(ctx, client, snap, source, nil, metadata)
	if err != nil {
		return authOutput{}, err
	}
	return authOutput{ChallengeParameters: map[string]string{}, AuthenticationResult: &res}, nil
}

type softwareTokenInput struct {
	AccessToken        string `json:"AccessToken"`
	Session            string `json:"Session"`
	UserCode           string `json:"UserCode"`
	FriendlyDeviceName string `json:"FriendlyDeviceName"`
}

type associateSoftwareTokenOutput struct {
	SecretCode string `json:"SecretCode"`
	Session    string `json:"Session,omitempty"`
}

// checkTokenOrSession wants exactly one of an access token and a session.
func checkTokenOrSession(in softwareTokenInput) error {
	if (in.AccessToken == "") == (in.Session == "") {
		return invalidParameter("Exactly one of AccessToken and Session must be given.")
	}
	return nil
}

// associateSoftwareToken hands out a new TOTP secret: to a signed-in user
// (access token) adding an authenticator, or within the MFA_SETUP
// challenge of a sign-in (session), which then goes on in a new session.
func (s *Server) associateSoftwareToken(_ context.Context, in softwareTokenInput) (associateSoftwareTokenOutput, error) {
	if err := checkTokenOrSession(in); err != nil {
		return associateSoftwareTokenOutput{}, err
	}
	if s.mfa == MFAOff {
		return associateSoftwareTokenOutput{}, apiError(errSoftwareTokenNotFound, "Software token MFA is not enabled for the user pool.")
	}
	secret := newTOTPSecret()
	if in.AccessToken != "" {
		call, err := s.asUser(in.AccessToken)
		if err == nil {
			_, err = call.update(func(u *user, _ userTx) error {
				u.totp.pending, u.totp.pendingFailures = secret, 0
				return nil
			})
		}
		if err != nil {
			return associateSoftwareTokenOutput{}, err
		}
		return associateSoftwareTokenOutput{SecretCode: secret}, nil
	}
	var next string
	_, err := s.users.withSession(in.Session, challengeMFASetup, "", "", func(sess *authSession, _ *user, tx userTx) error {
		tx.closeSession(in.Session)
		reopened := *sess
		reopened.secret, reopened.verified, reopened.failures = secret, false, 0
		next = tx.openSession(&reopened)
		return nil
	})
	if err != nil {
		return associateSoftwareTokenOutput{}, err
	}
	return associateSoftwareTokenOutput{SecretCode: secret, Session: next}, nil
}

type verifySoftwareTokenOutput struct {
	Status  string `json:"Status"`
	Session string `json:"Session,omitempty"`
}

func enableSoftwareTokenFailed() error {
	return apiError(errEnableSoftwareToken, "Code mismatch and fail enable Software Token MFA")
}

// verifySoftwareToken proves the secret AssociateSoftwareToken handed out
// with a code from it. Then the user has an authenticator: within
// MFA_SETUP, or where the pool requires MFA, it is enabled and preferred
// at once; where MFA is optional, SetUserMFAPreference enables it.
func (s *Server) verifySoftwareToken(_ context.Context, in softwareTokenInput) (verifySoftwareTokenOutput, error) {
	var v validation
	v.required("userCode", in.UserCode)
	switch {
	case in.UserCode == "":
	case len(in.UserCode) > totp.Digits:
		v.check(false, "userCode", "Member must have length less than or equal to 6")
	case len(in.UserCode) < totp.Digits:
		v.check(false, "userCode", "Member must have length greater than or equal to 6")
	case !digitsPattern.MatchString(in.UserCode):
		v.check(false, "userCode", "Member must satisfy regular expression pattern: [0-9]+")
	}
	if err := v.err(); err != nil {
		return verifySoftwareTokenOutput{}, err
	}
	if err := checkTokenOrSession(in); err != nil {
		return verifySoftwareTokenOutput{}, err
	}
	notAssociated := apiError(errSoftwareTokenNotFound, "Software token TOTP multi-factor authentication (MFA) is not associated with the user. Call AssociateSoftwareToken first.")
	if in.AccessToken != "" {
		return s.verifyNewAuthenticator(in, notAssociated)
	}
	var next string
	_, err := s.users.withSession(in.Session, challengeMFASetup, "", "", func(sess *authSession, u *user, tx userTx) error {
		if sess.secret == "" || sess.verified {
			return notAssociated
		}
		if err := s.matchTOTP(sess.secret, in.UserCode, &u.totp.lastStep); err != nil {
			if sess.failures++; sess.failures >= maxCodeRetries {
				tx.closeSession(in.Session)
			}
			return enableSoftwareTokenFailed()
		}
		u.totp = totpState{secret: sess.secret, enabled: true, preferred: true, lastStep: u.totp.lastStep}
		u.modified = s.now()
		tx.closeSession(in.Session)
		verified := *sess
		verified.verified, verified.failures = true, 0
		next = tx.openSession(&verified)
		return nil
	})
	if err != nil {
		return verifySoftwareTokenOutput{}, err
	}
	return verifySoftwareTokenOutput{Status: "SUCCESS", Session: next}, nil
}

// verifyNewAuthenticator is VerifySoftwareToken for a signed-in user: the
// secret AssociateSoftwareToken handed them becomes their authenticator.
func (s *Server) verifyNewAuthenticator(in softwareTokenInput, notAssociated error) (verifySoftwareTokenOutput, error) {
	call, err := s.asUser(in.AccessToken)
	if err != nil {
		return verifySoftwareTokenOutput{}, err
	}
	_, err = call.update(func(u *user, _ userTx) error {
		if u.totp.pending == "" {
			return notAssociated
		}
		if err := s.matchTOTP(u.totp.pending, in.UserCode, &u.totp.lastStep); err != nil {
			// A secret guessed at too often must be associated again.
			if u.totp.pendingFailures++; u.totp.pendingFailures >= maxCodeRetries {
				u.totp.pending = ""
			}
			return enableSoftwareTokenFailed()
		}
		u.totp.secret, u.totp.pending = u.totp.pending, ""
		if s.mfa == MFAOn {
			u.totp.enabled, u.totp.preferred = true, true
		}
		u.modified = s.now()
		return nil
	})
	if err != nil {
		return verifySoftwareTokenOutput{}, err
	}
	return verifySoftwareTokenOutput{Status: "SUCCESS"}, nil
}

// mfaSettings are the SMSMfaSettings, SoftwareTokenMfaSettings and
// EmailMfaSettings of SetUserMFAPreference.
type mfaSettings struct {
	Enabled      bool `json:"Enabled"`
	PreferredMfa bool `json:"PreferredMfa"`
}

type mfaPreferenceInput struct {
	AccessToken              string       `json:"AccessToken"`
	UserPoolID               string       `json:"UserPoolId"`
	Username                 string       `json:"Username"`
	SoftwareTokenMfaSettings *mfaSettings `json:"SoftwareTokenMfaSettings"`
	SMSMfaSettings           *mfaSettings `json:"SMSMfaSettings"`
	EmailMfaSettings         *mfaSettings `json:"EmailMfaSettings"`
}

// setUserMFAPreference lets a signed-in user enable, disable or prefer
// their authenticator.
func (s *Server) setUserMFAPreference(_ context.Context, in mfaPreferenceInput) (empty, error) {
	call, err := s.asUser(in.AccessToken)
	if err != nil {
		return empty{}, err
	}
	_, err = call.update(func(u *user, _ userTx) error { return s.setMFAPreference(u, in) })
	return empty{}, err
}

// adminSetUserMFAPreference sets a user's MFA preference as an
// administrator.
func (s *Server) adminSetUserMFAPreference(_ context.Context, in mfaPreferenceInput) (empty, error) {
	call, err := s.asAdmin(in.UserPoolID, in.Username)
	if err != nil {
		return empty{}, err
	}
	_, err = call.update(func(u *user, _ userTx) error { return s.setMFAPreference(u, in) })
	return empty{}, err
}

// setMFAPreference applies SoftwareTokenMfaSettings; SMS and email
// factors, which this pool does not offer, can only be left off.
func (s *Server) setMFAPreference(u *user, in mfaPreferenceInput) error {
	for _, other := range []*mfaSettings{in.SMSMfaSettings, in.EmailMfaSettings} {
		if other != nil && (other.Enabled || other.PreferredMfa) {
			return invalidParameter("This user pool offers only software token (TOTP) MFA.")
		}
	}
	set := in.SoftwareTokenMfaSettings
	if set == nil {
		return nil
	}
	if (set.Enabled || set.PreferredMfa) && u.totp.secret == "" {
		return invalidParameter("User has not verified software token mfa")
	}
	u.totp.enabled = set.Enabled || set.PreferredMfa
	u.totp.preferred = set.PreferredMfa
	u.modified = s.now()
	return nil
}

// mfaOutput is what GetUser and AdminGetUser report of a user's MFA.
type mfaOutput struct {
	PreferredMfaSetting string   `json:"PreferredMfaSetting,omitempty"`
	UserMFASettingList  []string `json:"UserMFASettingList,omitempty"`
}

func (u *user) mfaOutput() mfaOutput {
	var out mfaOutput
	if u.totp.enabled && u.totp.secret != "" {
		out.UserMFASettingList = []string{mfaSoftwareToken}
		if u.totp.preferred {
			out.PreferredMfaSetting = mfaSoftwareToken
		}
	}
	return out
}
