package localcognito

import (
	"bytes"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// startRegistration asks for passkey creation options with an access token.
func (f *fixture) startRegistration(access *string) map[string]any {
	f.t.Helper()
	out, err := f.idp.StartWebAuthnRegistration(f.ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: access})
	if err != nil {
		f.t.Fatalf("StartWebAuthnRegistration: %v", err)
	}
	var options map[string]any
	if err := out.CredentialCreationOptions.UnmarshalSmithyDocument(&options); err != nil {
		f.t.Fatalf("CredentialCreationOptions: %v", err)
	}
	return options
}

func (f *fixture) completeRegistration(access *string, credential map[string]any) error {
	_, err := f.idp.CompleteWebAuthnRegistration(f.ctx, &cip.CompleteWebAuthnRegistrationInput{
		AccessToken: access, Credential: document.NewLazyDocument(credential),
	})
	return err
}

// passkeyUser signs a user up, signs them in and registers a passkey of
// a new authenticator; it returns the authenticator and the access token.
func (f *fixture) passkeyUser(name string) (*authenticator, *string) {
	f.t.Helper()
	f.confirmedUser(name, name+"@example.com")
	access := f.signIn(name, goodPassword).AccessToken
	a := newAuthenticator(f.t, testOrigin)
	if err := f.completeRegistration(access, a.create(f.startRegistration(access))); err != nil {
		f.t.Fatalf("CompleteWebAuthnRegistration: %v", err)
	}
	return a, access
}

// passkeyChallenge starts a passkey sign-in and returns its session and
// request options.
func (f *fixture) passkeyChallenge(name string) (session, options string) {
	f.t.Helper()
	out, err := f.userAuth(name, "PREFERRED_CHALLENGE", "WEB_AUTHN")
	if err != nil {
		f.t.Fatalf("InitiateAuth WEB_AUTHN: %v", err)
	}
	if out.ChallengeName != types.ChallengeNameTypeWebAuthn {
		f.t.Fatalf("challenge %q, want WEB_AUTHN", out.ChallengeName)
	}
	return aws.ToString(out.Session), out.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"]
}

func TestPasskeyRegistrationAndSignIn(t *testing.T) {
	f := newPasswordlessFixture(t, nil)
	f.confirmedUser("ivy", "ivy@example.com")
	access := f.signIn("ivy", goodPassword).AccessToken
	options := f.startRegistration(access)
	rp, _ := options["rp"].(map[string]any)
	sel, _ := options["authenticatorSelection"].(map[string]any)
	if rp["id"] != "localhost" || options["challenge"] == "" || sel["residentKey"] != "required" || sel["userVerification"] != "preferred" {
		t.Fatalf("CredentialCreationOptions %v: want rp localhost, a challenge, a resident key, the pool's user verification", options)
	}
	a := newAuthenticator(t, testOrigin)
	if err := f.completeRegistration(access, a.create(options)); err != nil {
		t.Fatal(err)
	}

	list, err := f.idp.ListWebAuthnCredentials(f.ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: access})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Credentials) != 1 || aws.ToString(list.Credentials[0].CredentialId) != b64.EncodeToString(a.id) || aws.ToString(list.Credentials[0].RelyingPartyId) != "localhost" {
		t.Fatalf("ListWebAuthnCredentials = %+v, want the passkey", list.Credentials)
	}
	factors, _ := f.idp.GetUserAuthFactors(f.ctx, &cip.GetUserAuthFactorsInput{AccessToken: access})
	if !slices.Contains(factors.ConfiguredUserAuthFactors, types.AuthFactorTypeWebAuthn) {
		t.Errorf("ConfiguredUserAuthFactors %v, want WEB_AUTHN", factors.ConfiguredUserAuthFactors)
	}

	session, request := f.passkeyChallenge("ivy")
	res, err := f.answer(types.ChallengeNameTypeWebAuthn, session, "USERNAME", "ivy", "CREDENTIAL", a.get(request))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.authorizer(publicID).Authorize(f.ctx, "Bearer "+aws.ToString(res.AuthenticationResult.AccessToken), nil); err != nil {
		t.Fatalf("access token: %v", err)
	}

	if _, err := f.idp.DeleteWebAuthnCredential(f.ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: access, CredentialId: list.Credentials[0].CredentialId}); err != nil {
		t.Fatal(err)
	}
	_, err = f.idp.DeleteWebAuthnCredential(f.ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: access, CredentialId: list.Credentials[0].CredentialId})
	wantAPIError(t, err, errResourceNotFound, "")
	// Without a passkey, WEB_AUTHN is no longer offered.
	out, _ := f.userAuth("ivy", "PREFERRED_CHALLENGE", "WEB_AUTHN")
	if out.ChallengeName != types.ChallengeNameTypeSelectChallenge {
		t.Errorf("WEB_AUTHN without a passkey: challenge %q, want SELECT_CHALLENGE", out.ChallengeName)
	}
}

