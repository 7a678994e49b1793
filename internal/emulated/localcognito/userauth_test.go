package localcognito

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

const testOrigin = "http://localhost:5173"

// newPasswordlessFixture is a pool whose public client signs in by choice
// (USER_AUTH) with every first factor, and passkeys for localhost.
func newPasswordlessFixture(t *testing.T, edit func(*Config)) *fixture {
	return newFixture(t, func(c *Config) {
		c.MFA = MFAOptional
		c.FirstAuthFactors = []string{"PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"}
		c.WebAuthn = WebAuthnConfig{RelyingPartyID: "localhost", Origins: []string{testOrigin}}
		c.Clients[0].ExplicitAuthFlows = append(c.Clients[0].ExplicitAuthFlows, AllowUserAuth)
		if edit != nil {
			edit(c)
		}
	})
}

// userAuth starts a USER_AUTH sign-in with the public client.
func (f *fixture) userAuth(username string, extra ...string) (*cip.InitiateAuthOutput, error) {
	params := map[string]string{"USERNAME": username}
	for i := 0; i+1 < len(extra); i += 2 {
		params[extra[i]] = extra[i+1]
	}
	return f.idp.InitiateAuth(f.ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserAuth, ClientId: aws.String(publicID), AuthParameters: params,
	})
}

// answer answers a challenge of the public client.
func (f *fixture) answer(name types.ChallengeNameType, session string, kv ...string) (*cip.RespondToAuthChallengeOutput, error) {
	resp := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		resp[kv[i]] = kv[i+1]
	}
	return f.idp.RespondToAuthChallenge(f.ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(publicID), ChallengeName: name, Session: aws.String(session), ChallengeResponses: resp,
	})
}

// emailOTP starts an email one-time-code sign-in and returns its session
// and the code sent.
func (f *fixture) emailOTP(username string) (session, code string) {
	f.t.Helper()
	out, err := f.userAuth(username, "PREFERRED_CHALLENGE", "EMAIL_OTP")
	if err != nil {
		f.t.Fatalf("InitiateAuth USER_AUTH EMAIL_OTP: %v", err)
	}
	if out.ChallengeName != types.ChallengeNameTypeEmailOtp {
		f.t.Fatalf("challenge %q, want EMAIL_OTP", out.ChallengeName)
	}
	code, ok := f.srv.Code(username)
	if !ok {
		f.t.Fatal("no code was sent")
	}
	return aws.ToString(out.Session), code
}

