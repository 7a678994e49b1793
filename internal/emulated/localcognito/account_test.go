package localcognito

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

const newPassword = "Battery-Staple-42"

func (f *fixture) forgot(clientID, username string) (*cip.ForgotPasswordOutput, error) {
	return f.idp.ForgotPassword(f.ctx, &cip.ForgotPasswordInput{ClientId: aws.String(clientID), Username: aws.String(username)})
}

func (f *fixture) confirmForgot(username, code, password string) error {
	_, err := f.idp.ConfirmForgotPassword(f.ctx, &cip.ConfirmForgotPasswordInput{
		ClientId: aws.String(publicID), Username: aws.String(username), ConfirmationCode: aws.String(code), Password: aws.String(password),
	})
	return err
}

// code is the last code the pool sent username.
func (f *fixture) code(username string) string {
	f.t.Helper()
	c, ok := f.srv.Code(username)
	if !ok {
		f.t.Fatalf("no code was sent to %s", username)
	}
	return c
}

// wrongCode is a six-digit code other than code.
func wrongCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// TestForgotPassword: the code goes to the verified email address, through
// the custom message trigger as CustomMessage_ForgotPassword; it sets a
// new password once, the old password stops working, and the post
// confirmation trigger hears of it as ConfirmForgotPassword.
func TestForgotPassword(t *testing.T) {
	var mu sync.Mutex
	var sources []string
	f := newFixture(t, func(c *Config) {
		c.Triggers.CustomMessage = func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
			mu.Lock()
			sources = append(sources, ev.TriggerSource)
			mu.Unlock()
			ev.Response.EmailMessage = "[" + ev.TriggerSource + "] " + ev.Request.CodeParameter
			return ev, nil
		}
		c.Triggers.PostConfirmation = func(_ context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
			mu.Lock()
			sources = append(sources, ev.TriggerSource)
			mu.Unlock()
			return ev, nil
		}
	})
	f.confirmedUser("ada", "ada@example.com")

	out, err := f.forgot(publicID, "ada")
	if err != nil {
		t.Fatalf("ForgotPassword: %v", err)
	}
	d := out.CodeDeliveryDetails
	if aws.ToString(d.Destination) != "a***@e***" || d.DeliveryMedium != types.DeliveryMediumTypeEmail || aws.ToString(d.AttributeName) != "email" {
		t.Errorf("CodeDeliveryDetails = %+v", d)
	}
	code := f.code("ada")
	if m := f.sink.last(t); m.Destination != "ada@example.com" || m.Message != "[CustomMessage_ForgotPassword] "+code {
		t.Errorf("message = %+v", m)
	}

	err = f.confirmForgot("ada", code, "short")
	wantAPIError(t, err, errInvalidPassword, "Password did not conform with policy")
	err = f.confirmForgot("ada", wrongCode(code), newPassword)
	wantAPIError(t, err, errCodeMismatch, "Invalid verification code provided")
	if err := f.confirmForgot("ada", code, newPassword); err != nil {
		t.Fatalf("ConfirmForgotPassword: %v", err)
	}
	err = f.confirmForgot("ada", code, newPassword)
	wantAPIError(t, err, errExpiredCode, "Invalid code provided, please request a code again.")

	_, err = f.passwordAuth(publicID, "ada", goodPassword)
	wantAPIError(t, err, errNotAuthorized, "Incorrect username or password.")
	f.signIn("ada", newPassword)

	mu.Lock()
	defer mu.Unlock()
	want := []string{"CustomMessage_SignUp", "PostConfirmation_ConfirmSignUp", "CustomMessage_ForgotPassword", "PostConfirmation_ConfirmForgotPassword"}
	if strings.Join(sources, ",") != strings.Join(want, ",") {
		t.Errorf("trigger sources = %v, want %v", sources, want)
	}
}

