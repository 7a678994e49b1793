package browser

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// virtualAuthenticator gives the tab a platform authenticator of
// Chromium's WebAuthn domain (a CTAP2 one with resident keys that verifies
// its user and simulates their presence), so the app's passkey ceremonies
// run as on a device with a screen lock.
func (b *browser) virtualAuthenticator() webauthn.AuthenticatorID {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		b.t.Fatalf("WebAuthn.enable: %v", err)
	}
	res, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol:                    webauthn.AuthenticatorProtocolCtap2,
			Ctap2version:                webauthn.Ctap2versionCtap21,
			Transport:                   webauthn.AuthenticatorTransportInternal,
			HasResidentKey:              true,
			HasUserVerification:         true,
			IsUserVerified:              true,
			AutomaticPresenceSimulation: true,
		},
	})
	if err != nil {
		b.t.Fatalf("WebAuthn.addVirtualAuthenticator: %v", err)
	}
	return res.AuthenticatorID
}

// credentials are the passkeys the virtual authenticator holds.
func (b *browser) credentials(id webauthn.AuthenticatorID) []*webauthn.Credential {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	res, err := chromedp.Call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: id})
	if err != nil {
		b.t.Fatalf("WebAuthn.getCredentials: %v", err)
	}
	return res.Credentials
}

// passkeyJourney adds a passkey on the profile (the signed-in screen it
// starts from), signs out and in again with it, and removes it.
func passkeyJourney(t *testing.T, b *browser, username string) {
	t.Helper()
	authn := b.virtualAuthenticator()
	b.do("add a passkey", click(`#add-passkey`))
	b.waitText("main", "Your passkey is added")
	b.waitText("#passkey-list", "passkey (platform)")
	b.saveShot("profile-passkey-added")
	creds := b.credentials(authn)
	if len(creds) != 1 || creds[0].RpID != "localhost" || !creds[0].IsResidentCredential {
		t.Fatalf("the authenticator holds %d credentials (%+v), want one discoverable credential for localhost", len(creds), creds)
	}
	signOut(b)

	b.do("go to sign-in", click(`a[href="/signin"]`))
	b.do("name the account", fill(`#f-username`, username))
	b.do("sign in with the passkey", click(`#signin-passkey`))
	b.waitScreen("todos")
	if after := b.credentials(authn); len(after) != 1 || after[0].SignCount <= creds[0].SignCount {
		t.Errorf("the sign-in did not use the passkey: its signature counter is %v, was %v", after[0].SignCount, creds[0].SignCount)
	}

	b.do("go to profile", click(`nav a[href="/profile"]`))
	b.waitText("#passkey-list", "passkey (platform)")
	b.do("remove the passkey", click(`#passkey-list button.danger`))
	b.waitText("main", "The passkey is removed.")
	b.waitText("#passkey-list", "No passkeys yet.")
	signOut(b)

	// Without a passkey the app says so and signs no one in.
	b.do("go to sign-in", click(`a[href="/signin"]`))
	b.do("try the passkey again", fill(`#f-username`, username), click(`#signin-passkey`))
	b.waitText("#signin-form [role=alert]", "no passkey")
}

// codeJourney signs username in with a one-time code that button has the
// pool send to destination (the local stack logs it as it would be sent),
// from the sign-in screen it starts on: a wrong code first, then the
// right one. It ends on the todos.
func codeJourney(t *testing.T, b *browser, log *codes, username, button, destination string) {
	t.Helper()
	sent := log.count(destination)
	b.do("ask for a code", fill(`#f-username`, username), click(button))
	b.screen("signin-code")
	code := log.next(t, destination, sent)
	if len(code) != 8 {
		t.Errorf("the sign-in code %q has %d digits, want Cognito's eight", code, len(code))
	}
	wrong := strings.Map(func(r rune) rune { return '0' + (r-'0'+1)%10 }, code)
	// The pool's 400 (CodeMismatchException) is logged as a failed load.
	b.allow("the server responded with a status of 400")
	b.do("enter a wrong code", fill(`#f-code`, wrong), click(`#code-form button[type=submit]`))
	b.waitText("#code-form [role=alert]", "not the one we sent")
	b.do("enter the code", fill(`#f-code`, code), click(`#code-form button[type=submit]`))
	b.waitScreen("todos")
}
