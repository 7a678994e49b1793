package localcognito

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestCLISignIn replays the CLI sign-in flow: sign-up, admin-confirm-sign-up,
// initiate-auth USER_PASSWORD_AUTH, then a refresh; the tokens verify
// against the served JWKS.
func TestCLISignIn(t *testing.T) {
	f := newFixture(t, nil)

	up := f.signUp("xyz.abc", goodPassword, "email", "xyz.abc@efg.com")
	if up.UserConfirmed {
		t.Error("UserConfirmed = true after sign-up")
	}
	if !uuidPattern.MatchString(aws.ToString(up.UserSub)) {
		t.Errorf("UserSub = %q, want a UUID", aws.ToString(up.UserSub))
	}
	want := types.CodeDeliveryDetailsType{Destination: aws.String("x***@e***"), DeliveryMedium: types.DeliveryMediumTypeEmail, AttributeName: aws.String("email")}
	if d := up.CodeDeliveryDetails; d == nil || aws.ToString(d.Destination) != aws.ToString(want.Destination) ||
		d.DeliveryMedium != want.DeliveryMedium || aws.ToString(d.AttributeName) != "email" {
		t.Errorf("CodeDeliveryDetails = %+v, want %+v", up.CodeDeliveryDetails, want)
	}

	// Not confirmed yet: the right password is not enough.
	_, err := f.passwordAuth(publicID, "xyz.abc", goodPassword)
	wantAPIError(t, err, "UserNotConfirmedException", "User is not confirmed.")

	if _, err := f.idp.AdminConfirmSignUp(f.ctx, &cip.AdminConfirmSignUpInput{
		UserPoolId: aws.String(testPoolID), Username: aws.String("xyz.abc"),
	}); err != nil {
		t.Fatalf("AdminConfirmSignUp: %v", err)
	}

	res := f.signIn("xyz.abc", goodPassword)
	if aws.ToString(res.TokenType) != "Bearer" || res.ExpiresIn != 3600 || aws.ToString(res.RefreshToken) == "" {
		t.Errorf("AuthenticationResult = type %q, expires %d, refresh %q", aws.ToString(res.TokenType), res.ExpiresIn, aws.ToString(res.RefreshToken))
	}
	az := f.authorizer(publicID)
	for name, tok := range map[string]string{"access": aws.ToString(res.AccessToken), "id": aws.ToString(res.IdToken)} {
		r, err := az.Authorize(f.ctx, "Bearer "+tok, nil)
		if err != nil {
			t.Fatalf("%s token does not verify: %v", name, err)
		}
		if r.Claims["token_use"] != name || r.Claims["sub"] != aws.ToString(up.UserSub) {
			t.Errorf("%s token: token_use %q sub %q", name, r.Claims["token_use"], r.Claims["sub"])
		}
	}

	me, err := f.idp.GetUser(f.ctx, &cip.GetUserInput{AccessToken: res.AccessToken})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	if aws.ToString(me.Username) != "xyz.abc" {
		t.Errorf("GetUser Username = %q", aws.ToString(me.Username))
	}
	if v, _ := attrValue(me.UserAttributes, "email_verified"); v != "false" {
		t.Errorf("email_verified = %q after an admin confirmation, want false", v)
	}
	if v := claims(t, aws.ToString(res.IdToken))["email_verified"]; v != false {
		t.Errorf("ID token email_verified = %v, want false", v)
	}

	f.clock.Advance(10 * time.Minute)
	ref, err := f.refresh(publicID, aws.ToString(res.RefreshToken))
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	nr := ref.AuthenticationResult
	if nr == nil || nr.RefreshToken != nil {
		t.Fatalf("refresh result = %+v, want tokens without a refresh token", nr)
	}
	old, fresh := claims(t, aws.ToString(res.AccessToken)), claims(t, aws.ToString(nr.AccessToken))
	if fresh["origin_jti"] != old["origin_jti"] || fresh["auth_time"] != old["auth_time"] || fresh["jti"] == old["jti"] {
		t.Errorf("refreshed token: origin_jti %v/%v auth_time %v/%v jti %v/%v",
			fresh["origin_jti"], old["origin_jti"], fresh["auth_time"], old["auth_time"], fresh["jti"], old["jti"])
	}
	if fresh["iat"].(float64) <= old["iat"].(float64) {
		t.Errorf("refreshed iat %v not after %v", fresh["iat"], old["iat"])
	}
}