// TestForgotPasswordRefusals: the cases in which no code is sent, with
// Cognito's answers; an unknown user gets a simulated delivery from a
// client that prevents user existence errors, UserNotFoundException from
// one that does not.
func TestForgotPasswordRefusals(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Clients = append(c.Clients, Client{ID: "legacyclient", ExplicitAuthFlows: []string{AllowUserPasswordAuth}, LegacyUserExistenceErrors: true})
	})
	f.confirmedUser("ada", "ada@example.com")
	f.signUp("bob", goodPassword, "email", "bob@example.com") // unconfirmed, email unverified
	if _, err := f.idp.AdminCreateUser(f.ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(testPoolID), Username: aws.String("cy"), UserAttributes: attrs("email", "cy@example.com"),
	}); err != nil {
		t.Fatal(err)
	}

	out, err := f.forgot(publicID, "nobody@example.org")
	if err != nil {
		t.Fatalf("ForgotPassword for an unknown user: %v", err)
	}
	if d := out.CodeDeliveryDetails; aws.ToString(d.Destination) != "n***@e***" || d.DeliveryMedium != types.DeliveryMediumTypeEmail {
		t.Errorf("simulated CodeDeliveryDetails = %+v", d)
	}
	err = f.confirmForgot("nobody@example.org", "123456", newPassword)
	wantAPIError(t, err, errCodeMismatch, "Invalid verification code provided")

	_, err = f.forgot("legacyclient", "nobody@example.org")
	wantAPIError(t, err, errUserNotFound, "Username/client id combination not found.")
	_, err = f.forgot(publicID, "bob")
	wantAPIError(t, err, errInvalidParameter, "no registered/verified email or phone_number")
	_, err = f.forgot(publicID, "cy")
	wantAPIError(t, err, errNotAuthorized, "User password cannot be reset in the current state.")
	_, err = f.forgot(secretID, "ada")
	wantAPIError(t, err, errNotAuthorized, "configured for secret but secret was not received")

	if _, err := f.idp.AdminDisableUser(f.ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(testPoolID), Username: aws.String("ada")}); err != nil {
		t.Fatal(err)
	}
	_, err = f.forgot(publicID, "ada")
	wantAPIError(t, err, errNotAuthorized, "User is disabled.")
}

// TestResetCodeLimits: a reset code expires after an hour, and after five
// wrong guesses it is spent, so a six-digit code cannot be found by trying.
func TestResetCodeLimits(t *testing.T) {
	f := newFixture(t, nil)
	f.confirmedUser("ada", "ada@example.com")
	if _, err := f.forgot(publicID, "ada"); err != nil {
		t.Fatal(err)
	}
	code := f.code("ada")
	for range maxCodeRetries {
		err := f.confirmForgot("ada", wrongCode(code), newPassword)
		wantAPIError(t, err, errCodeMismatch, "Invalid verification code provided")
	}
	err := f.confirmForgot("ada", code, newPassword)
	wantAPIError(t, err, errLimitExceeded, "Attempt limit exceeded, please try after some time.")

	if _, err := f.forgot(publicID, "ada"); err != nil {
		t.Fatal(err)
	}
	code = f.code("ada")
	f.clock.Advance(resetCodeValidity)
	err = f.confirmForgot("ada", code, newPassword)
	wantAPIError(t, err, errExpiredCode, "Invalid code provided")
}

// TestRecoveryChannelFollowsTheSetting: AccountRecoverySetting picks the
// channel among the verified ones; a phone number goes first by default.
func TestRecoveryChannelFollowsTheSetting(t *testing.T) {
	for _, tc := range []struct {
		name     string
		recovery []string
		medium   types.DeliveryMediumType
		dest     string
	}{
		{"default prefers the phone", nil, types.DeliveryMediumTypeSms, "+*******4567"},
		{"email first", []string{RecoverVerifiedEmail, RecoverVerifiedPhone}, types.DeliveryMediumTypeEmail, "a***@e***"},
		{"phone only", []string{RecoverVerifiedPhone}, types.DeliveryMediumTypeSms, "+*******4567"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.AccountRecovery = tc.recovery })
			f.confirmedUser("ada", "ada@example.com")
			if err := f.adminUpdate("ada", "phone_number", "+15551234567", "phone_number_verified", "true"); err != nil {
				t.Fatal(err)
			}
			out, err := f.forgot(publicID, "ada")
			if err != nil {
				t.Fatal(err)
			}
			if d := out.CodeDeliveryDetails; d.DeliveryMedium != tc.medium || aws.ToString(d.Destination) != tc.dest {
				t.Errorf("CodeDeliveryDetails = %s %s, want %s %s", d.DeliveryMedium, aws.ToString(d.Destination), tc.medium, tc.dest)
			}
		})
	}
	f := newFixture(t, func(c *Config) { c.AccountRecovery = []string{RecoverAdminOnly} })
	f.confirmedUser("ada", "ada@example.com")
	_, err := f.forgot(publicID, "ada")
	wantAPIError(t, err, errInvalidParameter, "Cannot reset password")
}