func TestPasskeyRegistrationRefused(t *testing.T) {
	cases := []struct {
		name  string
		spoil func(f *fixture, a *authenticator, access *string) map[string]any
		code  string
	}{
		{"wrong origin", func(f *fixture, a *authenticator, access *string) map[string]any {
			a.origin = "http://evil.example"
			return a.create(f.startRegistration(access))
		}, errWebAuthnOriginNotAllowed},
		{"another relying party", func(f *fixture, a *authenticator, access *string) map[string]any {
			a.rpID = "example.com"
			return a.create(f.startRegistration(access))
		}, errWebAuthnRelyingPartyMismatch},
		{"expired challenge", func(f *fixture, a *authenticator, access *string) map[string]any {
			options := f.startRegistration(access)
			f.clock.Advance(registrationTimeout)
			return a.create(options)
		}, errWebAuthnChallengeNotFound},
		{"reused challenge", func(f *fixture, a *authenticator, access *string) map[string]any {
			cred := a.create(f.startRegistration(access))
			if err := f.completeRegistration(access, cred); err != nil {
				f.t.Fatal(err)
			}
			return cred
		}, errWebAuthnChallengeNotFound},
		{"no registration started", func(f *fixture, a *authenticator, _ *string) map[string]any {
			return a.create(map[string]any{"rp": map[string]any{"id": "localhost"}, "challenge": "AAAA"})
		}, errWebAuthnChallengeNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newPasswordlessFixture(t, nil)
			f.confirmedUser("jo", "jo@example.com")
			access := f.signIn("jo", goodPassword).AccessToken
			err := f.completeRegistration(access, c.spoil(f, newAuthenticator(t, testOrigin), access))
			wantAPIError(t, err, c.code, "")
		})
	}
	t.Run("passkeys not enabled", func(t *testing.T) {
		f := newPasswordlessFixture(t, func(c *Config) { c.FirstAuthFactors = []string{"PASSWORD", "EMAIL_OTP"} })
		f.confirmedUser("kim", "kim@example.com")
		_, err := f.idp.StartWebAuthnRegistration(f.ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: f.signIn("kim", goodPassword).AccessToken})
		wantAPIError(t, err, errWebAuthnNotEnabled, "")
	})
}