// TestNewPasswordRequired covers an administrator-created user: the first
// sign-in answers NEW_PASSWORD_REQUIRED, and answering it signs them in.
func TestNewPasswordRequired(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.RequiredAttributes = []string{"email"} })
	created, err := f.idp.AdminCreateUser(f.ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(testPoolID), Username: aws.String("newbie"),
		TemporaryPassword: aws.String("Temp-Pass-123"), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: attrs("email", "newbie@example.com", "email_verified", "true"),
	})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	if created.User.UserStatus != types.UserStatusTypeForceChangePassword || !created.User.Enabled {
		t.Errorf("created user status %q enabled %v", created.User.UserStatus, created.User.Enabled)
	}
	if len(f.sink.all()) != 0 {
		t.Errorf("SUPPRESS sent %v", f.sink.all())
	}

	out, err := f.passwordAuth(publicID, "newbie", "Temp-Pass-123")
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || aws.ToString(out.Session) == "" || out.AuthenticationResult != nil {
		t.Fatalf("InitiateAuth = challenge %q session %q result %v", out.ChallengeName, aws.ToString(out.Session), out.AuthenticationResult)
	}
	p := out.ChallengeParameters
	if p["USER_ID_FOR_SRP"] != "newbie" || p["requiredAttributes"] != "[]" ||
		!strings.Contains(p["userAttributes"], `"email":"newbie@example.com"`) || strings.Contains(p["userAttributes"], `"sub"`) {
		t.Errorf("ChallengeParameters = %v", p)
	}

	// A weak new password is refused and the session survives it.
	_, err = f.idp.RespondToAuthChallenge(f.ctx, &cip.RespondToAuthChallengeInput{
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ClientId: aws.String(publicID), Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "newbie", "NEW_PASSWORD": "weak"},
	})
	wantAPIError(t, err, "InvalidPasswordException", "Password not long enough")

	resp, err := f.idp.RespondToAuthChallenge(f.ctx, &cip.RespondToAuthChallengeInput{
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ClientId: aws.String(publicID), Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "newbie", "NEW_PASSWORD": goodPassword, "userAttributes.name": "New Bie"},
	})
	if err != nil {
		t.Fatalf("RespondToAuthChallenge: %v", err)
	}
	if resp.AuthenticationResult == nil || aws.ToString(resp.AuthenticationResult.RefreshToken) == "" {
		t.Fatalf("RespondToAuthChallenge result = %+v", resp.AuthenticationResult)
	}
	id := claims(t, aws.ToString(resp.AuthenticationResult.IdToken))
	if id["name"] != "New Bie" || id["email_verified"] != true {
		t.Errorf("ID token name %v email_verified %v", id["name"], id["email_verified"])
	}

	// The session is used up, and the user is confirmed.
	_, err = f.idp.RespondToAuthChallenge(f.ctx, &cip.RespondToAuthChallengeInput{
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ClientId: aws.String(publicID), Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "newbie", "NEW_PASSWORD": goodPassword + "x"},
	})
	wantAPIError(t, err, "NotAuthorizedException", "Invalid session for the user")
	got, err := f.idp.AdminGetUser(f.ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(testPoolID), Username: aws.String("NEWBIE")})
	if err != nil {
		t.Fatalf("AdminGetUser: %v", err)
	}
	if got.UserStatus != types.UserStatusTypeConfirmed {
		t.Errorf("status after the challenge = %q", got.UserStatus)
	}
	_, err = f.passwordAuth(publicID, "newbie", "Temp-Pass-123")
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	f.signIn("newbie", goodPassword)
}