// TestChangePassword: the previous password must be right, the new one
// must pass the policy, and five wrong previous passwords lock the
// operation for a while.
func TestChangePassword(t *testing.T) {
	f := newFixture(t, nil)
	f.confirmedUser("ada", "ada@example.com")
	tok := f.signIn("ada", goodPassword).AccessToken
	change := func(prev, next string) error {
		_, err := f.idp.ChangePassword(f.ctx, &cip.ChangePasswordInput{AccessToken: tok, PreviousPassword: aws.String(prev), ProposedPassword: aws.String(next)})
		return err
	}
	wantAPIError(t, change("Wrong-Password-1", newPassword), errNotAuthorized, "Incorrect username or password.")
	wantAPIError(t, change(goodPassword, "nodigits"), errInvalidPassword, "Password did not conform with policy")
	wantAPIError(t, change(goodPassword, " padded-Pass1 "), errInvalidParameter, "proposedPassword")
	if err := change(goodPassword, newPassword); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	f.signIn("ada", newPassword)
	for range maxFailures {
		wantAPIError(t, change("Wrong-Password-1", goodPassword), errNotAuthorized, "Incorrect username or password.")
	}
	wantAPIError(t, change(newPassword, goodPassword), errLimitExceeded, "Attempt limit exceeded")
	f.clock.Advance(maxLockout)
	if err := change(newPassword, goodPassword); err != nil {
		t.Fatalf("ChangePassword after the lockout: %v", err)
	}
}

// TestVerifyChangedEmail: where the pool keeps the original until the new
// address is verified, the new one takes effect only with its code; a
// code can be sent again with GetUserAttributeVerificationCode, as
// CustomMessage_VerifyUserAttribute.
func TestVerifyChangedEmail(t *testing.T) {
	f := newFixture(t, withAttributeLists(true))
	f.confirmedUser("ada", "ada@example.com")
	tok := f.signIn("ada", goodPassword).AccessToken
	up, err := f.idp.UpdateUserAttributes(f.ctx, &cip.UpdateUserAttributesInput{AccessToken: tok, UserAttributes: attrs("email", "ada@new.example")})
	if err != nil {
		t.Fatal(err)
	}
	if len(up.CodeDeliveryDetailsList) != 1 || aws.ToString(up.CodeDeliveryDetailsList[0].Destination) != "a***@n***" {
		t.Errorf("CodeDeliveryDetailsList = %+v", up.CodeDeliveryDetailsList)
	}
	if got := f.getUser(aws.ToString(tok)); got["email"] != "ada@example.com" || got["email_verified"] != "true" {
		t.Errorf("before verification: %v", got)
	}

	again, err := f.idp.GetUserAttributeVerificationCode(f.ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: tok, AttributeName: aws.String("email")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(again.CodeDeliveryDetails.Destination) != "a***@n***" || f.sink.last(t).Destination != "ada@new.example" {
		t.Errorf("GetUserAttributeVerificationCode sent to %+v", f.sink.last(t))
	}
	code := f.code("ada")
	verify := func(name, code string) error {
		_, err := f.idp.VerifyUserAttribute(f.ctx, &cip.VerifyUserAttributeInput{AccessToken: tok, AttributeName: aws.String(name), Code: aws.String(code)})
		return err
	}
	wantAPIError(t, verify("email", wrongCode(code)), errCodeMismatch, "Invalid verification code")
	wantAPIError(t, verify("name", code), errInvalidParameter, "cannot be verified")
	wantAPIError(t, verify("phone_number", code), errExpiredCode, "Invalid code provided")
	if err := verify("email", code); err != nil {
		t.Fatalf("VerifyUserAttribute: %v", err)
	}
	if got := f.getUser(aws.ToString(tok)); got["email"] != "ada@new.example" || got["email_verified"] != "true" {
		t.Errorf("after verification: %v", got)
	}
	wantAPIError(t, verify("email", code), errExpiredCode, "Invalid code provided")
}

// TestVerifiedEmailTakenMeanwhile: a pending address someone else signed
// in with meanwhile cannot be verified (AliasExistsException).
func TestVerifiedEmailTakenMeanwhile(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.UsernameAttributes = []string{"email"}
		c.KeepOriginal = []string{"email"}
	})
	f.signUp("ada@example.com", goodPassword)
	f.confirmByCode("ada@example.com")
	tok := f.signIn("ada@example.com", goodPassword).AccessToken
	if _, err := f.idp.UpdateUserAttributes(f.ctx, &cip.UpdateUserAttributesInput{AccessToken: tok, UserAttributes: attrs("email", "shared@example.com")}); err != nil {
		t.Fatal(err)
	}
	code := f.code("ada@example.com")
	f.signUp("shared@example.com", goodPassword)
	f.confirmByCode("shared@example.com")
	_, err := f.idp.VerifyUserAttribute(f.ctx, &cip.VerifyUserAttributeInput{AccessToken: tok, AttributeName: aws.String("email"), Code: aws.String(code)})
	wantAPIError(t, err, errAliasExists, "An account with the given email already exists.")
	if got := f.getUser(aws.ToString(tok)); got["email"] != "ada@example.com" {
		t.Errorf("email = %q after a refused verification", got["email"])
	}
}