func TestUserAuthEmailOTP(t *testing.T) {
	f := newPasswordlessFixture(t, nil)
	f.confirmedUser("alice", "alice@example.com")
	out, err := f.userAuth("alice", "PREFERRED_CHALLENGE", "EMAIL_OTP")
	if err != nil {
		t.Fatal(err)
	}
	p := out.ChallengeParameters
	if out.ChallengeName != types.ChallengeNameTypeEmailOtp || p["CODE_DELIVERY_DELIVERY_MEDIUM"] != "EMAIL" || p["CODE_DELIVERY_DESTINATION"] != "a***@e***" {
		t.Fatalf("challenge %q %v, want EMAIL_OTP to a***@e*** by EMAIL", out.ChallengeName, p)
	}
	sent := f.sink.last(t)
	code, _ := f.srv.Code("alice")
	if !regexp.MustCompile(`^[0-9]{8}$`).MatchString(code) || sent.Destination != "alice@example.com" || sent.Medium != "EMAIL" || !strings.Contains(sent.Message, code) {
		t.Fatalf("sent %+v with code %q, want an eight-digit code emailed to alice@example.com", sent, code)
	}
	res, err := f.answer(types.ChallengeNameTypeEmailOtp, aws.ToString(out.Session), "USERNAME", "alice", "EMAIL_OTP_CODE", code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.authorizer(publicID).Authorize(f.ctx, "Bearer "+aws.ToString(res.AuthenticationResult.AccessToken), nil); err != nil {
		t.Fatalf("access token: %v", err)
	}
	// The code was for one sign-in.
	_, err = f.answer(types.ChallengeNameTypeEmailOtp, aws.ToString(out.Session), "USERNAME", "alice", "EMAIL_OTP_CODE", code)
	wantAPIError(t, err, errNotAuthorized, "Invalid session")
}

func TestUserAuthSelectChallenge(t *testing.T) {
	f := newPasswordlessFixture(t, nil)
	f.confirmedUser("bob", "bob@example.com")
	// No phone number and no passkey: neither is offered, and a preferred
	// challenge that is not available falls back to the choice.
	out, err := f.userAuth("bob", "PREFERRED_CHALLENGE", "SMS_OTP")
	if err != nil {
		t.Fatal(err)
	}
	want := []types.ChallengeNameType{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"}
	if out.ChallengeName != types.ChallengeNameTypeSelectChallenge || !slices.Equal(out.AvailableChallenges, want) {
		t.Fatalf("challenge %q with %v, want SELECT_CHALLENGE with %v", out.ChallengeName, out.AvailableChallenges, want)
	}
	_, err = f.answer(types.ChallengeNameTypeSelectChallenge, aws.ToString(out.Session), "USERNAME", "bob", "ANSWER", "SMS_OTP")
	wantAPIError(t, err, errInvalidParameter, `ANSWER "SMS_OTP" is not one of the available challenges`)

	next, err := f.answer(types.ChallengeNameTypeSelectChallenge, aws.ToString(out.Session), "USERNAME", "bob", "ANSWER", "EMAIL_OTP")
	if err != nil || next.ChallengeName != types.ChallengeNameTypeEmailOtp {
		t.Fatalf("ANSWER EMAIL_OTP: %v, challenge %v", err, next)
	}

	out, _ = f.userAuth("bob")
	res, err := f.answer(types.ChallengeNameTypeSelectChallenge, aws.ToString(out.Session), "USERNAME", "bob", "ANSWER", "PASSWORD", "PASSWORD", goodPassword)
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("ANSWER PASSWORD with the password: %v, %v", err, res)
	}
	out, _ = f.userAuth("bob")
	_, err = f.answer(types.ChallengeNameTypeSelectChallenge, aws.ToString(out.Session), "USERNAME", "bob", "ANSWER", "PASSWORD", "PASSWORD", "Wrong-Password-1")
	wantAPIError(t, err, errNotAuthorized, "Incorrect username or password.")

	// A name that is no user is offered the password, which fails as a
	// wrong one does.
	out, err = f.userAuth("nobody", "PREFERRED_CHALLENGE", "EMAIL_OTP")
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSelectChallenge {
		t.Fatalf("unknown user: %v, %v", err, out)
	}
	_, err = f.answer(types.ChallengeNameTypeSelectChallenge, aws.ToString(out.Session), "USERNAME", "nobody", "ANSWER", "PASSWORD", "PASSWORD", goodPassword)
	wantAPIError(t, err, errNotAuthorized, "Incorrect username or password.")
}

func TestUserAuthWrongOTPUpToTheLimit(t *testing.T) {
	f := newPasswordlessFixture(t, nil)
	f.confirmedUser("carol", "carol@example.com")
	session, code := f.emailOTP("carol")
	for range maxCodeRetries {
		_, err := f.answer(types.ChallengeNameTypeEmailOtp, session, "USERNAME", "carol", "EMAIL_OTP_CODE", "00000000")
		wantAPIError(t, err, errCodeMismatch, "Invalid code")
	}
	// The session ended at the limit: the right code no longer works.
	_, err := f.answer(types.ChallengeNameTypeEmailOtp, session, "USERNAME", "carol", "EMAIL_OTP_CODE", code)
	wantAPIError(t, err, errNotAuthorized, "Invalid session")
}

func TestUserAuthOTPExpiresWithTheSession(t *testing.T) {
	f := newPasswordlessFixture(t, nil)
	f.confirmedUser("dave", "dave@example.com")
	session, code := f.emailOTP("dave")
	f.clock.Advance(sessionValidity)
	_, err := f.answer(types.ChallengeNameTypeEmailOtp, session, "USERNAME", "dave", "EMAIL_OTP_CODE", code)
	wantAPIError(t, err, errNotAuthorized, "Invalid session")
}

func TestUserAuthSMSOTPVerifiesThePhone(t *testing.T) {
	f := newPasswordlessFixture(t, nil)
	f.confirmedUser("erin", "erin@example.com", "phone_number", "+15555550100")
	out, err := f.userAuth("erin", "PREFERRED_CHALLENGE", "SMS_OTP")
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSmsOtp || out.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "SMS" {
		t.Fatalf("SMS_OTP: %v, %+v", err, out)
	}
	code, _ := f.srv.Code("erin")
	res, err := f.answer(types.ChallengeNameTypeSmsOtp, aws.ToString(out.Session), "USERNAME", "erin", "SMS_OTP_CODE", code)
	if err != nil {
		t.Fatal(err)
	}
	if c := claims(t, aws.ToString(res.AuthenticationResult.IdToken)); c["phone_number_verified"] != true {
		t.Errorf("phone_number_verified = %v after a code sent to it, want true", c["phone_number_verified"])
	}
}

func TestUserAuthRules(t *testing.T) {
	t.Run("client without ALLOW_USER_AUTH", func(t *testing.T) {
		f := newFixture(t, nil)
		_, err := f.userAuth("anyone")
		wantAPIError(t, err, errInvalidParameter, "USER_AUTH flow not enabled for this client")
	})
	t.Run("pool requiring MFA offers only the password", func(t *testing.T) {
		f := newPasswordlessFixture(t, func(c *Config) { c.MFA = MFAOn })
		f.confirmedUser("frank", "frank@example.com")
		out, err := f.userAuth("frank", "PREFERRED_CHALLENGE", "EMAIL_OTP")
		if err != nil {
			t.Fatal(err)
		}
		if want := []types.ChallengeNameType{"PASSWORD", "PASSWORD_SRP"}; !slices.Equal(out.AvailableChallenges, want) {
			t.Errorf("AvailableChallenges %v, want %v", out.AvailableChallenges, want)
		}
	})
	t.Run("password only by default", func(t *testing.T) {
		f := newPasswordlessFixture(t, func(c *Config) { c.FirstAuthFactors = nil })
		f.confirmedUser("gina", "gina@example.com")
		out, err := f.userAuth("gina", "PREFERRED_CHALLENGE", "PASSWORD", "PASSWORD", goodPassword)
		if err != nil || out.AuthenticationResult == nil {
			t.Fatalf("PREFERRED_CHALLENGE PASSWORD: %v, %+v", err, out)
		}
	})
	t.Run("unknown preferred challenge", func(t *testing.T) {
		f := newPasswordlessFixture(t, nil)
		_, err := f.userAuth("anyone", "PREFERRED_CHALLENGE", "CARRIER_PIGEON")
		wantAPIError(t, err, errInvalidParameter, "PREFERRED_CHALLENGE")
	})
}

func TestGetUserAuthFactors(t *testing.T) {
	f := newPasswordlessFixture(t, nil)
	f.confirmedUser("hana", "hana@example.com")
	tokens := f.signIn("hana", goodPassword)
	out, err := f.idp.GetUserAuthFactors(f.ctx, &cip.GetUserAuthFactorsInput{AccessToken: tokens.AccessToken})
	if err != nil {
		t.Fatal(err)
	}
	if want := []types.AuthFactorType{"PASSWORD", "EMAIL_OTP"}; !slices.Equal(out.ConfiguredUserAuthFactors, want) || aws.ToString(out.Username) != "hana" {
		t.Errorf("GetUserAuthFactors = %s %v, want hana %v", aws.ToString(out.Username), out.ConfiguredUserAuthFactors, want)
	}
	_, err = f.idp.GetUserAuthFactors(f.ctx, &cip.GetUserAuthFactorsInput{AccessToken: aws.String("not-a-token")})
	wantAPIError(t, err, errNotAuthorized, "")
}
