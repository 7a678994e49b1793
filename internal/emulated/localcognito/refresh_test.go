package localcognito

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// newRotatingFixture is a pool whose clients rotate refresh tokens with a
// ten-second grace period.
func newRotatingFixture(t *testing.T) *fixture {
	return newFixture(t, func(c *Config) {
		for i := range c.Clients {
			c.Clients[i].RefreshTokenRotation = &RefreshTokenRotation{GracePeriod: 10 * time.Second}
		}
	})
}

func (f *fixture) getTokens(clientID, token string, secret ...string) (*cip.GetTokensFromRefreshTokenOutput, error) {
	in := &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(clientID), RefreshToken: aws.String(token)}
	if len(secret) > 0 {
		in.ClientSecret = aws.String(secret[0])
	}
	return f.idp.GetTokensFromRefreshToken(f.ctx, in)
}

func TestRefreshTokenRotation(t *testing.T) {
	f := newRotatingFixture(t)
	f.confirmedUser("nia", "nia@example.com")
	first := aws.ToString(f.signIn("nia", goodPassword).RefreshToken)

	out, err := f.getTokens(publicID, first)
	if err != nil {
		t.Fatal(err)
	}
	second := aws.ToString(out.AuthenticationResult.RefreshToken)
	if second == "" || second == first {
		t.Fatalf("refresh token %q after rotation, want a new one", second)
	}
	if _, err := f.authorizer(publicID).Authorize(f.ctx, "Bearer "+aws.ToString(out.AuthenticationResult.AccessToken), nil); err != nil {
		t.Fatalf("rotated access token: %v", err)
	}
	// Within the grace period the old token still works (a lost response).
	f.clock.Advance(9 * time.Second)
	if _, err := f.getTokens(publicID, first); err != nil {
		t.Fatalf("old token within the grace period: %v", err)
	}
	// After it, reusing the old token is refused and ends the session.
	f.clock.Advance(time.Second)
	_, err = f.getTokens(publicID, first)
	wantAPIError(t, err, errRefreshTokenReuse, "reused after the grace period")
	_, err = f.getTokens(publicID, second)
	wantAPIError(t, err, errNotAuthorized, "Refresh Token has been revoked")
}

func TestRefreshTokenRotationRules(t *testing.T) {
	f := newRotatingFixture(t)
	f.confirmedUser("oli", "oli@example.com")
	token := aws.ToString(f.signIn("oli", goodPassword).RefreshToken)
	// REFRESH_TOKEN_AUTH is not for a client that rotates.
	_, err := f.refresh(publicID, token)
	wantAPIError(t, err, errInvalidParameter, "use GetTokensFromRefreshToken")
	_, err = f.getTokens(secretID, token, clientSecret)
	wantAPIError(t, err, errNotAuthorized, "Invalid Refresh Token")
	_, err = f.getTokens(publicID, "not-a-token")
	wantAPIError(t, err, errNotAuthorized, "Invalid Refresh Token")

	// A confidential client sends its secret.
	out, err := f.passwordAuth(secretID, "oli", goodPassword, "SECRET_HASH", SecretHash(secretID, clientSecret, "oli"))
	if err != nil {
		t.Fatal(err)
	}
	server := aws.ToString(out.AuthenticationResult.RefreshToken)
	_, err = f.getTokens(secretID, server, "wrong")
	wantAPIError(t, err, errNotAuthorized, "secret")
	if _, err := f.getTokens(secretID, server, clientSecret); err != nil {
		t.Fatalf("with the client secret: %v", err)
	}
}

func TestGetTokensWithoutRotation(t *testing.T) {
	f := newFixture(t, nil)
	f.confirmedUser("pat", "pat@example.com")
	token := aws.ToString(f.signIn("pat", goodPassword).RefreshToken)
	out, err := f.getTokens(publicID, token)
	if err != nil {
		t.Fatal(err)
	}
	if out.AuthenticationResult.RefreshToken != nil {
		t.Errorf("refresh token %q from a client that does not rotate, want none", aws.ToString(out.AuthenticationResult.RefreshToken))
	}
	if _, err := f.getTokens(publicID, token); err != nil {
		t.Errorf("the same refresh token again: %v", err)
	}
}