// TestUsernameAttributes covers an email-as-username pool, as Portcullis
// deploys it: the username is the sub, sign-in is by email in any case, and
// the confirmation code verifies the email.
func TestUsernameAttributes(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.UsernameAttributes = []string{"email"} })
	up := f.signUp("Jane@Example.com", goodPassword, "name", "Jane", "custom:company", "ACME")
	sub := aws.ToString(up.UserSub)
	msg := f.sink.last(t)
	if msg.Username != sub || msg.Destination != "Jane@Example.com" || msg.Medium != "EMAIL" {
		t.Errorf("message = %+v", msg)
	}
	code, _ := f.srv.Code("jane@example.com")
	if _, err := f.idp.ConfirmSignUp(f.ctx, &cip.ConfirmSignUpInput{
		ClientId: aws.String(publicID), Username: aws.String("JANE@example.com"), ConfirmationCode: aws.String(code),
	}); err != nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}

	res := f.signIn("jane@EXAMPLE.com", goodPassword)
	access, id := claims(t, aws.ToString(res.AccessToken)), claims(t, aws.ToString(res.IdToken))
	now := float64(f.clock.Now().Unix())
	wantAccess := map[string]any{
		"sub": sub, "iss": f.srv.Issuer(), "client_id": publicID, "token_use": "access",
		"scope": "aws.cognito.signin.user.admin", "auth_time": now, "iat": now, "exp": now + 3600, "username": sub,
	}
	wantID := map[string]any{
		"sub": sub, "iss": f.srv.Issuer(), "aud": publicID, "token_use": "id", "cognito:username": sub,
		"auth_time": now, "iat": now, "exp": now + 3600, "email": "Jane@Example.com", "email_verified": true,
		"name": "Jane", "custom:company": "ACME",
	}
	check := func(name string, got, want map[string]any, extra ...string) {
		t.Helper()
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s token %s = %v, want %v", name, k, got[k], v)
			}
		}
		for _, k := range extra {
			if s, _ := got[k].(string); !uuidPattern.MatchString(s) {
				t.Errorf("%s token %s = %v, want a UUID", name, k, got[k])
			}
		}
		keys := make([]string, 0, len(got))
		for k := range got {
			keys = append(keys, k)
		}
		if len(got) != len(want)+len(extra) {
			t.Errorf("%s token claims = %v, want %d", name, keys, len(want)+len(extra))
		}
	}
	check("access", access, wantAccess, "jti", "origin_jti", "event_id")
	check("id", id, wantID, "jti", "origin_jti", "event_id")
	if access["origin_jti"] != id["origin_jti"] || access["event_id"] != id["event_id"] || access["jti"] == id["jti"] {
		t.Error("access and ID tokens of one sign-in should share origin_jti and event_id, not jti")
	}

	// The issuer's discovery document and keys are where the token says.
	az := f.authorizer(publicID)
	if az.KeySetURL() != f.srv.JWKSURL() {
		t.Errorf("JWKS URL %q, authorizer expects %q", f.srv.JWKSURL(), az.KeySetURL())
	}
	if _, err := az.Authorize(f.ctx, aws.ToString(res.IdToken), nil); err != nil {
		t.Errorf("ID token: %v", err)
	}
	// A second account cannot take the email, in any case.
	_, err := f.idp.SignUp(f.ctx, &cip.SignUpInput{ClientId: aws.String(publicID), Username: aws.String("JANE@example.COM"), Password: aws.String(goodPassword)})
	wantAPIError(t, err, "UsernameExistsException", "An account with the given email already exists.")
	_, err = f.idp.SignUp(f.ctx, &cip.SignUpInput{ClientId: aws.String(publicID), Username: aws.String("jane"), Password: aws.String(goodPassword)})
	wantAPIError(t, err, "InvalidParameterException", "Username should be an email.")
}

