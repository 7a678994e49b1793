package localcognito

import (
	"context"
	"crypto/subtle"
	"fmt"
	"time"
)

// Refresh-token rotation: a client that rotates refresh tokens hands out
// a new one at every refresh (GetTokensFromRefreshToken, or its token
// endpoint), good for what remains of the first one's lifetime; the one
// presented stops working after the client's grace period. Presented
// later, it is reuse, and the whole session (every refresh token rotated
// from the same sign-in) ends.

// RefreshTokenRotation is a client's RefreshTokenRotation.
type RefreshTokenRotation struct {
	// GracePeriod is how long a rotated-out refresh token still works
	// (RetryGracePeriodSeconds, 0 to 60 seconds).
	GracePeriod time.Duration
}

const errRefreshTokenReuse = "RefreshTokenReuseException"

// validateRotation checks a client's rotation settings.
func (c *Client) validateRotation() error {
	if r := c.RefreshTokenRotation; r != nil && (r.GracePeriod < 0 || r.GracePeriod > time.Minute) {
		return fmt.Errorf("client %q: refresh token rotation grace period %v: want 0s..60s", c.ID, r.GracePeriod)
	}
	return nil
}

type getTokensFromRefreshTokenInput struct {
	RefreshToken   string            `json:"RefreshToken"`
	ClientID       string            `json:"ClientId"`
	ClientSecret   string            `json:"ClientSecret"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
	DeviceKey      string            `json:"DeviceKey"`
}

type getTokensFromRefreshTokenOutput struct {
	AuthenticationResult *authResult `json:"AuthenticationResult"`
}

// getTokensFromRefreshToken refreshes a session, rotating its refresh
// token where the client rotates them. A confidential client sends its
// secret itself (ClientSecret), not a hash.
func (s *Server) getTokensFromRefreshToken(ctx context.Context, in getTokensFromRefreshTokenInput) (getTokensFromRefreshTokenOutput, error) {
	client, err := s.forClient(in.ClientID, need("refreshToken", in.RefreshToken))
	if err != nil {
		return getTokensFromRefreshTokenOutput{}, err
	}
	if client.Secret != "" && subtle.ConstantTimeCompare([]byte(client.Secret), []byte(in.ClientSecret)) != 1 {
		return getTokensFromRefreshTokenOutput{}, apiError(errNotAuthorized, "Client %s is configured for secret but secret was not received or is wrong", client.ID)
	}
	res, err := s.refreshWith(ctx, client, in.RefreshToken, in.ClientMetadata)
	if err != nil {
		return getTokensFromRefreshTokenOutput{}, err
	}
	return getTokensFromRefreshTokenOutput{AuthenticationResult: &res}, nil
}

// refreshWith refreshes the session of a refresh token whose client has
// proven itself: the tokens of the same session, and where the client
// rotates refresh tokens, a new refresh token.
func (s *Server) refreshWith(ctx context.Context, client *Client, token string, metadata map[string]string) (authResult, error) {
	rt, u, err := s.liveRefresh(client, token)
	if err != nil {
		return authResult{}, err
	}
	if client.RefreshTokenRotation == nil {
		return s.issueTokens(ctx, client, u, sourceTokenRefreshTokens, &rt, metadata)
	}
	next := rt
	next.token, next.rotated, next.revoked = opaqueToken(), time.Time{}, false
	if err := s.users.rotateRefresh(token, client.RefreshTokenRotation.GracePeriod, &next); err != nil {
		return authResult{}, err
	}
	res, err := s.issueTokens(ctx, client, u, sourceTokenRefreshTokens, &next, metadata)
	if err != nil {
		return authResult{}, err
	}
	res.RefreshToken = next.token
	return res, nil
}

// rotateRefresh replaces the refresh token token with next. A token
// already rotated out is accepted for grace after its rotation; later it
// is reuse, which revokes every token of its session.
func (st *userStore) rotateRefresh(token string, grace time.Duration, next *refreshToken) error {
	var err error
	st.locked(func() {
		old := st.refresh[token]
		now := st.now()
		switch {
		case old == nil || old.revoked:
			err = apiError(errNotAuthorized, "Refresh Token has been revoked")
			return
		case old.rotated.IsZero():
			old.rotated = now
		case !now.Before(old.rotated.Add(grace)):
			for _, rt := range st.refresh {
				if rt.originJTI == old.originJTI {
					st.revokeSession(rt)
				}
			}
			err = apiError(errRefreshTokenReuse, "Refresh token has been rotated and reused after the grace period; the session is revoked.")
			return
		}
		st.sweepRefresh(now)
		st.refresh[next.token] = next
	})
	return err
}
