package localcognito

import (
	"context"
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
	d, err := s.startPasswordReset(ctx, client, in.Username, in.ClientMetadata)
	if err != nil {
		return codeDeliveryOutput{}, err
	}
	return codeDeliveryOutput{CodeDeliveryDetails: d}, nil
}

// startPasswordReset sends the user called name (a username or sign-in
// alias) a password reset code, as ForgotPassword does through client,
// whose secret hash the caller has checked. For a name that is not a user
// it answers where a code would have gone, unless the client reveals
// user existence.
func (s *Server) startPasswordReset(ctx context.Context, client *Client, name string, metadata map[string]string) (*codeDeliveryDetails, error) {
	s.mu.Lock()
	u := s.lookup(name)
	if u == nil {
		s.mu.Unlock()
		if client.LegacyUserExistenceErrors {
			return nil, apiError(errUserNotFound, "Username/client id combination not found.")
		}
		return s.simulatedDelivery(name), nil
	}
	if u.disabled {
		s.mu.Unlock()
		return nil, userDisabled()
	}
	if u.status == statusForceChange {
		// An invited user has no password of their own to reset yet.
		s.mu.Unlock()
		return nil, apiError(errNotAuthorized, "User password cannot be reset in the current state.")
	}
	to, ok := s.recoveryChannel(u)
	if !ok {
		s.mu.Unlock()
		return nil, invalidParameter("Cannot reset password for the user as there is no registered/verified email or phone_number")
	}
	snap, code := s.newResetCode(u, to)
	s.mu.Unlock()

	err := s.send(ctx, message{
		source: sourceCustomMessageForgot, clientID: client.ID, user: snap, to: to,
		code: code, signInName: name, metadata: metadata,
	})
	if err != nil {
		return nil, err
	}
	return to.details(), nil
}

// newResetCode gives u a new password reset code sent to to; the last one
// stops working. The caller holds s.mu.
func (s *Server) newResetCode(u *user, to delivery) (snap *user, code string) {
	code = newCode()
	u.reset = pendingCode{value: code, attr: to.attr, dest: to.destination, expires: s.now().Add(resetCodeValidity)}
	u.lastCode = code
	return u.snapshot(), code
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
	var v validation
	v.required("clientId", in.ClientID)
	v.required("username", in.Username)
	v.required("confirmationCode", in.ConfirmationCode)
	v.required("password", in.Password)
	if err := v.err(); err != nil {
		return empty{}, err
	}
	if err := checkPasswordShape("password", in.Password); err != nil {
		return empty{}, err
	}
	client, err := s.signedClient(in.ClientID, in.Username, in.SecretHash)
	if err != nil {
		return empty{}, err
	}
	return empty{}, s.finishPasswordReset(ctx, client, in.Username, in.ConfirmationCode, in.Password, in.ClientMetadata)
}

// finishPasswordReset sets the password of the user called name with the
// code startPasswordReset sent them, as ConfirmForgotPassword does
// through client. A wrong code counts against the code (checkCode); a
// password the policy refuses does not.
func (s *Server) finishPasswordReset(ctx context.Context, client *Client, name, code, password string, metadata map[string]string) error {
	if err := s.policy.check(password); err != nil {
		return err
	}
	s.mu.Lock()
	u := s.lookup(name)
	if u == nil {
		s.mu.Unlock()
		if client.LegacyUserExistenceErrors {
			return apiError(errUserNotFound, "Username/client id combination not found.")
		}
		return codeMismatch()
	}
	if u.disabled {
		s.mu.Unlock()
		return userDisabled()
	}
	if err := s.checkCode(&u.reset, code, attemptLimitExceeded); err != nil {
		s.mu.Unlock()
		return err
	}
	s.setPassword(u, password)
	if u.status == statusResetRequired {
		u.status = statusConfirmed
	}
	u.reset = pendingCode{}
	u.failures = failureCounts{}
	u.modified = s.now()
	snap := u.snapshot()
	s.mu.Unlock()
	return s.postConfirmationFrom(ctx, sourcePostConfirmationForgot, client.ID, snap, metadata)
}

type changePasswordInput struct {
	AccessToken      string `json:"AccessToken"`
	PreviousPassword string `json:"PreviousPassword"`
	ProposedPassword string `json:"ProposedPassword"`
}

