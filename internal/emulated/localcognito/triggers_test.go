package localcognito

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth"
)

// recorder keeps the events a trigger received.
type recorder[E any] struct {
	mu     sync.Mutex
	events []E
}

func (r *recorder[E]) add(ev E) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

func (r *recorder[E]) all() []E {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// portcullisScopes is what the deployed pre token generation trigger adds
// for the API's routes.
var portcullisScopes = []string{"portcullis/todos.read", "portcullis/todos.write", "portcullis/profile.read"}

func TestPreTokenGeneration(t *testing.T) {
	var rec recorder[events.CognitoEventUserPoolsPreTokenGenV2_0]
	f := newFixture(t, func(c *Config) {
		c.Triggers.PreTokenGeneration = func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
			rec.add(ev)
			d := &ev.Response.ClaimsAndScopeOverrideDetails
			d.AccessTokenGeneration.ScopesToAdd = append(portcullisScopes, "has space", "portcullis/todos.read")
			d.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]any{
				"tenant": "acme", "roles": []string{"admin", "viewer"},
				// Reserved: a trigger cannot redirect the token.
				"sub": "someone-else", "aud": "another-client", "token_use": "id", "scope": "everything",
			}
			d.AccessTokenGeneration.ClaimsToSuppress = []string{"username", "client_id"} // reserved too
			d.IDTokenGeneration.ClaimsToAddOrOverride = map[string]any{
				"name": "Overridden", "plan": map[string]any{"tier": "gold"}, "email_verified": map[string]any{"x": 1},
				"dropped": "added, then suppressed",
			}
			d.IDTokenGeneration.ClaimsToSuppress = []string{"custom:company", "dropped", "iss"}
			return ev, nil
		}
	})
	f.confirmedUser("ivy", "ivy@example.com", "name", "Ivy", "custom:company", "ACME")
	res := f.signIn("ivy", goodPassword)

	evs := rec.all()
	if len(evs) != 1 {
		t.Fatalf("trigger ran %d times, want 1", len(evs))
	}
	ev := evs[0]
	if ev.TriggerSource != "TokenGeneration_Authentication" || ev.Version != "2" || ev.CallerContext.ClientID != publicID ||
		ev.UserPoolID != testPoolID || ev.Region != testRegion || ev.UserName != "ivy" {
		t.Errorf("event header = %+v", ev.CognitoEventUserPoolsHeader)
	}
	if !slices.Equal(ev.Request.Scopes, []string{"aws.cognito.signin.user.admin"}) ||
		ev.Request.UserAttributes["email"] != "ivy@example.com" || ev.Request.UserAttributes["cognito:user_status"] != "CONFIRMED" ||
		ev.Request.UserAttributes["sub"] == "" {
		t.Errorf("event request = %+v", ev.Request)
	}

	access, id := claims(t, aws.ToString(res.AccessToken)), claims(t, aws.ToString(res.IdToken))
	wantScope := "aws.cognito.signin.user.admin " + strings.Join(portcullisScopes, " ")
	if access["scope"] != wantScope {
		t.Errorf("scope = %q, want %q", access["scope"], wantScope)
	}
	if access["tenant"] != "acme" || len(access["roles"].([]any)) != 2 {
		t.Errorf("added claims: tenant %v roles %v", access["tenant"], access["roles"])
	}
	if access["sub"] != id["sub"] || access["sub"] == "someone-else" || access["aud"] != nil || access["token_use"] != "access" ||
		access["username"] != "ivy" || access["client_id"] != publicID {
		t.Errorf("reserved access claims were changed: %v", access)
	}
	if id["name"] != "Overridden" || id["plan"].(map[string]any)["tier"] != "gold" || id["email_verified"] != true ||
		id["custom:company"] != nil || id["dropped"] != nil || id["iss"] != f.srv.Issuer() {
		t.Errorf("ID claims = %v", id)
	}

	// The API's JWT authorizer now accepts the access token for a scoped
	// route, and still refuses the ID token, which has no scope.
	az := f.authorizer(publicID)
	if _, err := az.Authorize(f.ctx, "Bearer "+aws.ToString(res.AccessToken), []string{"portcullis/todos.read"}); err != nil {
		t.Errorf("access token refused for portcullis/todos.read: %v", err)
	}
	_, err := az.Authorize(f.ctx, "Bearer "+aws.ToString(res.IdToken), []string{"portcullis/todos.read"})
	var authErr *jwtauth.Error
	if !errors.As(err, &authErr) || authErr.Status != 403 {
		t.Errorf("ID token for a scoped route: %v, want 403", err)
	}

	// Refreshing runs the trigger again with its own source.
	ref, err := f.refresh(publicID, aws.ToString(res.RefreshToken))
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if got := claims(t, aws.ToString(ref.AuthenticationResult.AccessToken))["scope"]; got != wantScope {
		t.Errorf("refreshed scope = %q", got)
	}
	if evs := rec.all(); len(evs) != 2 || evs[1].TriggerSource != "TokenGeneration_RefreshTokens" {
		t.Errorf("refresh trigger sources = %v", sources(evs))
	}

	// And after an invited user's first password.
	if _, err := f.idp.AdminCreateUser(f.ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(testPoolID), Username: aws.String("invitee"), TemporaryPassword: aws.String("Temp-Pass-123"),
		MessageAction: types.MessageActionTypeSuppress,
	}); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	ch, err := f.passwordAuth(publicID, "invitee", "Temp-Pass-123")
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	if _, err := f.idp.RespondToAuthChallenge(f.ctx, &cip.RespondToAuthChallengeInput{
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ClientId: aws.String(publicID), Session: ch.Session,
		ChallengeResponses: map[string]string{"USERNAME": "invitee", "NEW_PASSWORD": goodPassword},
	}); err != nil {
		t.Fatalf("RespondToAuthChallenge: %v", err)
	}
	if evs := rec.all(); len(evs) != 3 || evs[2].TriggerSource != "TokenGeneration_NewPasswordChallenge" {
		t.Errorf("trigger sources = %v", sources(evs))
	}
}

