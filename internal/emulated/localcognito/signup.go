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
	call, err := s.asClient(in.ClientID, in.Username, in.SecretHash,
		need("password", in.Password), then(checkPasswordShape("password", in.Password)))
	if err != nil {
		return signUpOutput{}, err
	}
	client := call.client
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
	// check is repeated when the user is stored.
	if err := s.users.checkFree(u, signInAttr, false); err != nil {
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
	to, sending := s.prepareSignUp(u)
	if err := s.users.add(u, signInAttr, false); err != nil {
		return signUpOutput{}, err
	}
	out := signUpOutput{UserConfirmed: u.status == statusConfirmed, UserSub: u.sub()}
	// A user confirmed by the trigger is confirmed at sign-up, and Cognito
	// runs the post confirmation trigger then. Like Cognito, a failing
	// trigger fails the call but does not undo the sign-up.
	if out.UserConfirmed {
		if err := s.postConfirmation(ctx, client.ID, u.snapshot(), in.ClientMetadata); err != nil {
			return signUpOutput{}, err
		}
	}
	if sending {
		out.CodeDeliveryDetails = to.details()
		err := s.send(ctx, message{
			source: sourceCustomMessageSignUp, clientID: client.ID, user: u.snapshot(), to: to,
			code: u.lastCode, signInName: in.Username, metadata: in.ClientMetadata,
		})
		if err != nil {
			return signUpOutput{}, err
		}
	}
	return out, nil
}

// prepareSignUp readies a new user for the store: dates, unverified
// contacts, and for an unconfirmed user the code that confirms them, with
// where it goes (sending false for none).
func (s *Server) prepareSignUp(u *user) (to delivery, sending bool) {
	now := s.now()
	u.created, u.modified = now, now
	markUnverified(u.attrs)
	if u.status == statusUnconfirmed {
		if to, sending = s.verificationChannel(u); sending {
			u.code = pendingCode{value: newCode(), attr: to.attr, dest: to.destination, expires: now.Add(codeValidity)}
			u.lastCode = u.code.value
		}
	}
	return to, sending
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
	call, err := s.asClient(in.ClientID, in.Username, in.SecretHash, need("confirmationCode", in.ConfirmationCode))
	if err != nil {
		return empty{}, err
	}
	// With user existence errors prevented, an unknown user looks like a
	// user whose code has expired.
	u, err := call.update(expiredCode(), func(u *user, _ userTx) error {
		if u.status != statusUnconfirmed {
			return apiError(errNotAuthorized, "User cannot be confirmed. Current status is %s", u.status)
		}
		if err := s.checkCode(&u.code, in.ConfirmationCode, tooManyFailedAttempts); err != nil {
			return err
		}
		s.confirm(u, true)
		return nil
	})
	if err != nil {
		return empty{}, err
	}
	return empty{}, s.postConfirmation(ctx, call.client.ID, u, in.ClientMetadata)
}

func expiredCode() error {
	return apiError(errExpiredCode, "Invalid code provided, please request a code again.")
}

// confirm moves u to CONFIRMED; withCode also verifies the attribute the
// pending code was sent to.
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
	call, err := s.asClient(in.ClientID, in.Username, in.SecretHash)
	if err != nil {
		return codeDeliveryOutput{}, err
	}
	var to delivery
	u, err := call.update(nil, func(u *user, _ userTx) error {
		if u.status != statusUnconfirmed {
			return invalidParameter("User is already confirmed.")
		}
		var ok bool
		if to, ok = s.verificationChannel(u); !ok {
			return invalidParameter("Cannot resend codes. Auto verification not turned on.")
		}
		u.code = pendingCode{value: newCode(), attr: to.attr, dest: to.destination, expires: s.now().Add(codeValidity)}
		u.lastCode = u.code.value
		return nil
	})
	switch {
	case err != nil:
		return codeDeliveryOutput{}, err
	case u == nil:
		// With user existence errors prevented, Cognito pretends to send a
		// code to whatever the name looks like.
		return codeDeliveryOutput{CodeDeliveryDetails: s.simulatedDelivery(in.Username)}, nil
	}
	err = s.send(ctx, message{
		source: sourceCustomMessageResendCode, clientID: call.client.ID, user: u, to: to,
		code: u.code.value, signInName: in.Username, metadata: in.ClientMetadata,
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
	call, err := s.asAdmin(in.UserPoolID, in.Username)
	if err != nil {
		return empty{}, err
	}
	u, err := call.update(func(u *user, _ userTx) error {
		if u.status != statusUnconfirmed {
			return apiError(errNotAuthorized, "User cannot be confirmed. Current status is %s", u.status)
		}
		s.confirm(u, false)
		return nil
	})
	if err != nil {
		return empty{}, err
	}
	return empty{}, s.postConfirmation(ctx, clientIDNotApplicable, u, in.ClientMetadata)
}