// changePassword lets a signed-in user change their password; sessions
// stay signed in, as in Cognito.
func (s *Server) changePassword(_ context.Context, in changePasswordInput) (empty, error) {
	var v validation
	v.required("accessToken", in.AccessToken)
	v.required("proposedPassword", in.ProposedPassword)
	if err := v.err(); err != nil {
		return empty{}, err
	}
	if err := checkPasswordShape("proposedPassword", in.ProposedPassword); err != nil {
		return empty{}, err
	}
	if in.PreviousPassword != "" {
		if err := checkPasswordShape("previousPassword", in.PreviousPassword); err != nil {
			return empty{}, err
		}
	}
	u, unlock, err := s.tokenUser(in.AccessToken)
	if err != nil {
		return empty{}, err
	}
	defer unlock()
	now := s.now()
	switch {
	case u.failures.changePassword.blocked(now):
		return empty{}, attemptLimitExceeded()
	case in.PreviousPassword == "":
		return empty{}, missingParameter("PreviousPassword")
	case !u.passwordMatches(in.PreviousPassword):
		u.failures.changePassword.fail(now)
		return empty{}, incorrectCredentials()
	}
	if err := s.policy.check(in.ProposedPassword); err != nil {
		return empty{}, err
	}
	s.setPassword(u, in.ProposedPassword)
	u.failures.changePassword.succeed()
	u.modified = now
	return empty{}, nil
}