func sources(evs []events.CognitoEventUserPoolsPreTokenGenV2_0) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.TriggerSource)
	}
	return out
}

// TestPreTokenGenerationSuppressesAdminScope shows the pool's own user
// operations refusing an access token whose admin scope was suppressed.
func TestPreTokenGenerationSuppressesAdminScope(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Triggers.PreTokenGeneration = func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
			ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ScopesToAdd = []string{"portcullis/todos.read"}
			ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ScopesToSuppress = []string{"aws.cognito.signin.user.admin"}
			return ev, nil
		}
	})
	f.confirmedUser("amy", "amy@example.com")
	res := f.signIn("amy", goodPassword)
	if got := claims(t, aws.ToString(res.AccessToken))["scope"]; got != "portcullis/todos.read" {
		t.Errorf("scope = %q", got)
	}
	_, err := f.idp.GetUser(f.ctx, &cip.GetUserInput{AccessToken: res.AccessToken})
	wantAPIError(t, err, "NotAuthorizedException", "Access Token does not have required scopes")
}

func TestPreTokenGenerationFailure(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Triggers.PreTokenGeneration = func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
			return ev, errors.New("no scopes for you")
		}
	})
	f.confirmedUser("zed", "zed@example.com")
	_, err := f.passwordAuth(publicID, "zed", goodPassword)
	wantAPIError(t, err, "UserLambdaValidationException", "PreTokenGeneration failed with error no scopes for you.")
}

