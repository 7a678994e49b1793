package localcognito

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/portcullis-cdk/portcullis/internal/protocol/totp"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/testclock"
)

// mfaFixture is a pool with the MFA configuration and a wall clock the
// test moves, the one TOTP codes are checked against.
func mfaFixture(t *testing.T, mfa string, edit ...func(*Config)) (*fixture, *testclock.Clock) {
	t.Helper()
	f := newFixture(t, func(c *Config) {
		c.MFA = mfa
		c.Clients = append(c.Clients, Client{ID: "srpclient", ExplicitAuthFlows: []string{AllowUserSRPAuth}})
		for _, e := range edit {
			e(c)
		}
	})
	wall := testclock.New(time.Date(2031, 5, 6, 7, 8, 0, 0, time.UTC))
	f.srv.wall = wall.Now
	return f, wall
}

// totpCode is the authenticator app's code at the wall clock's time.
func totpCode(t *testing.T, secret string, wall *testclock.Clock) string {
	t.Helper()
	c, err := totp.Code(secret, wall.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrol signs ada in on a pool that requires MFA and answers MFA_SETUP
// with a new authenticator; it returns the secret.
func enrol(t *testing.T, f *fixture, wall *testclock.Clock) string {
	t.Helper()
	out, err := f.passwordAuth(publicID, "ada", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if out.ChallengeName != types.ChallengeNameTypeMfaSetup || out.AuthenticationResult != nil ||
		out.ChallengeParameters["MFAS_CAN_SETUP"] != `["SOFTWARE_TOKEN_MFA"]` || len(aws.ToString(out.Session)) < 20 {
		t.Fatalf("first sign-in = %+v, want MFA_SETUP", out)
	}
	assoc, err := f.idp.AssociateSoftwareToken(f.ctx, &cip.AssociateSoftwareTokenInput{Session: out.Session})
	if err != nil {
		t.Fatalf("AssociateSoftwareToken: %v", err)
	}
	secret := aws.ToString(assoc.SecretCode)
	if len(secret) != 52 || assoc.Session == nil || aws.ToString(assoc.Session) == aws.ToString(out.Session) {
		t.Fatalf("AssociateSoftwareToken = secret %q, session %v", secret, assoc.Session)
	}
	code := totpCode(t, secret, wall)
	_, err = f.idp.VerifySoftwareToken(f.ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session, UserCode: aws.String(wrongCode(code))})
	wantAPIError(t, err, errEnableSoftwareToken, "Code mismatch")
	verified, err := f.idp.VerifySoftwareToken(f.ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session, UserCode: aws.String(code), FriendlyDeviceName: aws.String("phone")})
	if err != nil || verified.Status != types.VerifySoftwareTokenResponseTypeSuccess {
		t.Fatalf("VerifySoftwareToken = %+v, %v", verified, err)
	}
	_, err = f.respond(publicID, challengeMFASetup, assoc.Session, map[string]string{"USERNAME": "ada"})
	wantAPIError(t, err, errNotAuthorized, "Invalid session")
	done, err := f.respond(publicID, challengeMFASetup, verified.Session, map[string]string{"USERNAME": "ada"})
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("RespondToAuthChallenge MFA_SETUP = %+v, %v", done, err)
	}
	if _, err := f.authorizer(publicID).Authorize(f.ctx, "Bearer "+aws.ToString(done.AuthenticationResult.IdToken), nil); err != nil {
		t.Errorf("ID token after MFA_SETUP: %v", err)
	}
	return secret
}