func TestListUsersAndDelete(t *testing.T) {
	f := newFixture(t, nil)
	for i, name := range []string{"ann", "bob", "cat"} {
		f.signUp(name, goodPassword, "email", name+"@example.com")
		f.clock.Advance(time.Duration(i+1) * time.Second)
	}
	page, err := f.idp.ListUsers(f.ctx, &cip.ListUsersInput{UserPoolId: aws.String(testPoolID), Limit: aws.Int32(2)})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	rest, err := f.idp.ListUsers(f.ctx, &cip.ListUsersInput{UserPoolId: aws.String(testPoolID), PaginationToken: page.PaginationToken})
	if err != nil {
		t.Fatalf("ListUsers page 2: %v", err)
	}
	var names []string
	for _, u := range append(page.Users, rest.Users...) {
		names = append(names, aws.ToString(u.Username))
	}
	if !slices.Equal(names, []string{"ann", "bob", "cat"}) || rest.PaginationToken != nil {
		t.Errorf("listed %v (next %v)", names, rest.PaginationToken)
	}

	for filter, want := range map[string][]string{
		`email = "BOB@example.com"`:           {"bob"},
		`username ^= "c"`:                     {"cat"},
		`cognito:user_status = "UNCONFIRMED"`: {"ann", "bob", "cat"},
		`name = "nobody"`:                     nil,
	} {
		out, err := f.idp.ListUsers(f.ctx, &cip.ListUsersInput{UserPoolId: aws.String(testPoolID), Filter: aws.String(filter), AttributesToGet: []string{"email"}})
		if err != nil {
			t.Fatalf("ListUsers %s: %v", filter, err)
		}
		var got []string
		for _, u := range out.Users {
			got = append(got, aws.ToString(u.Username))
			if len(u.Attributes) != 1 || aws.ToString(u.Attributes[0].Name) != "email" {
				t.Errorf("AttributesToGet email gave %+v", u.Attributes)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("filter %s = %v, want %v", filter, got, want)
		}
	}
	_, err = f.idp.ListUsers(f.ctx, &cip.ListUsersInput{UserPoolId: aws.String(testPoolID), Filter: aws.String(`custom:company = "x"`)})
	wantAPIError(t, err, "InvalidParameterException", "Invalid search attribute")

	if _, err := f.idp.AdminDeleteUser(f.ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(testPoolID), Username: aws.String("Bob")}); err != nil {
		t.Fatalf("AdminDeleteUser: %v", err)
	}
	_, err = f.idp.AdminGetUser(f.ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(testPoolID), Username: aws.String("bob")})
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")

	// A user deleting themselves.
	f.confirmedUser("dan", "dan@example.com")
	res := f.signIn("dan", goodPassword)
	if _, err := f.idp.DeleteUser(f.ctx, &cip.DeleteUserInput{AccessToken: res.AccessToken}); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	_, err = f.passwordAuth(publicID, "dan", goodPassword)
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	_, err = f.refresh(publicID, aws.ToString(res.RefreshToken))
	wantAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
}

// TestPhoneOrEmailSignIn: with both username attributes, a user signs up
// with either and signs in with it; the code goes where the name points.
func TestPhoneOrEmailSignIn(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.UsernameAttributes = []string{"email", "phone_number"}
		c.AutoVerifiedAttributes = []string{"email", "phone_number"}
	})
	for _, tc := range []struct{ name, medium string }{
		{"+61400000000", "SMS"},
		{"oliver@example.com", "EMAIL"},
	} {
		t.Run(tc.medium, func(t *testing.T) {
			up := f.signUp(tc.name, goodPassword, "name", "Oliver Schenk", "custom:company", "ACME", "custom:role_name", "Inventor")
			if got := up.CodeDeliveryDetails.DeliveryMedium; string(got) != tc.medium {
				t.Errorf("code sent by %s, want %s", got, tc.medium)
			}
			code, _ := f.srv.Code(tc.name)
			if _, err := f.idp.ConfirmSignUp(f.ctx, &cip.ConfirmSignUpInput{
				ClientId: aws.String(publicID), Username: aws.String(tc.name), ConfirmationCode: aws.String(code),
			}); err != nil {
				t.Fatalf("ConfirmSignUp: %v", err)
			}
			id := claims(t, aws.ToString(f.signIn(tc.name, goodPassword).IdToken))
			if id["cognito:username"] != aws.ToString(up.UserSub) || id["custom:role_name"] != "Inventor" {
				t.Errorf("ID token = %v", id)
			}
		})
	}
	_, err := f.idp.SignUp(f.ctx, &cip.SignUpInput{ClientId: aws.String(publicID), Username: aws.String("oliver"), Password: aws.String(goodPassword)})
	wantAPIError(t, err, "InvalidParameterException", "Username should be either an email or a phone number.")
	// The phone number of one account cannot become another's.
	_, err = f.idp.SignUp(f.ctx, &cip.SignUpInput{
		ClientId: aws.String(publicID), Username: aws.String("other@example.com"), Password: aws.String(goodPassword),
		UserAttributes: attrs("phone_number", "+61400000000"),
	})
	wantAPIError(t, err, "AliasExistsException", "An account with the given phone_number already exists.")
}
