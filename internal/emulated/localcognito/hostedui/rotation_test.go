package hostedui

import (
	"net/url"
	"testing"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localcognito"
)

// TestRefreshGrantRotates: for a client that rotates refresh tokens, the
// token endpoint's refresh_token grant returns a new refresh token, as
// Cognito documents ("issues new ID, access, and optionally (with refresh
// token rotation) refresh tokens"); the one presented still works for the
// grace period and, presented after it, ends the session.
func TestRefreshGrantRotates(t *testing.T) {
	const grace = 10 * time.Second
	f := newFixture(t, withDomain(func(c *localcognito.Config) {
		for i := range c.Clients {
			c.Clients[i].RefreshTokenRotation = &localcognito.RefreshTokenRotation{GracePeriod: grace}
		}
	}))
	f.confirmedUser("alice", "alice@example.com")
	ctx, _, cfg := f.oidcSetup(secretID, clientSecret, "openid")
	cb := newBrowser(t).signInAt(cfg.AuthCodeURL("s"), "alice", goodPassword)
	tok, err := cfg.Exchange(ctx, cb.Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	refresh := func(token string) (int, string, string) {
		t.Helper()
		st, code, body := f.tokenCall(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}, secretID, clientSecret)
		next, _ := body["refresh_token"].(string)
		if st == 200 && (body["access_token"] == nil || body["id_token"] == nil) {
			t.Errorf("refresh answered %v, want an access and an ID token", body)
		}
		return st, code, next
	}

	st, code, next := refresh(tok.RefreshToken)
	if st != 200 || next == "" || next == tok.RefreshToken {
		t.Fatalf("refresh: %d %s, refresh token %q: want 200 and a new refresh token", st, code, next)
	}
	f.clock.Advance(grace / 2)
	if st, code, _ := refresh(tok.RefreshToken); st != 200 {
		t.Errorf("the rotated-out token within the grace period: %d %s, want 200", st, code)
	}
	f.clock.Advance(grace)
	if st, code, _ := refresh(tok.RefreshToken); st != 400 || code != oauthInvalidGrant {
		t.Errorf("the rotated-out token after the grace period: %d %s, want invalid_grant", st, code)
	}
	if st, code, _ := refresh(next); st != 400 || code != oauthInvalidGrant {
		t.Errorf("its successor after the reuse: %d %s, want invalid_grant (the session is revoked)", st, code)
	}
}
