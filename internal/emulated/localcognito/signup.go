package localcognito

import (
	"context"
	"slices"
)

type signUpInput struct {
	ClientID       string            `json:"ClientId"`
	SecretHash     string            `json:"SecretHash"`
	Username       string            `json:"Username"`
	Password       string            `json:"Password"`
	UserAttributes []attribute       `json:"UserAttributes"`
	ValidationData []attribute       `json:"ValidationData"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

type signUpOutput struct {
	UserConfirmed       bool                 `json:"UserConfirmed"`
	UserSub             string               `json:"UserSub"`
	CodeDeliveryDetails *codeDeliveryDetails `json:"CodeDeliveryDetails,omitempty"`
}

// signUp registers a user. The pre sign-up trigger may refuse the user or
// confirm them at once; otherwise a code goes to the auto-verified
// attribute, or, in a pool without one, the user waits for an
// administrator to confirm them.
func (s *Server) signUp(ctx context.Context, in signUpInput) (signUpOutput, error) {
	var v validation
	v.required("clientId", in.ClientID)
	v.required("username", in.Username)
	v.required("password", in.Password)
	if err := v.err(); err != nil {
		return signUpOutput{}, err
	}
	if err := checkPasswordShape("password", in.Password); err != nil {
		return signUpOutput{}, err
	}
	client, err := s.signedClient(in.ClientID, in.Username, in.SecretHash)
	if err != nil {
		return signUpOutput{}, err
	}
	if err := checkClientWrites(client, in.UserAttributes); err != nil {
		return signUpOutput{}, err
	}
	u, signInAttr, err := s.newUser(in.Username, in.UserAttributes, byClient)
	if err != nil {
		return signUpOutput{}, err
	}
	if err := s.policy.check(in.Password); err != nil {
		return signUpOutput{}, err
	}
	u.status = statusUnconfirmed
	s.setPassword(u, in.Password)

	// Refuse a taken name before running the trigger, as Cognito does; the
	// check is repeated when the user is stored, since the lock is not held
	// while the trigger runs.
	s.mu.Lock()
	err = s.conflict(u, signInAttr, false)
	s.mu.Unlock()
	if err != nil {
		return signUpOutput{}, err
	}

	resp, err := s.preSignUp(ctx, sourcePreSignUp, client.ID, u, in.ValidationData, in.ClientMetadata)
	if err != nil {
		return signUpOutput{}, err
	}
	if resp.AutoVerifyEmail && u.attrs[attrEmail] != "" {
		u.attrs[attrEmailVerified] = "true"
	}
	if resp.AutoVerifyPhone && u.attrs[attrPhone] != "" {
		u.attrs[attrPhoneVerified] = "true"
	}
	if resp.AutoConfirmUser {
		u.status = statusConfirmed
	}

	s.mu.Lock()
	if err := s.conflict(u, signInAttr, false); err != nil {
		s.mu.Unlock()
		return signUpOutput{}, err
	}
	now := s.now()
	u.created, u.modified = now, now
	markUnverified(u.attrs)
	var (
		to      delivery
		sending bool
	)
	if u.status == statusUnconfirmed {
		to, sending = s.verificationChannel(u)
		if sending {
			u.code = pendingCode{value: newCode(), attr: to.attr, dest: to.destination, expires: now.Add(codeValidity)}
			u.lastCode = u.code.value
		}
	}
	s.store(u)
	snap, code := u.snapshot(), u.code.value
	s.mu.Unlock()

	out := signUpOutput{UserConfirmed: snap.status == statusConfirmed, UserSub: snap.sub()}
	// A user confirmed by the trigger is confirmed at sign-up, and Cognito
	// runs the post confirmation trigger then. Like Cognito, a failing
	// trigger fails the call but does not undo the sign-up.
	if out.UserConfirmed {
		if err := s.postConfirmation(ctx, client.ID, snap, in.ClientMetadata); err != nil {
			return signUpOutput{}, err
		}
	}
	if sending {
		out.CodeDeliveryDetails = to.details()
		err := s.send(ctx, message{
			source: sourceCustomMessageSignUp, clientID: client.ID, user: snap, to: to,
			code: code, signInName: in.Username, metadata: in.ClientMetadata,
		})
		if err != nil {
			return signUpOutput{}, err
		}
	}
	return out, nil
}

// newUser validates a new user's name and attributes. In a
// username-attribute pool the username is a fresh UUID, the same as the
// sub, and the name given is the email or phone number it stands for.
func (s *Server) newUser(name string, attrs []attribute, by writer) (*user, string, error) {
	m, err := s.checkAttributes(attrs, by)
	if err != nil {
		return nil, "", err
	}
	signInAttr, err := s.signInName(name, m)
	if err != nil {
		return nil, "", err
	}
	if err := s.checkRequired(m); err != nil {
		return nil, "", err
	}
	sub := newUUID()
	m[attrSub] = sub
	username := name
	if s.usernameIsAttribute() {
		username = sub
	}
	return &user{username: username, attrs: m}, signInAttr, nil
}

// markUnverified records an email address or phone number as unverified
// unless it is marked already, as Cognito does when it stores a new user:
// tokens and GetUser then show email_verified false rather than nothing.
func markUnverified(attrs map[string]string) {
	for attr, verified := range map[string]string{attrEmail: attrEmailVerified, attrPhone: attrPhoneVerified} {
		if _, ok := attrs[verified]; !ok && attrs[attr] != "" {
			attrs[verified] = "false"
		}
	}
}

type confirmSignUpInput struct {
	ClientID           string            `json:"ClientId"`
	SecretHash         string            `json:"SecretHash"`
	Username           string            `json:"Username"`
	ConfirmationCode   string            `json:"ConfirmationCode"`
	ForceAliasCreation bool              `json:"ForceAliasCreation"`
	ClientMetadata     map[string]string `json:"ClientMetadata"`
}

type empty struct{}

// confirmSignUp confirms a user with the code sent at sign-up, which also
// verifies the attribute it was sent to.
func (s *Server) confirmSignUp(ctx context.Context, in confirmSignUpInput) (empty, error) {
	var v validation
	v.required("clientId", in.ClientID)
	v.required("username", in.Username)
	v.required("confirmationCode", in.ConfirmationCode)
	if err := v.err(); err != nil {
		return empty{}, err
	}
	client, err := s.signedClient(in.ClientID, in.Username, in.SecretHash)
	if err != nil {
		return empty{}, err
	}

	s.mu.Lock()
	u := s.lookup(in.Username)
	switch {
	case u == nil && client.LegacyUserExistenceErrors:
		s.mu.Unlock()
		return empty{}, userNotFound()
	case u == nil:
		// With user existence errors prevented, an unknown user looks like
		// a user whose code has expired.
		s.mu.Unlock()
		return empty{}, expiredCode()
	case u.status != statusUnconfirmed:
		s.mu.Unlock()
		return empty{}, apiError(errNotAuthorized, "User cannot be confirmed. Current status is %s", u.status)
	}
	if err := s.checkCode(&u.code, in.ConfirmationCode, tooManyFailedAttempts); err != nil {
		s.mu.Unlock()
		return empty{}, err
	}
	s.confirm(u, true)
	snap := u.snapshot()
	s.mu.Unlock()

	return empty{}, s.postConfirmation(ctx, client.ID, snap, in.ClientMetadata)
}

func expiredCode() error {
	return apiError(errExpiredCode, "Invalid code provided, please request a code again.")
}

// confirm moves u to CONFIRMED; withCode also verifies the attribute the
// pending code was sent to. The caller holds s.mu.
func (s *Server) confirm(u *user, withCode bool) {
	if withCode {
		switch u.code.attr {
		case attrEmail:
			u.attrs[attrEmailVerified] = "true"
		case attrPhone:
			u.attrs[attrPhoneVerified] = "true"
		}
	}
	u.status = statusConfirmed
	u.code = pendingCode{}
	u.modified = s.now()
}

type resendConfirmationCodeInput struct {
	ClientID       string            `json:"ClientId"`
	SecretHash     string            `json:"SecretHash"`
	Username       string            `json:"Username"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

type codeDeliveryOutput struct {
	CodeDeliveryDetails *codeDeliveryDetails `json:"CodeDeliveryDetails"`
}

// resendConfirmationCode sends an unconfirmed user a new code; the old one
// stops working.
func (s *Server) resendConfirmationCode(ctx context.Context, in resendConfirmationCodeInput) (codeDeliveryOutput, error) {
	var v validation
	v.required("clientId", in.ClientID)
	v.required("username", in.Username)
	if err := v.err(); err != nil {
		return codeDeliveryOutput{}, err
	}
	client, err := s.signedClient(in.ClientID, in.Username, in.SecretHash)
	if err != nil {
		return codeDeliveryOutput{}, err
	}

	s.mu.Lock()
	u := s.lookup(in.Username)
	if u == nil && client.LegacyUserExistenceErrors {
		s.mu.Unlock()
		return codeDeliveryOutput{}, userNotFound()
	}
	if u == nil {
		s.mu.Unlock()
		// With user existence errors prevented, Cognito pretends to send a
		// code to whatever the name looks like.
		return codeDeliveryOutput{CodeDeliveryDetails: s.simulatedDelivery(in.Username)}, nil
	}
	if u.status != statusUnconfirmed {
		s.mu.Unlock()
		return codeDeliveryOutput{}, invalidParameter("User is already confirmed.")
	}
	to, ok := s.verificationChannel(u)
	if !ok {
		s.mu.Unlock()
		return codeDeliveryOutput{}, invalidParameter("Cannot resend codes. Auto verification not turned on.")
	}
	now := s.now()
	u.code = pendingCode{value: newCode(), attr: to.attr, dest: to.destination, expires: now.Add(codeValidity)}
	u.lastCode = u.code.value
	snap, code := u.snapshot(), u.code.value
	s.mu.Unlock()

	err = s.send(ctx, message{
		source: sourceCustomMessageResendCode, clientID: client.ID, user: snap, to: to,
		code: code, signInName: in.Username, metadata: in.ClientMetadata,
	})
	if err != nil {
		return codeDeliveryOutput{}, err
	}
	return codeDeliveryOutput{CodeDeliveryDetails: to.details()}, nil
}

// simulatedDelivery is the CodeDeliveryDetails answered for a user that
// does not exist: derived from the name when it is an email address or
// phone number, else from the pool's verification settings.
func (s *Server) simulatedDelivery(name string) *codeDeliveryDetails {
	switch {
	case emailPattern.MatchString(name):
		return deliveryTo(attrEmail, name).details()
	case phonePattern.MatchString(name):
		return deliveryTo(attrPhone, name).details()
	case slices.Contains(s.autoVerified, attrPhone):
		return deliveryTo(attrPhone, "+10000000000").details()
	default:
		return deliveryTo(attrEmail, name+"@"+name).details()
	}
}

type adminConfirmSignUpInput struct {
	UserPoolID     string            `json:"UserPoolId"`
	Username       string            `json:"Username"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// adminConfirmSignUp confirms a user without a code (the CLI sign-in flow's
// "aws cognito-idp admin-confirm-sign-up"). Nothing is verified.
func (s *Server) adminConfirmSignUp(ctx context.Context, in adminConfirmSignUpInput) (empty, error) {
	if err := s.checkPool(in.UserPoolID); err != nil {
		return empty{}, err
	}
	var v validation
	v.required("username", in.Username)
	if err := v.err(); err != nil {
		return empty{}, err
	}
	s.mu.Lock()
	u := s.lookup(in.Username)
	if u == nil {
		s.mu.Unlock()
		return empty{}, userNotFound()
	}
	if u.status != statusUnconfirmed {
		s.mu.Unlock()
		return empty{}, apiError(errNotAuthorized, "User cannot be confirmed. Current status is %s", u.status)
	}
	s.confirm(u, false)
	snap := u.snapshot()
	s.mu.Unlock()
	return empty{}, s.postConfirmation(ctx, clientIDNotApplicable, snap, in.ClientMetadata)
}
