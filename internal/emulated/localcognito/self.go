package localcognito

import (
	"context"
	"strings"
)

type accessTokenInput struct {
	AccessToken string `json:"AccessToken"`
}

type getUserOutput struct {
	Username       string      `json:"Username"`
	UserAttributes []attribute `json:"UserAttributes"`
	mfaOutput
}

// getUser returns the attributes of the user an access token was issued
// to that the token's app client may read (its ReadAttributes).
func (s *Server) getUser(_ context.Context, in accessTokenInput) (getUserOutput, error) {
	var v validation
	v.required("accessToken", in.AccessToken)
	if err := v.err(); err != nil {
		return getUserOutput{}, err
	}
	c, err := s.verifyAccessToken(in.AccessToken)
	if err != nil {
		return getUserOutput{}, err
	}
	client, err := s.client(c.ClientID)
	if err != nil {
		return getUserOutput{}, apiError(errNotAuthorized, "Invalid Access Token")
	}
	u, unlock, err := s.tokenUser(in.AccessToken)
	if err != nil {
		return getUserOutput{}, err
	}
	defer unlock()
	var readable []attribute
	for _, a := range u.attributeList(nil) {
		if client.canRead(a.Name) {
			readable = append(readable, a)
		}
	}
	return getUserOutput{Username: u.username, UserAttributes: readable, mfaOutput: u.mfaOutput()}, nil
}

// deleteUser lets a signed-in user delete themselves.
func (s *Server) deleteUser(_ context.Context, in accessTokenInput) (empty, error) {
	u, unlock, err := s.tokenUser(in.AccessToken)
	if err != nil {
		return empty{}, err
	}
	defer unlock()
	s.remove(u)
	return empty{}, nil
}

// globalSignOut signs the user out of every session: their refresh tokens
// stop working, and their access tokens are refused by the pool's own
// operations. (Access tokens stay valid JWTs until they expire, so an API
// behind a JWT authorizer still accepts them, as in AWS.)
func (s *Server) globalSignOut(_ context.Context, in accessTokenInput) (empty, error) {
	u, unlock, err := s.tokenUser(in.AccessToken)
	if err != nil {
		return empty{}, err
	}
	defer unlock()
	s.revokeUserSessions(u)
	return empty{}, nil
}

// tokenUser finds the user of an access token and returns with s.mu held
// (call unlock) when it succeeds.
func (s *Server) tokenUser(token string) (u *user, unlock func(), err error) {
	var v validation
	v.required("accessToken", token)
	if err := v.err(); err != nil {
		return nil, nil, err
	}
	c, err := s.verifyAccessToken(token)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	// The sub tells a deleted user from a new one who took the username.
	if u = s.users[fold(c.Username)]; u == nil || u.sub() != c.Sub {
		s.mu.Unlock()
		return nil, nil, userNotFound()
	}
	return u, s.mu.Unlock, nil
}

type revokeTokenInput struct {
	Token        string `json:"Token"`
	ClientID     string `json:"ClientId"`
	ClientSecret string `json:"ClientSecret"`
}

// revokeToken revokes a refresh token and the access tokens issued with
// it. As RFC 7009 has it, a token the pool does not know is not an error.
func (s *Server) revokeToken(_ context.Context, in revokeTokenInput) (empty, error) {
	var v validation
	v.required("token", in.Token)
	v.required("clientId", in.ClientID)
	if err := v.err(); err != nil {
		return empty{}, err
	}
	client, err := s.client(in.ClientID)
	if err != nil {
		return empty{}, err
	}
	if client.Secret != "" && in.ClientSecret != client.Secret {
		return empty{}, apiError(errUnauthorized, "Invalid client credentials")
	}
	if strings.Count(in.Token, ".") == 2 {
		// An access or ID token: only refresh tokens can be revoked.
		return empty{}, apiError(errUnsupportedTokenType, "Unsupported token type")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.refresh[in.Token]
	if rt == nil {
		return empty{}, nil
	}
	if rt.clientID != client.ID {
		return empty{}, apiError(errUnauthorized, "The token was not issued to client %s", client.ID)
	}
	s.revokeSession(rt)
	return empty{}, nil
}
