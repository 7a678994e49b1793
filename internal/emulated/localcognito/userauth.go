package localcognito

import (
	"context"
	"crypto/subtle"
	"slices"
)

// Choice-based sign-in (the USER_AUTH flow): the first factors a pool
// allows (Config.FirstAuthFactors), the challenges that offer and answer
// them, and the one-time codes sent by email and SMS.
const (
	factorPassword = "PASSWORD"
	factorEmailOTP = "EMAIL_OTP"
	factorSMSOTP   = "SMS_OTP"
	factorWebAuthn = "WEB_AUTHN"

	challengeSelect      = "SELECT_CHALLENGE"
	challengeEmailOTP    = "EMAIL_OTP"
	challengeSMSOTP      = "SMS_OTP"
	challengePassword    = "PASSWORD"
	challengePasswordSRP = "PASSWORD_SRP"

	sourceCustomMessageAuthentication = "CustomMessage_Authentication"
	// Cognito's one-time sign-in codes have eight digits (not documented;
	// its MFA codes have six).
	otpDigits = 8
	// The message of a pool without message customization; Cognito does
	// not document its default wording.
	defaultAuthenticationMessage = "Your one-time code is {####}. "
)

// firstFactors are the values of AllowedFirstAuthFactors.
var firstFactors = []string{factorPassword, factorEmailOTP, factorSMSOTP, factorWebAuthn}

// preferredChallenges are the values PREFERRED_CHALLENGE and a
// SELECT_CHALLENGE ANSWER may take.
var preferredChallenges = []string{challengePassword, challengePasswordSRP, challengeEmailOTP, challengeSMSOTP, challengeWebAuthn}

// otpChannel is the attribute each one-time code challenge is sent to.
var otpChannel = map[string]string{challengeEmailOTP: attrEmail, challengeSMSOTP: attrPhone}

// userAuth starts a USER_AUTH sign-in: straight into PREFERRED_CHALLENGE
// where the user may take it, else SELECT_CHALLENGE with the challenges
// the user may take (Cognito falls back the same way for a preferred
// challenge that is not available).
func (s *Server) userAuth(ctx context.Context, client *Client, params, metadata map[string]string) (authOutput, error) {
	if err := checkParams(client, params, "USERNAME"); err != nil {
		return authOutput{}, err
	}
	preferred := params["PREFERRED_CHALLENGE"]
	if preferred != "" && !slices.Contains(preferredChallenges, preferred) {
		return authOutput{}, invalidParameter("PREFERRED_CHALLENGE %q: want one of %v", preferred, preferredChallenges)
	}
	name := params["USERNAME"]
	u := s.users.find(byName(name))
	if u == nil && client.LegacyUserExistenceErrors {
		return authOutput{}, userNotFound()
	}
	available := s.availableChallenges(u)
	if !slices.Contains(available, preferred) {
		return s.selectChallenge(client, u, name, available), nil
	}
	return s.startChallenge(ctx, client, u, preferred, params, metadata)
}

// availableChallenges are the first-factor challenges u may take: the
// pool's first factors that u has (a password, an email address or phone
// number, a passkey). Where the pool requires MFA, or u has MFA set up,
// Cognito offers only the password. A user that does not exist (u nil)
// is offered the password, as one without other factors would be.
func (s *Server) availableChallenges(u *user) []string {
	var out []string
	if slices.Contains(s.firstFactors, factorPassword) && (u == nil || u.srpVerifier != nil) {
		out = append(out, challengePassword, challengePasswordSRP)
	}
	if u == nil || s.mfa == MFAOn || s.mfaChallenge(u) != "" {
		return out
	}
	for _, ch := range []string{challengeEmailOTP, challengeSMSOTP} {
		if slices.Contains(s.firstFactors, ch) && u.attrs[otpChannel[ch]] != "" {
			out = append(out, ch)
		}
	}
	if slices.Contains(s.firstFactors, factorWebAuthn) && len(u.passkeys) > 0 {
		out = append(out, challengeWebAuthn)
	}
	return out
}

// selectChallenge opens the SELECT_CHALLENGE session listing available.
// For a user that does not exist the session names nobody, so every
// answer to it fails as a wrong one would.
func (s *Server) selectChallenge(client *Client, u *user, name string, available []string) authOutput {
	sess := &authSession{challenge: challengeSelect, clientID: client.ID, validity: client.AuthSessionValidity, username: name, available: available, source: sourceTokenAuthentication}
	if u != nil {
		sess.username, sess.sub = u.username, u.sub()
	}
	return authOutput{
		ChallengeName:       challengeSelect,
		Session:             s.users.openSession(sess),
		ChallengeParameters: map[string]string{},
		AvailableChallenges: available,
	}
}

// startChallenge takes u into one of their available challenges: a
// password proves itself at once (PASSWORD, or PASSWORD_SRP's verifier),
// a one-time code is sent, a passkey is asked for.
func (s *Server) startChallenge(ctx context.Context, client *Client, u *user, challenge string, params, metadata map[string]string) (authOutput, error) {
	switch challenge {
	case challengePassword:
		return s.passwordAuth(ctx, client, params, metadata)
	case challengePasswordSRP:
		return s.srpAuth(client, params)
	case challengeWebAuthn:
		return s.webAuthnChallenge(client, u)
	}
	if u.disabled {
		return authOutput{}, userDisabled()
	}
	return s.sendOTP(ctx, client, u, challenge, metadata)
}