// tokenClient returns the app client an access token was issued to.
func (s *Server) tokenClient(token string) (*Client, error) {
	var v validation
	v.required("accessToken", token)
	if err := v.err(); err != nil {
		return nil, err
	}
	c, err := s.verifyAccessToken(token)
	if err != nil {
		return nil, err
	}
	client, err := s.client(c.ClientID)
	if err != nil {
		// The client was deleted since the token was issued.
		return nil, apiError(errNotAuthorized, "Invalid Access Token")
	}
	return client, nil
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
	var v validation
	v.required("accessToken", in.AccessToken)
	v.required("attributeName", in.AttributeName)
	if err := v.err(); err != nil {
		return codeDeliveryOutput{}, err
	}
	if err := checkVerifiable(in.AttributeName); err != nil {
		return codeDeliveryOutput{}, err
	}
	client, err := s.tokenClient(in.AccessToken)
	if err != nil {
		return codeDeliveryOutput{}, err
	}
	u, unlock, err := s.tokenUser(in.AccessToken)
	if err != nil {
		return codeDeliveryOutput{}, err
	}
	dest := u.pending[in.AttributeName]
	if dest == "" {
		dest = u.attrs[in.AttributeName]
	}
	if dest == "" {
		unlock()
		return codeDeliveryOutput{}, invalidParameter("User does not have a value for the attribute: %s", in.AttributeName)
	}
	to := deliveryTo(in.AttributeName, dest)
	code := newCode()
	u.code = pendingCode{value: code, attr: to.attr, dest: dest, expires: s.now().Add(codeValidity)}
	u.lastCode = code
	snap := u.snapshot()
	unlock()

	err = s.send(ctx, message{
		source: sourceCustomMessageVerify, clientID: client.ID, user: snap, to: to,
		code: code, signInName: snap.username, metadata: in.ClientMetadata,
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
	var v validation
	v.required("accessToken", in.AccessToken)
	v.required("attributeName", in.AttributeName)
	v.required("code", in.Code)
	if err := v.err(); err != nil {
		return empty{}, err
	}
	if err := checkVerifiable(in.AttributeName); err != nil {
		return empty{}, err
	}
	u, unlock, err := s.tokenUser(in.AccessToken)
	if err != nil {
		return empty{}, err
	}
	defer unlock()
	if !u.code.spent && u.code.attr != in.AttributeName {
		// No code was sent for this attribute (the last one was for the
		// other), so there is nothing this code could match.
		return empty{}, expiredCode()
	}
	if err := s.checkCode(&u.code, in.Code, attemptLimitExceeded); err != nil {
		return empty{}, err
	}
	name, dest := in.AttributeName, u.code.dest
	next := maps.Clone(u.attrs)
	switch {
	case u.pending[name] == dest:
		next[name] = dest
	case u.attrs[name] != dest:
		// The attribute changed since the code was sent.
		u.code = pendingCode{}
		return empty{}, expiredCode()
	}
	next[verifiedFlag[name]] = "true"
	if err := s.conflict(&user{username: u.username, attrs: next}, "", false); err != nil {
		return empty{}, err
	}
	u.attrs = next
	delete(u.pending, name)
	u.code = pendingCode{}
	u.modified = s.now()
	s.store(u)
	return empty{}, nil
}

type deleteUserAttributesInput struct {
	AccessToken        string   `json:"AccessToken"`
	UserAttributeNames []string `json:"UserAttributeNames"`
}

// deleteUserAttributes lets a signed-in user delete attributes their app
// client may write. Deleting an email address or phone number deletes its
// verified flag and any change waiting for a code.
func (s *Server) deleteUserAttributes(_ context.Context, in deleteUserAttributesInput) (empty, error) {
	var v validation
	v.required("accessToken", in.AccessToken)
	v.check(in.UserAttributeNames != nil, "userAttributeNames", "Member must not be null")
	if err := v.err(); err != nil {
		return empty{}, err
	}
	client, err := s.tokenClient(in.AccessToken)
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
	u, unlock, err := s.tokenUser(in.AccessToken)
	if err != nil {
		return empty{}, err
	}
	defer unlock()
	next := maps.Clone(u.attrs)
	pending := maps.Clone(u.pending)
	for _, name := range in.UserAttributeNames {
		delete(next, name)
		if flag, ok := verifiedFlag[name]; ok {
			delete(next, flag)
			delete(pending, name)
		}
	}
	if err := s.checkRequired(next); err != nil {
		return empty{}, err
	}
	if s.usernameIsAttribute() && !slices.ContainsFunc(s.usernameAttrs, func(a string) bool { return next[a] != "" }) {
		// The user would have no name left to sign in with.
		return empty{}, invalidParameter("Attributes did not conform to the schema: the user must keep an email address or phone number to sign in with")
	}
	u.attrs, u.pending = next, pending
	if u.code.attr != "" && next[u.code.attr] == "" && pending[u.code.attr] == "" {
		u.code = pendingCode{}
	}
	u.modified = s.now()
	s.store(u)
	return empty{}, nil
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
	u, unlock, err := s.adminUser(adminUserInput{UserPoolID: in.UserPoolID, Username: in.Username})
	if err != nil {
		return empty{}, err
	}
	if u.status == statusUnconfirmed {
		unlock()
		return empty{}, apiError(errNotAuthorized, "User password cannot be reset in the current state.")
	}
	u.status = statusResetRequired
	u.hash, u.salt, u.srpSalt, u.srpVerifier = nil, nil, nil, nil
	u.tempExpires = time.Time{}
	u.modified = s.now()
	to, sending := s.recoveryChannel(u)
	var snap *user
	var code string
	if sending {
		snap, code = s.newResetCode(u, to)
	}
	unlock()
	if !sending {
		return empty{}, nil
	}
	return empty{}, s.send(ctx, message{
		source: sourceCustomMessageForgot, clientID: clientIDNotApplicable, user: snap, to: to,
		code: code, signInName: in.Username, metadata: in.ClientMetadata,
	})
}

// adminUserGlobalSignOut signs a user out of every session, as
// GlobalSignOut does for the user themselves.
func (s *Server) adminUserGlobalSignOut(_ context.Context, in adminUserInput) (empty, error) {
	u, unlock, err := s.adminUser(in)
	if err != nil {
		return empty{}, err
	}
	defer unlock()
	s.revokeUserSessions(u)
	return empty{}, nil
}

// adminDisableUser deactivates a user: they cannot sign in, and their
// tokens are revoked.
func (s *Server) adminDisableUser(_ context.Context, in adminUserInput) (empty, error) {
	u, unlock, err := s.adminUser(in)
	if err != nil {
		return empty{}, err
	}
	defer unlock()
	u.disabled = true
	u.modified = s.now()
	s.revokeUserSessions(u)
	return empty{}, nil
}

// adminEnableUser lets a disabled user sign in again.
func (s *Server) adminEnableUser(_ context.Context, in adminUserInput) (empty, error) {
	u, unlock, err := s.adminUser(in)
	if err != nil {
		return empty{}, err
	}
	defer unlock()
	u.disabled = false
	u.modified = s.now()
	return empty{}, nil
}