func TestPreSignUp(t *testing.T) {
	var pre recorder[events.CognitoEventUserPoolsPreSignup]
	var post recorder[events.CognitoEventUserPoolsPostConfirmation]
	f := newFixture(t, func(c *Config) {
		c.Triggers.PreSignUp = func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
			pre.add(ev)
			email := ev.Request.UserAttributes["email"]
			if !strings.HasSuffix(email, "@example.com") {
				return ev, errors.New("sign-up is limited to addresses at example.com")
			}
			if ev.Request.ValidationData["invite"] == "vip" {
				ev.Response.AutoConfirmUser = true
				ev.Response.AutoVerifyEmail = true
			}
			return ev, nil
		}
		c.Triggers.PostConfirmation = func(_ context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
			post.add(ev)
			return ev, nil
		}
	})

	_, err := f.idp.SignUp(f.ctx, &cip.SignUpInput{
		ClientId: aws.String(publicID), Username: aws.String("mallory"), Password: aws.String(goodPassword),
		UserAttributes: attrs("email", "mallory@evil.test"),
	})
	wantAPIError(t, err, "UserLambdaValidationException", "PreSignUp failed with error sign-up is limited to addresses at example.com.")
	_, err = f.idp.AdminGetUser(f.ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(testPoolID), Username: aws.String("mallory")})
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")
	if len(f.sink.all()) != 0 {
		t.Errorf("a refused sign-up sent %v", f.sink.all())
	}

	// The trigger confirms and verifies a VIP at once: no code, and the
	// post confirmation trigger runs at sign-up.
	up, err := f.idp.SignUp(f.ctx, &cip.SignUpInput{
		ClientId: aws.String(publicID), Username: aws.String("vip"), Password: aws.String(goodPassword),
		UserAttributes: attrs("email", "vip@example.com"), ValidationData: attrs("invite", "vip"),
		ClientMetadata: map[string]string{"source": "test"},
	})
	if err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	if !up.UserConfirmed || up.CodeDeliveryDetails != nil || len(f.sink.all()) != 0 {
		t.Errorf("auto-confirmed sign-up: confirmed %v details %+v messages %v", up.UserConfirmed, up.CodeDeliveryDetails, f.sink.all())
	}
	evs := pre.all()
	last := evs[len(evs)-1]
	if last.TriggerSource != "PreSignUp_SignUp" || last.CallerContext.ClientID != publicID || last.UserName != "vip" ||
		last.Request.ClientMetadata["source"] != "test" || last.Request.UserAttributes["sub"] != "" {
		t.Errorf("pre sign-up event = %+v", last)
	}
	if p := post.all(); len(p) != 1 || p[0].TriggerSource != "PostConfirmation_ConfirmSignUp" || p[0].Request.UserAttributes["email_verified"] != "true" {
		t.Errorf("post confirmation events = %+v", p)
	}
	f.signIn("vip", goodPassword)

	// An invitation runs the trigger too, and ignores its auto-confirmation.
	created, err := f.idp.AdminCreateUser(f.ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(testPoolID), Username: aws.String("guest"), UserAttributes: attrs("email", "guest@example.com"),
		ValidationData: attrs("invite", "vip"), DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
	})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	if created.User.UserStatus != types.UserStatusTypeForceChangePassword {
		t.Errorf("invited user status = %q", created.User.UserStatus)
	}
	if evs := pre.all(); evs[len(evs)-1].TriggerSource != "PreSignUp_AdminCreateUser" || evs[len(evs)-1].CallerContext.ClientID != "CLIENT_ID_NOT_APPLICABLE" {
		t.Errorf("admin pre sign-up event = %+v", evs[len(evs)-1].CognitoEventUserPoolsHeader)
	}
	if len(post.all()) != 1 {
		t.Errorf("an invitation ran post confirmation")
	}
}