func (f *fixture) confirmByCode(username string) {
	f.t.Helper()
	if _, err := f.idp.ConfirmSignUp(f.ctx, &cip.ConfirmSignUpInput{
		ClientId: aws.String(publicID), Username: aws.String(username), ConfirmationCode: aws.String(f.code(username)),
	}); err != nil {
		f.t.Fatalf("ConfirmSignUp %s: %v", username, err)
	}
}

// TestDeleteUserAttributes: the client's write list and the pool's
// required attributes bound what a user may delete.
func TestDeleteUserAttributes(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		withAttributeLists(false)(c)
		c.RequiredAttributes = []string{"email"}
	})
	f.confirmedUser("ada", "ada@example.com", "name", "Ada", "custom:company", "ACME")
	if err := f.adminUpdate("ada", "custom:role_name", "admin"); err != nil {
		t.Fatal(err)
	}
	tok := f.signIn("ada", goodPassword).AccessToken
	del := func(names ...string) error {
		_, err := f.idp.DeleteUserAttributes(f.ctx, &cip.DeleteUserAttributesInput{AccessToken: tok, UserAttributeNames: names})
		return err
	}
	wantAPIError(t, del("custom:role_name"), errNotAuthorized, "unauthorized attribute")
	wantAPIError(t, del("email"), errInvalidParameter, "email: The attribute is required")
	wantAPIError(t, del("custom:nope"), errInvalidParameter, "Attribute does not exist in the schema")
	if err := del("name", "custom:company"); err != nil {
		t.Fatalf("DeleteUserAttributes: %v", err)
	}
	got := f.getUser(aws.ToString(tok))
	if _, ok := got["name"]; ok || got["custom:company"] != "" || got["custom:role_name"] != "admin" || got["email"] != "ada@example.com" {
		t.Errorf("attributes after delete: %v", got)
	}
}

// TestAdminResetUserPassword: the password stops working at once, sign-in
// says a reset is required, and the code sent sets a new one.
func TestAdminResetUserPassword(t *testing.T) {
	f := newFixture(t, nil)
	f.confirmedUser("ada", "ada@example.com")
	if _, err := f.idp.AdminResetUserPassword(f.ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(testPoolID), Username: aws.String("ada")}); err != nil {
		t.Fatalf("AdminResetUserPassword: %v", err)
	}
	got, err := f.idp.AdminGetUser(f.ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(testPoolID), Username: aws.String("ada")})
	if err != nil || got.UserStatus != types.UserStatusTypeResetRequired {
		t.Fatalf("AdminGetUser = %v, %v; want RESET_REQUIRED", got, err)
	}
	_, err = f.passwordAuth(publicID, "ada", goodPassword)
	wantAPIError(t, err, errPasswordResetRequired, "Password reset required for the user")
	if err := f.confirmForgot("ada", f.code("ada"), newPassword); err != nil {
		t.Fatalf("ConfirmForgotPassword: %v", err)
	}
	f.signIn("ada", newPassword)

	_, err = f.idp.AdminResetUserPassword(f.ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(testPoolID), Username: aws.String("nobody")})
	wantAPIError(t, err, errUserNotFound, "User does not exist.")
}

