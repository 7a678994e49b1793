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
	call, err := s.asUser(in.AccessToken)
	if err != nil {
		return getUserOutput{}, err
	}
	client, err := call.client()
	if err != nil {
		return getUserOutput{}, err
	}
	u, err := call.user()
	if err != nil {
		return getUserOutput{}, err
	}
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
	call, err := s.asUser(in.AccessToken)
	if err != nil {
		return empty{}, err
	}
	if err := s.users.remove(call.ref()); err != nil {
		return empty{}, userNotFound()
	}
	return empty{}, nil
}

// globalSignOut signs the user out of every session: their refresh tokens
// stop working, and their access tokens are refused by the pool's own
// operations. (Access tokens stay valid JWTs until they expire, so an API
// behind a JWT authorizer still accepts them, as in AWS.)
func (s *Server) globalSignOut(_ context.Context, in accessTokenInput) (empty, error) {
	call, err := s.asUser(in.AccessToken)
	if err != nil {
		return empty{}, err
	}
	_, err = call.update(func(u *user, tx userTx) error {
		tx.signOut(u)
		return nil
	})
	return empty{}, err
}

type revokeTokenInput struct {
	Token        string `json:"Token"`
	ClientID     string `json:"ClientId"`
	ClientSecret string `json:"ClientSecret"`
}

// revokeToken revokes a refresh token and the access tokens issued with
// it. As RFC 7009 has it, a token the pool does not know is not an error.
func (s *Server) revokeToken(_ context.Context, in revokeTokenInput) (empty, error) {
	client, err := s.forClient(in.ClientID, need("token", in.Token))
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
	issuedTo, known := s.users.revokeRefresh(in.Token, client.ID)
	if known && issuedTo != client.ID {
		return empty{}, apiError(errUnauthorized, "The token was not issued to client %s", client.ID)
	}
	return empty{}, nil
}