// TestTOTPRequired: where the pool requires MFA, the first sign-in enrols
// an authenticator (MFA_SETUP) and every later one, by password or SRP,
// asks for its code (SOFTWARE_TOKEN_MFA); a code counts once.
func TestTOTPRequired(t *testing.T) {
	f, wall := mfaFixture(t, MFAOn)
	f.confirmedUser("ada", "ada@example.com")
	secret := enrol(t, f, wall)

	out, err := f.passwordAuth(publicID, "ada", goodPassword)
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("second sign-in = %+v, %v; want SOFTWARE_TOKEN_MFA", out, err)
	}
	answer := func(session *string, code string) (*cip.RespondToAuthChallengeOutput, error) {
		return f.respond(publicID, challengeSoftwareTokenMFA, session, map[string]string{"USERNAME": "ada", "SOFTWARE_TOKEN_MFA_CODE": code})
	}
	_, err = answer(out.Session, totpCode(t, secret, wall))
	wantAPIError(t, err, errExpiredCode, "already been used once")
	_, err = answer(out.Session, "12345")
	wantAPIError(t, err, errCodeMismatch, "Invalid code received for user")
	wall.Advance(totp.Period)
	code := totpCode(t, secret, wall)
	done, err := answer(out.Session, code)
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("SOFTWARE_TOKEN_MFA = %+v, %v", done, err)
	}
	_, err = answer(out.Session, code)
	wantAPIError(t, err, errNotAuthorized, "Invalid session")

	// SRP: the same second step after the password verifier.
	wall.Advance(totp.Period)
	verifier, err := f.srpSignIn(t, "srpclient", "ada", goodPassword)
	if err != nil || verifier.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("SRP sign-in = %+v, %v; want SOFTWARE_TOKEN_MFA", verifier, err)
	}
	done, err = f.respond("srpclient", challengeSoftwareTokenMFA, verifier.Session, map[string]string{"USERNAME": "ada", "SOFTWARE_TOKEN_MFA_CODE": totpCode(t, secret, wall)})
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("SRP SOFTWARE_TOKEN_MFA = %+v, %v", done, err)
	}

	user, err := f.idp.GetUser(f.ctx, &cip.GetUserInput{AccessToken: done.AuthenticationResult.AccessToken})
	if err != nil || aws.ToString(user.PreferredMfaSetting) != mfaSoftwareToken || len(user.UserMFASettingList) != 1 {
		t.Errorf("GetUser = %+v, %v; want TOTP preferred", user, err)
	}
}

// TestTOTPSessionLimits: a challenge session takes five wrong codes and
// then ends, and it lasts three minutes of the pool's clock.
func TestTOTPSessionLimits(t *testing.T) {
	f, wall := mfaFixture(t, MFAOn)
	f.confirmedUser("ada", "ada@example.com")
	secret := enrol(t, f, wall)
	wall.Advance(totp.Period)

	out, err := f.passwordAuth(publicID, "ada", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	good := totpCode(t, secret, wall)
	for range maxCodeRetries {
		_, err := f.respond(publicID, challengeSoftwareTokenMFA, out.Session, map[string]string{"USERNAME": "ada", "SOFTWARE_TOKEN_MFA_CODE": wrongCode(good)})
		wantAPIError(t, err, errCodeMismatch, "Invalid code")
	}
	_, err = f.respond(publicID, challengeSoftwareTokenMFA, out.Session, map[string]string{"USERNAME": "ada", "SOFTWARE_TOKEN_MFA_CODE": good})
	wantAPIError(t, err, errNotAuthorized, "Invalid session")

	out, err = f.passwordAuth(publicID, "ada", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(sessionValidity)
	_, err = f.respond(publicID, challengeSoftwareTokenMFA, out.Session, map[string]string{"USERNAME": "ada", "SOFTWARE_TOKEN_MFA_CODE": good})
	wantAPIError(t, err, errNotAuthorized, "Invalid session")
}

// TestTOTPOptional: where MFA is optional a signed-in user adds an
// authenticator with their access token; sign-in asks for its code only
// once they enable it with SetUserMFAPreference, and an administrator can
// turn it off again.
func TestTOTPOptional(t *testing.T) {
	f, wall := mfaFixture(t, MFAOptional)
	f.confirmedUser("ada", "ada@example.com")
	tok := f.signIn("ada", goodPassword).AccessToken

	pref := &cip.SetUserMFAPreferenceInput{AccessToken: tok, SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}
	_, err := f.idp.SetUserMFAPreference(f.ctx, pref)
	wantAPIError(t, err, errInvalidParameter, "User has not verified software token mfa")
	_, err = f.idp.VerifySoftwareToken(f.ctx, &cip.VerifySoftwareTokenInput{AccessToken: tok, UserCode: aws.String("123456")})
	wantAPIError(t, err, errSoftwareTokenNotFound, "AssociateSoftwareToken")

	assoc, err := f.idp.AssociateSoftwareToken(f.ctx, &cip.AssociateSoftwareTokenInput{AccessToken: tok})
	if err != nil || assoc.Session != nil {
		t.Fatalf("AssociateSoftwareToken = %+v, %v", assoc, err)
	}
	secret := aws.ToString(assoc.SecretCode)
	verified, err := f.idp.VerifySoftwareToken(f.ctx, &cip.VerifySoftwareTokenInput{AccessToken: tok, UserCode: aws.String(totpCode(t, secret, wall))})
	if err != nil || verified.Status != types.VerifySoftwareTokenResponseTypeSuccess {
		t.Fatalf("VerifySoftwareToken = %+v, %v", verified, err)
	}
	f.signIn("ada", goodPassword) // verified, not yet enabled

	if _, err := f.idp.SetUserMFAPreference(f.ctx, pref); err != nil {
		t.Fatalf("SetUserMFAPreference: %v", err)
	}
	out, err := f.passwordAuth(publicID, "ada", goodPassword)
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("sign-in with TOTP enabled = %+v, %v", out, err)
	}
	got, err := f.idp.AdminGetUser(f.ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(testPoolID), Username: aws.String("ada")})
	if err != nil || aws.ToString(got.PreferredMfaSetting) != mfaSoftwareToken {
		t.Errorf("AdminGetUser = %+v, %v", got, err)
	}

	if _, err := f.idp.AdminSetUserMFAPreference(f.ctx, &cip.AdminSetUserMFAPreferenceInput{
		UserPoolId: aws.String(testPoolID), Username: aws.String("ada"),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: false},
	}); err != nil {
		t.Fatalf("AdminSetUserMFAPreference: %v", err)
	}
	f.signIn("ada", goodPassword)
	_, err = f.idp.SetUserMFAPreference(f.ctx, &cip.SetUserMFAPreferenceInput{AccessToken: tok, SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true}})
	wantAPIError(t, err, errInvalidParameter, "only software token")
}