func TestPostConfirmationRunsOnce(t *testing.T) {
	var post recorder[events.CognitoEventUserPoolsPostConfirmation]
	f := newFixture(t, func(c *Config) {
		c.Triggers.PostConfirmation = func(_ context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
			post.add(ev)
			return ev, nil
		}
	})
	f.signUp("pat", goodPassword, "email", "pat@example.com")
	code, _ := f.srv.Code("pat")
	confirm := func() error {
		_, err := f.idp.ConfirmSignUp(f.ctx, &cip.ConfirmSignUpInput{
			ClientId: aws.String(publicID), Username: aws.String("pat"), ConfirmationCode: aws.String(code),
		})
		return err
	}
	if err := confirm(); err != nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}
	wantAPIError(t, confirm(), "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
	evs := post.all()
	if len(evs) != 1 {
		t.Fatalf("post confirmation ran %d times, want 1", len(evs))
	}
	a := evs[0].Request.UserAttributes
	if evs[0].TriggerSource != "PostConfirmation_ConfirmSignUp" || evs[0].CallerContext.ClientID != publicID ||
		a["email"] != "pat@example.com" || a["email_verified"] != "true" || a["cognito:user_status"] != "CONFIRMED" || a["sub"] == "" {
		t.Errorf("event = %+v", evs[0])
	}

	// An administrator's confirmation runs it too, once.
	f.signUp("sam", goodPassword, "email", "sam@example.com")
	for range 2 {
		_, _ = f.idp.AdminConfirmSignUp(f.ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(testPoolID), Username: aws.String("sam")})
	}
	evs = post.all()
	if len(evs) != 2 || evs[1].UserName != "sam" || evs[1].CallerContext.ClientID != "CLIENT_ID_NOT_APPLICABLE" {
		t.Errorf("events after admin confirmation = %+v", evs)
	}
}

// TestPostConfirmationFailure: like Cognito, a failing trigger fails the
// call, but the user stays confirmed.
func TestPostConfirmationFailure(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Triggers.PostConfirmation = func(_ context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
			return ev, errors.New("table unavailable")
		}
	})
	f.signUp("lee", goodPassword, "email", "lee@example.com")
	code, _ := f.srv.Code("lee")
	_, err := f.idp.ConfirmSignUp(f.ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(publicID), Username: aws.String("lee"), ConfirmationCode: aws.String(code)})
	wantAPIError(t, err, "UserLambdaValidationException", "PostConfirmation failed with error table unavailable.")
	f.signIn("lee", goodPassword)
}

