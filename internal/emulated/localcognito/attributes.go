package localcognito

import (
	"context"
	"maps"
	"slices"
)

// sourceCustomMessageUpdateAttribute is the trigger source of the code sent
// to a changed email address or phone number.
const sourceCustomMessageUpdateAttribute = "CustomMessage_UpdateUserAttribute"

// verifiedFlag names the verified flag of a contact attribute.
var verifiedFlag = map[string]string{attrEmail: attrEmailVerified, attrPhone: attrPhoneVerified}

type updateUserAttributesInput struct {
	AccessToken    string            `json:"AccessToken"`
	UserAttributes []attribute       `json:"UserAttributes"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

type updateUserAttributesOutput struct {
	CodeDeliveryDetailsList []*codeDeliveryDetails `json:"CodeDeliveryDetailsList,omitempty"`
}

// updateUserAttributes lets a signed-in user change their attributes
// through the app client their access token was issued to: only the
// attributes that client may write (WriteAttributes), as Cognito refuses
// the rest with NotAuthorizedException.
func (s *Server) updateUserAttributes(ctx context.Context, in updateUserAttributesInput) (updateUserAttributesOutput, error) {
	call, err := s.asUser(in.AccessToken, want(in.UserAttributes != nil, "userAttributes", "Member must not be null"))
	if err != nil {
		return updateUserAttributesOutput{}, err
	}
	client, err := call.client()
	if err != nil {
		return updateUserAttributesOutput{}, err
	}
	if err := checkClientWrites(client, in.UserAttributes); err != nil {
		return updateUserAttributesOutput{}, err
	}
	m, err := s.checkAttributes(in.UserAttributes, byClient)
	if err != nil {
		return updateUserAttributesOutput{}, err
	}
	var sends []message
	_, err = call.update(func(u *user, tx userTx) error {
		sends, err = s.applyAttributes(u, tx, m, byClient)
		return err
	})
	if err != nil {
		return updateUserAttributesOutput{}, err
	}
	var out updateUserAttributesOutput
	for _, m := range sends {
		m.clientID, m.metadata = client.ID, in.ClientMetadata
		if err := s.send(ctx, m); err != nil {
			return updateUserAttributesOutput{}, err
		}
		out.CodeDeliveryDetailsList = append(out.CodeDeliveryDetailsList, m.to.details())
	}
	return out, nil
}

type adminUpdateUserAttributesInput struct {
	UserPoolID     string            `json:"UserPoolId"`
	Username       string            `json:"Username"`
	UserAttributes []attribute       `json:"UserAttributes"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// adminUpdateUserAttributes changes any attribute of a user, whatever the
// clients may write: custom:role_name is set this way. An administrator
// may also mark an email address or phone number verified.
func (s *Server) adminUpdateUserAttributes(ctx context.Context, in adminUpdateUserAttributesInput) (empty, error) {
	call, err := s.asAdmin(in.UserPoolID, in.Username, want(in.UserAttributes != nil, "userAttributes", "Member must not be null"))
	if err != nil {
		return empty{}, err
	}
	m, err := s.checkAttributes(in.UserAttributes, byAdmin)
	if err != nil {
		return empty{}, err
	}
	var sends []message
	_, err = call.update(func(u *user, tx userTx) error {
		sends, err = s.applyAttributes(u, tx, m, byAdmin)
		return err
	})
	if err != nil {
		return empty{}, err
	}
	for _, m := range sends {
		m.clientID, m.metadata = clientIDNotApplicable, in.ClientMetadata
		if err := s.send(ctx, m); err != nil {
			return empty{}, err
		}
	}
	return empty{}, nil
}

// checkClientWrites refuses an attribute the client may not write, in
// Cognito's words.
func checkClientWrites(c *Client, attrs []attribute) error {
	for _, a := range attrs {
		if !c.canWrite(a.Name) {
			return apiError(errNotAuthorized, "A client attempted to write unauthorized attribute")
		}
	}
	return nil
}

// applyAttributes writes m to u and returns the code messages to send.
// A changed email address or phone number is unverified and, when the pool
// verifies that attribute, gets a code; where the pool keeps originals
// until verification, the old value stays in effect (the new one waits,
// unverified, for its code) and nothing about sign-in changes. An
// administrator marking the new value verified in the same call skips all
// that. It runs under the store's lock (userStore.update).
func (s *Server) applyAttributes(u *user, tx userTx, m map[string]string, by writer) ([]message, error) {
	next := maps.Clone(u.attrs)
	pending := map[string]string{}
	applied := map[string]bool{}
	var sends []message
	for _, name := range []string{attrEmail, attrPhone} {
		value, changing := m[name]
		if !changing {
			continue
		}
		flag := verifiedFlag[name]
		applied[name], applied[flag] = true, true
		switch {
		case value == u.attrs[name]:
			if f, ok := m[flag]; ok {
				next[flag] = f
			}
			continue
		case by == byAdmin && m[flag] == "true":
			next[name], next[flag] = value, "true"
			continue
		case slices.Contains(s.keepOriginal, name) && u.attrs[name] != "":
			pending[name] = value
		default:
			next[name], next[flag] = value, "false"
		}
		if slices.Contains(s.autoVerified, name) {
			sends = append(sends, message{source: sourceCustomMessageUpdateAttribute, to: deliveryTo(name, value)})
		}
	}
	for name, value := range m {
		if !applied[name] {
			next[name] = value
		}
	}
	if err := s.checkRequired(next); err != nil {
		return nil, err
	}
	// Only values in effect are sign-in names; a pending one is checked
	// when it is verified.
	if err := tx.conflict(&user{username: u.username, attrs: next}, "", by == byAdmin); err != nil {
		return nil, err
	}
	u.attrs = next
	for name, value := range pending {
		if u.pending == nil {
			u.pending = map[string]string{}
		}
		u.pending[name] = value
	}
	now := s.now()
	u.modified = now
	snap := u.snapshot()
	for i := range sends {
		code := newCode()
		u.code = pendingCode{value: code, attr: sends[i].to.attr, dest: sends[i].to.destination, expires: now.Add(codeValidity)}
		u.lastCode = code
		sends[i].user, sends[i].code, sends[i].signInName = snap, code, u.username
	}
	return sends, nil
}