// TestTOTPRefusals: MFA off, malformed codes, and both or neither of an
// access token and a session.
func TestTOTPRefusals(t *testing.T) {
	f, _ := mfaFixture(t, MFAOff)
	f.confirmedUser("ada", "ada@example.com")
	tok := f.signIn("ada", goodPassword).AccessToken
	_, err := f.idp.AssociateSoftwareToken(f.ctx, &cip.AssociateSoftwareTokenInput{AccessToken: tok})
	wantAPIError(t, err, errSoftwareTokenNotFound, "not enabled for the user pool")

	f, _ = mfaFixture(t, MFAOptional)
	f.confirmedUser("ada", "ada@example.com")
	tok = f.signIn("ada", goodPassword).AccessToken
	for _, tc := range []struct {
		name string
		in   cip.VerifySoftwareTokenInput
		msg  string
	}{
		{"short code", cip.VerifySoftwareTokenInput{AccessToken: tok, UserCode: aws.String("12345")}, "greater than or equal to 6"},
		{"long code", cip.VerifySoftwareTokenInput{AccessToken: tok, UserCode: aws.String("1234567")}, "less than or equal to 6"},
		{"letters", cip.VerifySoftwareTokenInput{AccessToken: tok, UserCode: aws.String("12345a")}, "[0-9]+"},
		{"neither", cip.VerifySoftwareTokenInput{UserCode: aws.String("123456")}, "Exactly one of AccessToken and Session"},
		{"both", cip.VerifySoftwareTokenInput{AccessToken: tok, Session: aws.String("s-01234567890123456789"), UserCode: aws.String("123456")}, "Exactly one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.idp.VerifySoftwareToken(f.ctx, &tc.in)
			wantAPIError(t, err, errInvalidParameter, tc.msg)
		})
	}
}

// TestNewPasswordThenMFASetup: an invited user of a pool that requires
// MFA chooses a password and then enrols an authenticator, in one
// sign-in.
func TestNewPasswordThenMFASetup(t *testing.T) {
	f, wall := mfaFixture(t, MFAOn)
	if _, err := f.idp.AdminCreateUser(f.ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(testPoolID), Username: aws.String("cy"), TemporaryPassword: aws.String("Temp-Pass-123"),
		MessageAction: types.MessageActionTypeSuppress,
	}); err != nil {
		t.Fatal(err)
	}
	out, err := f.passwordAuth(publicID, "cy", "Temp-Pass-123")
	if err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
		t.Fatalf("sign-in = %+v, %v", out, err)
	}
	next, err := f.respond(publicID, challengeNewPassword, out.Session, map[string]string{"USERNAME": "cy", "NEW_PASSWORD": goodPassword})
	if err != nil || next.ChallengeName != types.ChallengeNameTypeMfaSetup {
		t.Fatalf("NEW_PASSWORD_REQUIRED answer = %+v, %v; want MFA_SETUP", next, err)
	}
	assoc, err := f.idp.AssociateSoftwareToken(f.ctx, &cip.AssociateSoftwareTokenInput{Session: next.Session})
	if err != nil {
		t.Fatal(err)
	}
	verified, err := f.idp.VerifySoftwareToken(f.ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session, UserCode: aws.String(totpCode(t, aws.ToString(assoc.SecretCode), wall))})
	if err != nil {
		t.Fatal(err)
	}
	done, err := f.respond(publicID, challengeMFASetup, verified.Session, map[string]string{"USERNAME": "cy"})
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("MFA_SETUP = %+v, %v", done, err)
	}
}