func TestPasskeySignInRefused(t *testing.T) {
	cases := []struct {
		name   string
		answer func(f *fixture, a *authenticator) (session, credential string)
		msg    string // what the refusal names
	}{
		{"wrong origin", func(f *fixture, a *authenticator) (string, string) {
			session, options := f.passkeyChallenge("lee")
			a.origin = "http://localhost:9999"
			return session, a.get(options)
		}, "Error validating origin"},
		{"another relying party", func(f *fixture, a *authenticator) (string, string) {
			session, options := f.passkeyChallenge("lee")
			a.rpID = "example.com"
			return session, a.get(options)
		}, "RP Hash mismatch"},
		{"assertion replayed in a new sign-in", func(f *fixture, a *authenticator) (string, string) {
			session, options := f.passkeyChallenge("lee")
			cred := a.get(options)
			if _, err := f.answer(types.ChallengeNameTypeWebAuthn, session, "USERNAME", "lee", "CREDENTIAL", cred); err != nil {
				f.t.Fatal(err)
			}
			next, _ := f.passkeyChallenge("lee")
			return next, cred
		}, "Error validating challenge"},
		{"lower signature counter", func(f *fixture, a *authenticator) (string, string) {
			session, options := f.passkeyChallenge("lee")
			if _, err := f.answer(types.ChallengeNameTypeWebAuthn, session, "USERNAME", "lee", "CREDENTIAL", a.get(options)); err != nil {
				f.t.Fatal(err)
			}
			a.count = 0 // get counts one: a clone that is behind
			next, options := f.passkeyChallenge("lee")
			return next, a.get(options)
		}, "the signature counter went back"},
		{"unknown credential", func(f *fixture, _ *authenticator) (string, string) {
			session, options := f.passkeyChallenge("lee")
			return session, newAuthenticator(f.t, testOrigin).get(options)
		}, "not owned by the user"},
		{"expired challenge", func(f *fixture, a *authenticator) (string, string) {
			session, options := f.passkeyChallenge("lee")
			f.clock.Advance(sessionValidity)
			return session, a.get(options)
		}, "Invalid session"},
		{"no user presence", func(f *fixture, a *authenticator) (string, string) {
			session, options := f.passkeyChallenge("lee")
			a.absent = true
			return session, a.get(options)
		}, "User presence"},
		{"not JSON", func(f *fixture, _ *authenticator) (string, string) {
			session, _ := f.passkeyChallenge("lee")
			return session, "{"
		}, "Parse error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newPasswordlessFixture(t, nil)
			a, _ := f.passkeyUser("lee")
			session, cred := c.answer(f, a)
			_, err := f.answer(types.ChallengeNameTypeWebAuthn, session, "USERNAME", "lee", "CREDENTIAL", cred)
			wantAPIError(t, err, errNotAuthorized, c.msg)
		})
	}
	t.Run("challenge used once", func(t *testing.T) {
		f := newPasswordlessFixture(t, nil)
		a, _ := f.passkeyUser("lee")
		session, options := f.passkeyChallenge("lee")
		a.origin = "http://localhost:9999"
		_, err := f.answer(types.ChallengeNameTypeWebAuthn, session, "USERNAME", "lee", "CREDENTIAL", a.get(options))
		wantAPIError(t, err, errNotAuthorized, "Incorrect passkey")
		a.origin = testOrigin
		_, err = f.answer(types.ChallengeNameTypeWebAuthn, session, "USERNAME", "lee", "CREDENTIAL", a.get(options))
		wantAPIError(t, err, errNotAuthorized, "Invalid session")
	})
	t.Run("user verification required", func(t *testing.T) {
		f := newPasswordlessFixture(t, func(c *Config) { c.WebAuthn.UserVerification = "required" })
		a, _ := f.passkeyUser("lee")
		a.uv = false
		session, options := f.passkeyChallenge("lee")
		_, err := f.answer(types.ChallengeNameTypeWebAuthn, session, "USERNAME", "lee", "CREDENTIAL", a.get(options))
		wantAPIError(t, err, errNotAuthorized, "Incorrect passkey")
	})
}

// TestPasskeySurvivesARestart: a passkey is part of the pool's saved state,
// counter included.
func TestPasskeySurvivesARestart(t *testing.T) {
	first := newPasswordlessFixture(t, nil)
	a, _ := first.passkeyUser("max")
	session, options := first.passkeyChallenge("max")
	if _, err := first.answer(types.ChallengeNameTypeWebAuthn, session, "USERNAME", "max", "CREDENTIAL", a.get(options)); err != nil {
		t.Fatal(err)
	}
	var saved bytes.Buffer
	if err := first.srv.SaveState(&saved); err != nil {
		t.Fatal(err)
	}
	second := newPasswordlessFixture(t, nil)
	if err := second.srv.LoadState(&saved); err != nil {
		t.Fatal(err)
	}
	session, options = second.passkeyChallenge("max")
	if _, err := second.answer(types.ChallengeNameTypeWebAuthn, session, "USERNAME", "max", "CREDENTIAL", a.get(options)); err != nil {
		t.Fatalf("passkey sign-in after a restart: %v", err)
	}
	a.count = 1
	session, options = second.passkeyChallenge("max")
	_, err := second.answer(types.ChallengeNameTypeWebAuthn, session, "USERNAME", "max", "CREDENTIAL", a.get(options))
	wantAPIError(t, err, errNotAuthorized, "signature counter went back")
}
