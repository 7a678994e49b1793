package localcognito

import (
	"context"
	"slices"
	"time"
)

type adminCreateUserInput struct {
	UserPoolID             string            `json:"UserPoolId"`
	Username               string            `json:"Username"`
	UserAttributes         []attribute       `json:"UserAttributes"`
	ValidationData         []attribute       `json:"ValidationData"`
	TemporaryPassword      string            `json:"TemporaryPassword"`
	ForceAliasCreation     bool              `json:"ForceAliasCreation"`
	MessageAction          string            `json:"MessageAction"`
	DesiredDeliveryMediums []string          `json:"DesiredDeliveryMediums"`
	ClientMetadata         map[string]string `json:"ClientMetadata"`
}

type adminCreateUserOutput struct {
	User userType `json:"User"`
}

// adminCreateUser creates a user with a temporary password, which they
// must change at first sign-in (NEW_PASSWORD_REQUIRED), and sends them an
// invitation unless MessageAction is SUPPRESS. RESEND sends an existing
// invited user a new temporary password.
func (s *Server) adminCreateUser(ctx context.Context, in adminCreateUserInput) (adminCreateUserOutput, error) {
	checks := []check{want(in.MessageAction == "" || in.MessageAction == "SUPPRESS" || in.MessageAction == "RESEND",
		"messageAction", "Member must satisfy enum value set: [RESEND, SUPPRESS]")}
	for _, m := range in.DesiredDeliveryMediums {
		checks = append(checks, want(m == mediumSMS || m == mediumEmail, "desiredDeliveryMediums", "Member must satisfy constraint: [Member must satisfy enum value set: [SMS, EMAIL]]"))
	}
	if in.TemporaryPassword != "" {
		checks = append(checks, then(checkPasswordShape("temporaryPassword", in.TemporaryPassword)), then(s.policy.check(in.TemporaryPassword)))
	}
	call, err := s.asAdmin(in.UserPoolID, in.Username, checks...)
	if err != nil {
		return adminCreateUserOutput{}, err
	}
	password := in.TemporaryPassword
	if password == "" {
		password = s.policy.temporaryPassword()
	}
	if in.MessageAction == "RESEND" {
		return s.resendInvitation(ctx, call, in, password)
	}
	u, signInAttr, err := s.newUser(in.Username, in.UserAttributes, byAdmin)
	if err != nil {
		return adminCreateUserOutput{}, err
	}
	var to []delivery
	if in.MessageAction != "SUPPRESS" {
		if to, err = invitationChannels(u, in.DesiredDeliveryMediums); err != nil {
			return adminCreateUserOutput{}, err
		}
	}
	if err := s.users.checkFree(u, signInAttr, true); err != nil {
		return adminCreateUserOutput{}, err
	}
	// Cognito runs the pre sign-up trigger for invited users too, but
	// ignores its autoConfirm and autoVerify answers: the user must still
	// choose a password.
	if _, err := s.preSignUp(ctx, sourcePreSignUpAdminCreateUser, clientIDNotApplicable, u, in.ValidationData, in.ClientMetadata); err != nil {
		return adminCreateUserOutput{}, err
	}
	now := s.now()
	u.created = now
	markUnverified(u.attrs)
	s.setTemporaryPassword(u, password, now)
	if len(to) > 0 {
		u.lastCode = password
	}
	if err := s.users.add(u, signInAttr, true); err != nil {
		return adminCreateUserOutput{}, err
	}
	return adminCreateUserOutput{User: u.userType(nil)}, s.invite(ctx, u, in, password, to)
}

func (s *Server) resendInvitation(ctx context.Context, call adminCall, in adminCreateUserInput, password string) (adminCreateUserOutput, error) {
	var to []delivery
	u, err := call.update(func(u *user, _ userTx) error {
		if u.status != statusForceChange {
			return apiError(errUnsupportedUserState, "Resend not possible. %s status is not FORCE_CHANGE_PASSWORD", in.Username)
		}
		var err error
		if to, err = invitationChannels(u, in.DesiredDeliveryMediums); err != nil {
			return err
		}
		s.setTemporaryPassword(u, password, s.now())
		u.lastCode = password
		return nil
	})
	if err != nil {
		return adminCreateUserOutput{}, err
	}
	return adminCreateUserOutput{User: u.userType(nil)}, s.invite(ctx, u, in, password, to)
}

