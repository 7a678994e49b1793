package localcognito

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"
)

// resetCodeValidity is how long a password reset code can be used: Cognito
// documents one hour, where sign-up codes last a day.
const resetCodeValidity = time.Hour

func userDisabled() error { return apiError(errNotAuthorized, "User is disabled.") }

func passwordResetRequired() error {
	return apiError(errPasswordResetRequired, "Password reset required for the user")
}

// recoveryChannel is where a password reset code for u goes: the first
// mechanism of the pool's AccountRecoverySetting whose attribute u has
// verified.
func (p *pool) recoveryChannel(u *user) (delivery, bool) {
	for _, r := range p.recovery {
		attr := attrEmail
		switch r {
		case RecoverVerifiedPhone:
			attr = attrPhone
		case RecoverAdminOnly:
			return delivery{}, false
		}
		if u.attrs[attr] != "" && u.attrs[verifiedFlag[attr]] == "true" {
			return deliveryTo(attr, u.attrs[attr]), true
		}
	}
	return delivery{}, false
}

type forgotPasswordInput struct {
	ClientID       string            `json:"ClientId"`
	SecretHash     string            `json:"SecretHash"`
	Username       string            `json:"Username"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// forgotPassword sends a password reset code through the user's verified
// channel.
func (s *Server) forgotPassword(ctx context.Context, in forgotPasswordInput) (codeDeliveryOutput, error) {
	call, err := s.asClient(in.ClientID, in.Username, in.SecretHash)
	if err != nil {
		return codeDeliveryOutput{}, err
	}
	d, err := s.startPasswordReset(ctx, call.client, in.Username, in.ClientMetadata)
	if err != nil {
		return codeDeliveryOutput{}, err
	}
	return codeDeliveryOutput{CodeDeliveryDetails: d}, nil
}

// combinationNotFound is how the password reset operations of a LEGACY
// client answer for a name that is no user.
func combinationNotFound() error {
	return apiError(errUserNotFound, "Username/client id combination not found.")
}

// startPasswordReset sends the user called name (a username or sign-in
// alias) a password reset code, as ForgotPassword does through client,
// whose secret hash the caller has checked. For a name that is not a user
// it answers where a code would have gone, unless the client reveals
// user existence.
func (s *Server) startPasswordReset(ctx context.Context, client *Client, name string, metadata map[string]string) (*codeDeliveryDetails, error) {
	var to delivery
	u, err := s.users.update(byName(name), func(u *user, _ userTx) error {
		if u.disabled {
			return userDisabled()
		}
		if u.status == statusForceChange {
			// An invited user has no password of their own to reset yet.
			return apiError(errNotAuthorized, "User password cannot be reset in the current state.")
		}
		var ok bool
		if to, ok = s.recoveryChannel(u); !ok {
			return invalidParameter("Cannot reset password for the user as there is no registered/verified email or phone_number")
		}
		s.newResetCode(u, to)
		return nil
	})
	switch {
	case errors.Is(err, errNoUser) && client.LegacyUserExistenceErrors:
		return nil, combinationNotFound()
	case errors.Is(err, errNoUser):
		return s.simulatedDelivery(name), nil
	case err != nil:
		return nil, err
	}
	err = s.send(ctx, message{
		source: sourceCustomMessageForgot, clientID: client.ID, user: u, to: to,
		code: u.reset.value, signInName: name, metadata: metadata,
	})
	if err != nil {
		return nil, err
	}
	return to.details(), nil
}

// newResetCode gives u a new password reset code sent to to; the last one
// stops working.
func (s *Server) newResetCode(u *user, to delivery) {
	code := newCode()
	u.reset = pendingCode{value: code, attr: to.attr, dest: to.destination, expires: s.now().Add(resetCodeValidity)}
	u.lastCode = code
}

type confirmForgotPasswordInput struct {
	ClientID         string            `json:"ClientId"`
	SecretHash       string            `json:"SecretHash"`
	Username         string            `json:"Username"`
	ConfirmationCode string            `json:"ConfirmationCode"`
	Password         string            `json:"Password"`
	ClientMetadata   map[string]string `json:"ClientMetadata"`
}

// confirmForgotPassword sets a new password with a reset code.
func (s *Server) confirmForgotPassword(ctx context.Context, in confirmForgotPasswordInput) (empty, error) {
	call, err := s.asClient(in.ClientID, in.Username, in.SecretHash,
		need("confirmationCode", in.ConfirmationCode), need("password", in.Password),
		then(checkPasswordShape("password", in.Password)))
	if err != nil {
		return empty{}, err
	}
	return empty{}, s.finishPasswordReset(ctx, call.client, in.Username, in.ConfirmationCode, in.Password, in.ClientMetadata)
}

// finishPasswordReset sets the password of the user called name with the
// code startPasswordReset sent them, as ConfirmForgotPassword does
// through client. A wrong code counts against the code (checkCode); a
// password the policy refuses does not.
func (s *Server) finishPasswordReset(ctx context.Context, client *Client, name, code, password string, metadata map[string]string) error {
	if err := s.policy.check(password); err != nil {
		return err
	}
	u, err := s.users.update(byName(name), func(u *user, _ userTx) error {
		if u.disabled {
			return userDisabled()
		}
		if err := s.checkCode(&u.reset, code, attemptLimitExceeded); err != nil {
			return err
		}
		s.setPassword(u, password)
		if u.status == statusResetRequired {
			u.status = statusConfirmed
		}
		u.reset = pendingCode{}
		u.failures = failureCounts{}
		u.modified = s.now()
		return nil
	})
	switch {
	case errors.Is(err, errNoUser) && client.LegacyUserExistenceErrors:
		return combinationNotFound()
	case errors.Is(err, errNoUser):
		return codeMismatch()
	case err != nil:
		return err
	}
	return s.postConfirmationFrom(ctx, sourcePostConfirmationForgot, client.ID, u, metadata)
}

type changePasswordInput struct {
	AccessToken      string `json:"AccessToken"`
	PreviousPassword string `json:"PreviousPassword"`
	ProposedPassword string `json:"ProposedPassword"`
}

// changePassword lets a signed-in user change their password; sessions
// stay signed in, as in Cognito.
func (s *Server) changePassword(_ context.Context, in changePasswordInput) (empty, error) {
	checks := []check{need("proposedPassword", in.ProposedPassword), then(checkPasswordShape("proposedPassword", in.ProposedPassword))}
	if in.PreviousPassword != "" {
		checks = append(checks, then(checkPasswordShape("previousPassword", in.PreviousPassword)))
	}
	call, err := s.asUser(in.AccessToken, checks...)
	if err != nil {
		return empty{}, err
	}
	now := s.now()
	_, err = call.update(func(u *user, _ userTx) error {
		switch {
		case u.failures.changePassword.blocked(now):
			return attemptLimitExceeded()
		case in.PreviousPassword == "":
			return missingParameter("PreviousPassword")
		case !u.passwordMatches(in.PreviousPassword):
			u.failures.changePassword.fail(now)
			return incorrectCredentials()
		}
		if err := s.policy.check(in.ProposedPassword); err != nil {
			return err
		}
		s.setPassword(u, in.ProposedPassword)
		u.failures.changePassword.succeed()
		u.modified = now
		return nil
	})
	return empty{}, err
}

type attributeVerificationCodeInput struct {
	AccessToken    string            `json:"AccessToken"`
	AttributeName  string            `json:"AttributeName"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// checkVerifiable refuses an attribute that has no verification: only
// email addresses and phone numbers are verified with a code.
func checkVerifiable(name string) error {
	if name != attrEmail && name != attrPhone {
		return invalidParameter("Invalid attribute name: %s cannot be verified. Only email and phone_number can be verified.", name)
	}
	return nil
}

// getUserAttributeVerificationCode sends a signed-in user a code to verify
// their email address or phone number: the value waiting to take effect
// where the pool keeps the original until verification, else the current
// one.
func (s *Server) getUserAttributeVerificationCode(ctx context.Context, in attributeVerificationCodeInput) (codeDeliveryOutput, error) {
	call, err := s.asUser(in.AccessToken, need("attributeName", in.AttributeName), then(checkVerifiable(in.AttributeName)))
	if err != nil {
		return codeDeliveryOutput{}, err
	}
	client, err := call.client()
	if err != nil {
		return codeDeliveryOutput{}, err
	}
	var to delivery
	u, err := call.update(func(u *user, _ userTx) error {
		dest := u.pending[in.AttributeName]
		if dest == "" {
			dest = u.attrs[in.AttributeName]
		}
		if dest == "" {
			return invalidParameter("User does not have a value for the attribute: %s", in.AttributeName)
		}
		to = deliveryTo(in.AttributeName, dest)
		u.code = pendingCode{value: newCode(), attr: to.attr, dest: dest, expires: s.now().Add(codeValidity)}
		u.lastCode = u.code.value
		return nil
	})
	if err != nil {
		return codeDeliveryOutput{}, err
	}
	err = s.send(ctx, message{
		source: sourceCustomMessageVerify, clientID: client.ID, user: u, to: to,
		code: u.code.value, signInName: u.username, metadata: in.ClientMetadata,
	})
	if err != nil {
		return codeDeliveryOutput{}, err
	}
	return codeDeliveryOutput{CodeDeliveryDetails: to.details()}, nil
}

type verifyUserAttributeInput struct {
	AccessToken   string `json:"AccessToken"`
	AttributeName string `json:"AttributeName"`
	Code          string `json:"Code"`
}

// verifyUserAttribute verifies an email address or phone number with the
// code sent to it. A changed value waiting for its code takes effect now,
// unless another user has it as a sign-in name (AliasExistsException).
func (s *Server) verifyUserAttribute(_ context.Context, in verifyUserAttributeInput) (empty, error) {
	call, err := s.asUser(in.AccessToken, need("attributeName", in.AttributeName), need("code", in.Code),
		then(checkVerifiable(in.AttributeName)))
	if err != nil {
		return empty{}, err
	}
	_, err = call.update(func(u *user, tx userTx) error {
		if !u.code.spent && u.code.attr != in.AttributeName {
			// No code was sent for this attribute (the last one was for the
			// other), so there is nothing this code could match.
			return expiredCode()
		}
		if err := s.checkCode(&u.code, in.Code, attemptLimitExceeded); err != nil {
			return err
		}
		name, dest := in.AttributeName, u.code.dest
		next := maps.Clone(u.attrs)
		switch {
		case u.pending[name] == dest:
			next[name] = dest
		case u.attrs[name] != dest:
			// The attribute changed since the code was sent.
			u.code = pendingCode{}
			return expiredCode()
		}
		next[verifiedFlag[name]] = "true"
		if err := tx.conflict(&user{username: u.username, attrs: next}, "", false); err != nil {
			return err
		}
		u.attrs = next
		delete(u.pending, name)
		u.code = pendingCode{}
		u.modified = s.now()
		return nil
	})
	return empty{}, err
}

type deleteUserAttributesInput struct {
	AccessToken        string   `json:"AccessToken"`
	UserAttributeNames []string `json:"UserAttributeNames"`
}

// deleteUserAttributes lets a signed-in user delete attributes their app
// client may write. Deleting an email address or phone number deletes its
// verified flag and any change waiting for a code.
func (s *Server) deleteUserAttributes(_ context.Context, in deleteUserAttributesInput) (empty, error) {
	call, err := s.asUser(in.AccessToken, want(in.UserAttributeNames != nil, "userAttributeNames", "Member must not be null"))
	if err != nil {
		return empty{}, err
	}
	client, err := call.client()
	if err != nil {
		return empty{}, err
	}
	for _, name := range in.UserAttributeNames {
		switch {
		case name == attrSub:
			return empty{}, invalidParameter("Attributes did not conform to the schema: sub: Attribute cannot be updated. (changing an immutable attribute)")
		case !s.schema[name]:
			return empty{}, invalidParameter("Attributes did not conform to the schema: %s: Attribute does not exist in the schema.\n", name)
		case !client.canWrite(name):
			return empty{}, apiError(errNotAuthorized, "A client attempted to write unauthorized attribute")
		}
	}
	_, err = call.update(func(u *user, _ userTx) error { return s.dropAttributes(u, in.UserAttributeNames) })
	return empty{}, err
}

// dropAttributes deletes attributes of u, with the verified flags and
// pending changes of those deleted.
func (s *Server) dropAttributes(u *user, names []string) error {
	next := maps.Clone(u.attrs)
	pending := maps.Clone(u.pending)
	for _, name := range names {
		delete(next, name)
		if flag, ok := verifiedFlag[name]; ok {
			delete(next, flag)
			delete(pending, name)
		}
	}
	if err := s.checkRequired(next); err != nil {
		return err
	}
	if s.usernameIsAttribute() && !slices.ContainsFunc(s.usernameAttrs, func(a string) bool { return next[a] != "" }) {
		// The user would have no name left to sign in with.
		return invalidParameter("Attributes did not conform to the schema: the user must keep an email address or phone number to sign in with")
	}
	u.attrs, u.pending = next, pending
	if u.code.attr != "" && next[u.code.attr] == "" && pending[u.code.attr] == "" {
		u.code = pendingCode{}
	}
	u.modified = s.now()
	return nil
}

type adminResetUserPasswordInput struct {
	UserPoolID     string            `json:"UserPoolId"`
	Username       string            `json:"Username"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// adminResetUserPassword deactivates a user's password: signing in answers
// PasswordResetRequiredException until they set a new one with the code
// sent through their verified channel (ForgotPassword sends another).
func (s *Server) adminResetUserPassword(ctx context.Context, in adminResetUserPasswordInput) (empty, error) {
	call, err := s.asAdmin(in.UserPoolID, in.Username)
	if err != nil {
		return empty{}, err
	}
	var (
		to      delivery
		sending bool
	)
	u, err := call.update(func(u *user, _ userTx) error {
		if u.status == statusUnconfirmed {
			return apiError(errNotAuthorized, "User password cannot be reset in the current state.")
		}
		u.status = statusResetRequired
		u.hash, u.salt, u.srpSalt, u.srpVerifier = nil, nil, nil, nil
		u.tempExpires = time.Time{}
		u.modified = s.now()
		if to, sending = s.recoveryChannel(u); sending {
			s.newResetCode(u, to)
		}
		return nil
	})
	if err != nil || !sending {
		return empty{}, err
	}
	return empty{}, s.send(ctx, message{
		source: sourceCustomMessageForgot, clientID: clientIDNotApplicable, user: u, to: to,
		code: u.reset.value, signInName: in.Username, metadata: in.ClientMetadata,
	})
}

// adminUserGlobalSignOut signs a user out of every session, as
// GlobalSignOut does for the user themselves.
func (s *Server) adminUserGlobalSignOut(_ context.Context, in adminUserInput) (empty, error) {
	return s.adminChange(in, func(u *user, tx userTx) { tx.signOut(u) })
}

// adminDisableUser deactivates a user: they cannot sign in, and their
// tokens are revoked.
func (s *Server) adminDisableUser(_ context.Context, in adminUserInput) (empty, error) {
	return s.adminChange(in, func(u *user, tx userTx) {
		u.disabled = true
		u.modified = s.now()
		tx.signOut(u)
	})
}

// adminEnableUser lets a disabled user sign in again.
func (s *Server) adminEnableUser(_ context.Context, in adminUserInput) (empty, error) {
	return s.adminChange(in, func(u *user, _ userTx) {
		u.disabled = false
		u.modified = s.now()
	})
}

// adminChange applies a change that cannot fail to the user an admin
// operation names.
func (s *Server) adminChange(in adminUserInput, change func(u *user, tx userTx)) (empty, error) {
	call, err := s.asAdmin(in.UserPoolID, in.Username)
	if err != nil {
		return empty{}, err
	}
	_, err = call.update(func(u *user, tx userTx) error {
		change(u, tx)
		return nil
	})
	return empty{}, err
}