// TestDisableAndSignOut: a disabled user cannot sign in or refresh, and
// their tokens stop working; AdminUserGlobalSignOut ends the sessions of
// an enabled one.
func TestDisableAndSignOut(t *testing.T) {
	f := newFixture(t, nil)
	f.confirmedUser("ada", "ada@example.com")
	tokens := f.signIn("ada", goodPassword)
	user := func() *cip.AdminDisableUserInput {
		return &cip.AdminDisableUserInput{UserPoolId: aws.String(testPoolID), Username: aws.String("ada")}
	}
	if _, err := f.idp.AdminDisableUser(f.ctx, user()); err != nil {
		t.Fatal(err)
	}
	_, err := f.passwordAuth(publicID, "ada", goodPassword)
	wantAPIError(t, err, errNotAuthorized, "User is disabled.")
	_, err = f.passwordAuth(publicID, "ada", "Wrong-Password-1")
	wantAPIError(t, err, errNotAuthorized, "Incorrect username or password.")
	_, err = f.refresh(publicID, aws.ToString(tokens.RefreshToken))
	wantAPIError(t, err, errNotAuthorized, "")
	_, err = f.idp.GetUser(f.ctx, &cip.GetUserInput{AccessToken: tokens.AccessToken})
	wantAPIError(t, err, errNotAuthorized, "Access Token has been revoked")
	got, _ := f.idp.AdminGetUser(f.ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(testPoolID), Username: aws.String("ada")})
	if got == nil || got.Enabled {
		t.Errorf("AdminGetUser Enabled = %v after AdminDisableUser", got)
	}

	if _, err := f.idp.AdminEnableUser(f.ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(testPoolID), Username: aws.String("ada")}); err != nil {
		t.Fatal(err)
	}
	tokens = f.signIn("ada", goodPassword)
	if _, err := f.idp.AdminUserGlobalSignOut(f.ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(testPoolID), Username: aws.String("ada")}); err != nil {
		t.Fatal(err)
	}
	_, err = f.refresh(publicID, aws.ToString(tokens.RefreshToken))
	wantAPIError(t, err, errNotAuthorized, "Refresh Token has been revoked")
}

// TestSignInLockout: five wrong passwords lock sign-in for a second,
// doubling with every further failure; the right password then works
// again once the lockout ends.
func TestSignInLockout(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Clients = append(c.Clients, Client{ID: "srpclient", ExplicitAuthFlows: []string{AllowUserSRPAuth}})
	})
	f.confirmedUser("ada", "ada@example.com")
	for range maxFailures {
		_, err := f.passwordAuth(publicID, "ada", "Wrong-Password-1")
		wantAPIError(t, err, errNotAuthorized, "Incorrect username or password.")
	}
	_, err := f.passwordAuth(publicID, "ada", goodPassword)
	wantAPIError(t, err, errNotAuthorized, "Password attempts exceeded")
	// SRP: the challenge comes as for anyone, the answer is refused.
	_, err = f.srpSignIn(t, "srpclient", "ada", goodPassword)
	wantAPIError(t, err, errNotAuthorized, "Password attempts exceeded")
	f.clock.Advance(time.Second)
	_, err = f.passwordAuth(publicID, "ada", "Wrong-Password-1")
	wantAPIError(t, err, errNotAuthorized, "Incorrect username or password.")
	f.clock.Advance(time.Second)
	_, err = f.passwordAuth(publicID, "ada", goodPassword)
	wantAPIError(t, err, errNotAuthorized, "Password attempts exceeded")
	f.clock.Advance(time.Second)
	f.signIn("ada", goodPassword)
}

// TestLegacyUserExistenceErrors: a client configured LEGACY tells an
// unknown user apart, with UserNotFoundException, where the default
// client answers as for a real user.
func TestLegacyUserExistenceErrors(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Clients = append(c.Clients,
			Client{ID: "legacyclient", ExplicitAuthFlows: []string{AllowUserPasswordAuth, AllowUserSRPAuth}, LegacyUserExistenceErrors: true},
			Client{ID: "srpclient", ExplicitAuthFlows: []string{AllowUserSRPAuth}})
	})
	for _, tc := range []struct {
		name          string
		call          func(client string) error
		hidden, found string // error code from the default client ("" for success) and from the legacy one
	}{
		{"password sign-in", func(c string) error {
			_, err := f.passwordAuth(c, "nobody", goodPassword)
			return err
		}, errNotAuthorized, errUserNotFound},
		{"SRP sign-in", func(c string) error {
			if c == publicID {
				c = "srpclient"
			}
			_, _, err := f.srpStart(c, "nobody")
			return err
		}, "", errUserNotFound},
		{"confirm sign-up", func(c string) error {
			_, err := f.idp.ConfirmSignUp(f.ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(c), Username: aws.String("nobody"), ConfirmationCode: aws.String("123456")})
			return err
		}, errExpiredCode, errUserNotFound},
		{"resend code", func(c string) error {
			_, err := f.idp.ResendConfirmationCode(f.ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(c), Username: aws.String("nobody")})
			return err
		}, "", errUserNotFound},
		{"forgot password", func(c string) error {
			_, err := f.forgot(c, "nobody")
			return err
		}, "", errUserNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(publicID); tc.hidden == "" && err != nil {
				t.Errorf("default client: %v, want success", err)
			} else if tc.hidden != "" {
				wantAPIError(t, err, tc.hidden, "")
			}
			wantAPIError(t, tc.call("legacyclient"), tc.found, "")
		})
	}
}