// invitationChannels are where an invitation goes. Every medium asked for
// must be reachable. When none is asked for, the API documents SMS as the
// default; this pool falls back to email for a user without a phone
// number rather than failing, since an invitation by email is what such a
// user would get from the console.
func invitationChannels(u *user, mediums []string) ([]delivery, error) {
	if len(mediums) == 0 {
		for _, attr := range []string{attrPhone, attrEmail} {
			if u.attrs[attr] != "" {
				return []delivery{deliveryTo(attr, u.attrs[attr])}, nil
			}
		}
		return nil, invalidParameter("User has no attribute matching desired delivery mediums")
	}
	var out []delivery
	for _, m := range mediums {
		attr, name := attrEmail, "Email"
		if m == mediumSMS {
			attr, name = attrPhone, "SMS"
		}
		if u.attrs[attr] == "" {
			return nil, invalidParameter("No %s provided but desired delivery medium was %s", attr, name)
		}
		if !slices.ContainsFunc(out, func(d delivery) bool { return d.attr == attr }) {
			out = append(out, deliveryTo(attr, u.attrs[attr]))
		}
	}
	return out, nil
}

func (s *Server) invite(ctx context.Context, snap *user, in adminCreateUserInput, password string, to []delivery) error {
	for _, d := range to {
		err := s.send(ctx, message{
			source: sourceCustomMessageAdminCreate, clientID: clientIDNotApplicable, user: snap, to: d,
			code: password, signInName: in.Username, metadata: in.ClientMetadata,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// tempPasswordExpired reports whether u's temporary password can no
// longer be used.
func (s *Server) tempPasswordExpired(u *user) bool {
	return u.status == statusForceChange && !s.now().Before(u.tempExpires)
}

// setTemporaryPassword gives u a temporary password that must be changed
// at the next sign-in.
func (s *Server) setTemporaryPassword(u *user, password string, now time.Time) {
	s.setPassword(u, password)
	u.status = statusForceChange
	u.tempExpires = now.Add(s.policy.TemporaryPasswordValidity)
	u.modified = now
}

type adminSetUserPasswordInput struct {
	UserPoolID string `json:"UserPoolId"`
	Username   string `json:"Username"`
	Password   string `json:"Password"`
	Permanent  bool   `json:"Permanent"`
}

// adminSetUserPassword sets a permanent password, which also confirms the
// user, or a temporary one the user must change at next sign-in.
func (s *Server) adminSetUserPassword(_ context.Context, in adminSetUserPasswordInput) (empty, error) {
	call, err := s.asAdmin(in.UserPoolID, in.Username,
		then(checkPasswordShape("password", in.Password)), then(s.policy.check(in.Password)))
	if err != nil {
		return empty{}, err
	}
	_, err = call.update(func(u *user, _ userTx) error {
		now := s.now()
		if !in.Permanent {
			s.setTemporaryPassword(u, in.Password, now)
			return nil
		}
		s.setPassword(u, in.Password)
		u.status = statusConfirmed
		u.tempExpires = time.Time{}
		u.code, u.reset = pendingCode{}, pendingCode{}
		u.modified = now
		return nil
	})
	return empty{}, err
}

type adminUserInput struct {
	UserPoolID string `json:"UserPoolId"`
	Username   string `json:"Username"`
}

type adminGetUserOutput struct {
	Username             string      `json:"Username"`
	UserAttributes       []attribute `json:"UserAttributes"`
	UserCreateDate       epoch       `json:"UserCreateDate"`
	UserLastModifiedDate epoch       `json:"UserLastModifiedDate"`
	Enabled              bool        `json:"Enabled"`
	UserStatus           string      `json:"UserStatus"`
	mfaOutput
}

func (s *Server) adminGetUser(_ context.Context, in adminUserInput) (adminGetUserOutput, error) {
	call, err := s.asAdmin(in.UserPoolID, in.Username)
	if err != nil {
		return adminGetUserOutput{}, err
	}
	u, err := call.user()
	if err != nil {
		return adminGetUserOutput{}, err
	}
	return adminGetUserOutput{
		Username:             u.username,
		UserAttributes:       u.attributeList(nil),
		UserCreateDate:       epoch(u.created),
		UserLastModifiedDate: epoch(u.modified),
		Enabled:              !u.disabled,
		UserStatus:           u.status,
		mfaOutput:            u.mfaOutput(),
	}, nil
}

func (s *Server) adminDeleteUser(_ context.Context, in adminUserInput) (empty, error) {
	if _, err := s.asAdmin(in.UserPoolID, in.Username); err != nil {
		return empty{}, err
	}
	if err := s.users.remove(byName(in.Username)); err != nil {
		return empty{}, userNotFound()
	}
	return empty{}, nil
}