// sendOTP sends a one-time code to the channel of challenge and opens the
// session that waits for it; the code lasts as long as the session.
func (s *Server) sendOTP(ctx context.Context, client *Client, u *user, challenge string, metadata map[string]string) (authOutput, error) {
	code := newOTP()
	to := deliveryTo(otpChannel[challenge], u.attrs[otpChannel[challenge]])
	snap, err := s.users.update(bySub(u.username, u.sub()), func(u *user, _ userTx) error {
		u.lastCode = code
		return nil
	})
	if err != nil {
		return authOutput{}, invalidSession()
	}
	if err := s.send(ctx, message{source: sourceCustomMessageAuthentication, clientID: client.ID, user: snap, to: to, code: code, metadata: metadata}); err != nil {
		return authOutput{}, err
	}
	id := s.users.openSession(&authSession{challenge: challenge, clientID: client.ID, validity: client.AuthSessionValidity, username: u.username, sub: u.sub(), code: code, source: sourceTokenAuthentication})
	return authOutput{
		ChallengeName: challenge,
		Session:       id,
		ChallengeParameters: map[string]string{
			"CODE_DELIVERY_DELIVERY_MEDIUM": to.medium,
			"CODE_DELIVERY_DESTINATION":     mask(to.attr, to.destination),
		},
	}, nil
}

// newOTP is a one-time sign-in code.
func newOTP() string {
	b := make([]byte, otpDigits)
	for i := range b {
		b[i] = pick("0123456789")
	}
	return string(b)
}

// answerSelectChallenge answers SELECT_CHALLENGE: ANSWER names one of the
// session's available challenges, which starts (or, for a password given
// along with it, completes) in the session's place.
func (s *Server) answerSelectChallenge(ctx context.Context, client *Client, in respondToAuthChallengeInput) (authOutput, error) {
	resp := in.ChallengeResponses
	if err := checkParams(client, resp, "USERNAME", "ANSWER"); err != nil {
		return authOutput{}, err
	}
	answer := resp["ANSWER"]
	u, err := s.users.withSession(in.Session, challengeSelect, client.ID, resp["USERNAME"], func(x *authSession, _ *user, tx userTx) error {
		if !slices.Contains(x.available, answer) {
			return invalidParameter("ANSWER %q is not one of the available challenges %v", answer, x.available)
		}
		tx.closeSession(in.Session)
		return nil
	})
	unknown := err != nil && !client.LegacyUserExistenceErrors && s.users.find(byName(resp["USERNAME"])) == nil
	if unknown && (answer == challengePassword || answer == challengePasswordSRP) {
		// A session of a name that is no user (availableChallenges): the
		// password flows answer as they do for any unknown name.
		return s.startChallenge(ctx, client, nil, answer, resp, in.ClientMetadata)
	}
	if err != nil {
		return authOutput{}, err
	}
	return s.startChallenge(ctx, client, u, answer, resp, in.ClientMetadata)
}

// answerOTP answers EMAIL_OTP and SMS_OTP with the code sent. A wrong
// code counts against the session, which ends at the limit; the right one
// verifies the channel it went to (and so confirms an unconfirmed user,
// as Cognito documents) and signs the user in.
func (s *Server) answerOTP(ctx context.Context, client *Client, in respondToAuthChallengeInput) (authOutput, error) {
	key := in.ChallengeName + "_CODE"
	resp := in.ChallengeResponses
	if err := checkParams(client, resp, "USERNAME", key); err != nil {
		return authOutput{}, err
	}
	return s.finishChallenge(ctx, client, in, func(sess *authSession, u *user, tx userTx) error {
		if subtle.ConstantTimeCompare([]byte(sess.code), []byte(resp[key])) != 1 {
			if sess.failures++; sess.failures >= maxCodeRetries {
				tx.closeSession(in.Session)
			}
			return apiError(errCodeMismatch, "Invalid code or auth state for the user.")
		}
		if u.disabled {
			return userDisabled()
		}
		verified := map[string]string{attrEmail: attrEmailVerified, attrPhone: attrPhoneVerified}[otpChannel[in.ChallengeName]]
		u.attrs[verified] = "true"
		if u.status == statusUnconfirmed {
			u.status = statusConfirmed
		}
		u.modified = s.now()
		return nil
	})
}

type getUserAuthFactorsOutput struct {
	Username                  string   `json:"Username"`
	ConfiguredUserAuthFactors []string `json:"ConfiguredUserAuthFactors"`
	mfaOutput
}

// getUserAuthFactors lists the sign-in factors a signed-in user has: the
// first factors available to them and their MFA settings.
func (s *Server) getUserAuthFactors(_ context.Context, in accessTokenInput) (getUserAuthFactorsOutput, error) {
	call, err := s.asUser(in.AccessToken)
	if err != nil {
		return getUserAuthFactorsOutput{}, err
	}
	u, err := call.user()
	if err != nil {
		return getUserAuthFactorsOutput{}, err
	}
	factors := []string{}
	for _, ch := range s.availableChallenges(u) {
		if ch != challengePasswordSRP {
			factors = append(factors, ch)
		}
	}
	return getUserAuthFactorsOutput{Username: u.username, ConfiguredUserAuthFactors: factors, mfaOutput: u.mfaOutput()}, nil
}