func TestCustomMessage(t *testing.T) {
	var rec recorder[events.CognitoEventUserPoolsCustomMessage]
	f := newFixture(t, func(c *Config) {
		c.Triggers.CustomMessage = func(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
			rec.add(ev)
			switch ev.TriggerSource {
			case "CustomMessage_SignUp":
				ev.Response.EmailMessage = "<p>Welcome! Your code is <b>" + ev.Request.CodeParameter + "</b></p>"
				ev.Response.EmailSubject = "Welcome"
			case "CustomMessage_AdminCreateUser":
				ev.Response.EmailMessage = "Sign in as " + ev.Request.UsernameParameter + " with " + ev.Request.CodeParameter
			case "CustomMessage_ResendCode":
				ev.Response.EmailMessage = "No placeholder here"
			}
			return ev, nil
		}
	})
	f.signUp("kim", goodPassword, "email", "kim@example.com", "name", "Kim")
	code, ok := f.srv.Code("kim")
	if !ok || len(code) != 6 {
		t.Fatalf("Code = %q, %v", code, ok)
	}
	got := f.sink.last(t)
	want := sentMessage{"kim", "kim@example.com", "EMAIL", "<p>Welcome! Your code is <b>" + code + "</b></p>"}
	if got != want {
		t.Errorf("sign-up message = %+v, want %+v", got, want)
	}
	ev := rec.all()[0]
	if ev.TriggerSource != "CustomMessage_SignUp" || ev.Request.CodeParameter != "{####}" || ev.Request.UsernameParameter != "" ||
		ev.Request.UserAttributes["name"] != "Kim" || ev.CallerContext.ClientID != publicID {
		t.Errorf("custom message event = %+v", ev)
	}

	// A message without the code placeholder would lose the code: the
	// default message goes out instead. The new code replaces the old.
	if _, err := f.idp.ResendConfirmationCode(f.ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(publicID), Username: aws.String("kim")}); err != nil {
		t.Fatalf("ResendConfirmationCode: %v", err)
	}
	code2, _ := f.srv.Code("kim")
	if got := f.sink.last(t).Message; got != "Your verification code is "+code2+". " {
		t.Errorf("resent message = %q", got)
	}
	if code2 != code {
		_, err := f.idp.ConfirmSignUp(f.ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(publicID), Username: aws.String("kim"), ConfirmationCode: aws.String(code)})
		wantAPIError(t, err, "CodeMismatchException", "Invalid verification code provided, please try again.")
	}

	// Invitations substitute the username and the temporary password.
	if _, err := f.idp.AdminCreateUser(f.ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(testPoolID), Username: aws.String("lou"), UserAttributes: attrs("email", "lou@example.com"),
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
	}); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	temp, _ := f.srv.Code("lou")
	if got := f.sink.last(t).Message; got != "Sign in as lou with "+temp {
		t.Errorf("invitation = %q", got)
	}
	if evs := rec.all(); evs[len(evs)-1].Request.UsernameParameter != "{username}" {
		t.Errorf("invitation event usernameParameter = %q", evs[len(evs)-1].Request.UsernameParameter)
	}
	out, err := f.passwordAuth(publicID, "lou", temp)
	if err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
		t.Errorf("sign-in with the emailed temporary password: %v, %v", out, err)
	}
}

func TestDefaultMessages(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.AutoVerifiedAttributes = []string{"email", "phone_number"} })
	up := f.signUp("pia", goodPassword, "email", "pia@example.com", "phone_number", "+15555550123")
	code, _ := f.srv.Code("pia")
	// With both auto-verified, the code goes by SMS.
	want := sentMessage{"pia", "+15555550123", "SMS", "Your verification code is " + code + ". "}
	if got := f.sink.last(t); got != want {
		t.Errorf("message = %+v, want %+v", got, want)
	}
	if d := up.CodeDeliveryDetails; d.DeliveryMedium != types.DeliveryMediumTypeSms || aws.ToString(d.Destination) != "+*******0123" {
		t.Errorf("CodeDeliveryDetails = %+v", d)
	}

	if _, err := f.idp.AdminCreateUser(f.ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(testPoolID), Username: aws.String("ola"), UserAttributes: attrs("email", "ola@example.com"),
	}); err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	temp, _ := f.srv.Code("ola")
	if got := f.sink.last(t); got.Medium != "EMAIL" || got.Message != "Your username is ola and temporary password is "+temp+". " {
		t.Errorf("invitation = %+v", got)
	}
	if err := DefaultPasswordPolicy.check(temp); err != nil {
		t.Errorf("generated temporary password %q: %v", temp, err)
	}
}

func TestTriggerTimeoutAndPanic(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f := newFixture(t, func(c *Config) {
		c.TriggerTimeout = 50 * time.Millisecond
		c.Triggers.PreSignUp = func(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
			if ev.UserName == "slow" {
				<-release
			}
			if ev.UserName == "boom" {
				panic("nil map")
			}
			return ev, nil
		}
	})
	for name, want := range map[string][2]string{
		"slow": {"UnexpectedLambdaException", "PreSignUp invocation failed due to error TimeoutError."},
		"boom": {"UserLambdaValidationException", "PreSignUp failed with error nil map."},
	} {
		_, err := f.idp.SignUp(f.ctx, &cip.SignUpInput{ClientId: aws.String(publicID), Username: aws.String(name), Password: aws.String(goodPassword)})
		wantAPIError(t, err, want[0], want[1])
	}
}
