package localcognito

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth"
	"github.com/portcullis-cdk/portcullis/internal/protocol/srp"
	"github.com/portcullis-cdk/portcullis/internal/smoke"
)

// Clients of the SRP fixtures: the deployed Portcullis clients allow SRP
// and refresh only.
const (
	otherSRPID   = "spaclient2"
	passwordOnly = "passwordonly"
)

// srpClients gives a fixture public clients that allow SRP, a
// confidential one, and one that allows only USER_PASSWORD_AUTH.
func srpClients(c *Config) {
	c.Clients = []Client{
		{ID: publicID, ExplicitAuthFlows: []string{AllowUserSRPAuth, AllowRefreshTokenAuth}},
		{ID: otherSRPID, ExplicitAuthFlows: []string{AllowUserSRPAuth}},
		{ID: secretID, Secret: clientSecret, ExplicitAuthFlows: []string{AllowUserSRPAuth, AllowRefreshTokenAuth}},
		{ID: passwordOnly, ExplicitAuthFlows: []string{AllowUserPasswordAuth}},
	}
}

var (
	hex32Pattern  = regexp.MustCompile(`^[0-9a-f]{32}$`)
	srpChallenges = []string{"SALT", "SECRET_BLOCK", "SRP_B", "USERNAME", "USER_ID_FOR_SRP"}
)

// srpStart is the first step of a USER_SRP_AUTH sign-in as the smoke
// command makes it: USERNAME as typed and SRP_A from an srp.Client.
func (f *fixture) srpStart(clientID, username string, extra ...string) (*srp.Client, *cip.InitiateAuthOutput, error) {
	c, err := srp.NewClient(testPoolID)
	if err != nil {
		return nil, nil, err
	}
	params := map[string]string{"USERNAME": username, "SRP_A": c.A()}
	for i := 0; i+1 < len(extra); i += 2 {
		params[extra[i]] = extra[i+1]
	}
	out, err := f.idp.InitiateAuth(f.ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(clientID), AuthParameters: params,
	})
	return c, out, err
}

// srpAnswer computes the PASSWORD_VERIFIER answer at the pool's time.
func (f *fixture) srpAnswer(t *testing.T, c *srp.Client, typed, password string, challenge *cip.InitiateAuthOutput) map[string]string {
	t.Helper()
	if challenge.ChallengeName != types.ChallengeNameTypePasswordVerifier {
		t.Fatalf("challenge = %q, want PASSWORD_VERIFIER", challenge.ChallengeName)
	}
	resp, err := c.Respond(typed, password, challenge.ChallengeParameters, f.clock.Now())
	if err != nil {
		t.Fatalf("Respond: %v", err)
	}
	return resp
}

func (f *fixture) respond(clientID, challenge string, session *string, responses map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	return f.idp.RespondToAuthChallenge(f.ctx, &cip.RespondToAuthChallengeInput{
		ChallengeName: types.ChallengeNameType(challenge), ClientId: aws.String(clientID),
		Session: session, ChallengeResponses: responses,
	})
}

// srpSignIn runs both steps of a USER_SRP_AUTH sign-in with clientID.
func (f *fixture) srpSignIn(t *testing.T, clientID, username, password string) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	c, out, err := f.srpStart(clientID, username)
	if err != nil {
		return nil, err
	}
	return f.respond(clientID, challengePasswordVerifier, out.Session, f.srpAnswer(t, c, username, password, out))
}

// TestSRPSignIn signs users in with USER_SRP_AUTH, as the deployed
// clients do, by username and through an email alias, and checks the
// tokens against the served JWKS and the trigger that shaped them.
func TestSRPSignIn(t *testing.T) {
	tests := []struct {
		name       string
		emailPool  bool
		signUpName string
		typed      string
	}{
		{"username", false, "alice", "alice"},
		{"username in another case", false, "alice", "ALICE"},
		{"email alias", true, "Jane@Example.com", "jane@example.COM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder[events.CognitoEventUserPoolsPreTokenGenV2_0]
			f := newFixture(t, func(c *Config) {
				srpClients(c)
				if tt.emailPool {
					c.UsernameAttributes = []string{"email"}
				}
				c.Triggers.PreTokenGeneration = func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
					rec.add(ev)
					ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ScopesToAdd = portcullisScopes
					return ev, nil
				}
			})
			var up *cip.SignUpOutput
			if tt.emailPool {
				up = f.signUp(tt.signUpName, goodPassword)
			} else {
				up = f.signUp(tt.signUpName, goodPassword, "email", "alice@example.com")
			}
			code, _ := f.srv.Code(tt.signUpName)
			if _, err := f.idp.ConfirmSignUp(f.ctx, &cip.ConfirmSignUpInput{
				ClientId: aws.String(publicID), Username: aws.String(tt.signUpName), ConfirmationCode: aws.String(code),
			}); err != nil {
				t.Fatalf("ConfirmSignUp: %v", err)
			}
			sub := aws.ToString(up.UserSub)
			wantUserID := tt.signUpName
			if tt.emailPool {
				wantUserID = sub
			}

			c, out, err := f.srpStart(publicID, tt.typed)
			if err != nil {
				t.Fatalf("InitiateAuth: %v", err)
			}
			p := out.ChallengeParameters
			if keys := slices.Sorted(maps.Keys(p)); !slices.Equal(keys, srpChallenges) {
				t.Errorf("ChallengeParameters keys = %v, want %v", keys, srpChallenges)
			}
			if p["USER_ID_FOR_SRP"] != wantUserID || p["USERNAME"] != wantUserID || !hex32Pattern.MatchString(p["SALT"]) {
				t.Errorf("ChallengeParameters = %v, want USER_ID_FOR_SRP and USERNAME %q", p, wantUserID)
			}
			// Cognito sends no Session with this challenge.
			if out.Session != nil || out.AuthenticationResult != nil {
				t.Errorf("InitiateAuth Session %v, result %v", out.Session, out.AuthenticationResult)
			}

			resp, err := f.respond(publicID, challengePasswordVerifier, out.Session, f.srpAnswer(t, c, tt.typed, goodPassword, out))
			if err != nil {
				t.Fatalf("RespondToAuthChallenge: %v", err)
			}
			res := resp.AuthenticationResult
			if res == nil || resp.ChallengeName != "" || aws.ToString(res.RefreshToken) == "" {
				t.Fatalf("RespondToAuthChallenge = challenge %q, result %+v", resp.ChallengeName, res)
			}
			az := f.authorizer(publicID)
			for use, tok := range map[string]string{"access": aws.ToString(res.AccessToken), "id": aws.ToString(res.IdToken)} {
				r, err := az.Authorize(f.ctx, "Bearer "+tok, nil)
				if err != nil {
					t.Fatalf("%s token does not verify: %v", use, err)
				}
				if r.Claims["token_use"] != use || r.Claims["sub"] != sub {
					t.Errorf("%s token: token_use %v sub %v, want %s", use, r.Claims["token_use"], r.Claims["sub"], sub)
				}
			}
			if _, err := az.Authorize(f.ctx, "Bearer "+aws.ToString(res.AccessToken), portcullisScopes); err != nil {
				t.Errorf("access token lacks the trigger's scopes: %v", err)
			}
			if got := sources(rec.all()); !slices.Equal(got, []string{sourceTokenAuthentication}) {
				t.Errorf("trigger sources = %v", got)
			}
			if _, err := f.refresh(publicID, aws.ToString(res.RefreshToken)); err != nil {
				t.Errorf("refreshing an SRP session: %v", err)
			}
		})
	}
}

// TestSRPRefusals: each way a USER_SRP_AUTH sign-in can fail, with the
// error Cognito answers.
func TestSRPRefusals(t *testing.T) {
	f := newFixture(t, srpClients)
	f.confirmedUser("alice", "alice@example.com")
	f.confirmedUser("bob", "bob@example.com")
	f.signUp("uncle", goodPassword, "email", "uncle@example.com")

	// challenge starts a sign-in with the public client.
	challenge := func(t *testing.T, username string) (*srp.Client, *cip.InitiateAuthOutput) {
		t.Helper()
		c, out, err := f.srpStart(publicID, username)
		if err != nil {
			t.Fatalf("InitiateAuth %s: %v", username, err)
		}
		return c, out
	}
	// answer signs in as username with password, letting edit change the
	// answer and act before it is sent.
	answer := func(username, password string, edit func(*testing.T, map[string]string)) func(*testing.T) error {
		return func(t *testing.T) error {
			c, out := challenge(t, username)
			resp := f.srpAnswer(t, c, username, password, out)
			if edit != nil {
				edit(t, resp)
			}
			_, err := f.respond(publicID, challengePasswordVerifier, nil, resp)
			return err
		}
	}
	const incorrect = "Incorrect username or password."

	cases := []struct {
		name     string
		call     func(*testing.T) error
		wantType string
		wantMsg  string
	}{
		{"wrong password", answer("alice", goodPassword+"!", nil), "NotAuthorizedException", incorrect},
		{"unknown user", answer("nobody", goodPassword, nil), "NotAuthorizedException", incorrect},
		{"unconfirmed user, wrong password", answer("uncle", "nope", nil), "NotAuthorizedException", incorrect},
		{"unconfirmed user, right password", answer("uncle", goodPassword, nil), "UserNotConfirmedException", "User is not confirmed."},
		{"replayed answer", func(t *testing.T) error {
			c, out := challenge(t, "alice")
			resp := f.srpAnswer(t, c, "alice", goodPassword, out)
			if _, err := f.respond(publicID, challengePasswordVerifier, nil, resp); err != nil {
				t.Fatalf("first answer: %v", err)
			}
			_, err := f.respond(publicID, challengePasswordVerifier, nil, resp)
			return err
		}, "NotAuthorizedException", incorrect},
		{"right answer after a wrong one", func(t *testing.T) error {
			c, out := challenge(t, "alice")
			right := f.srpAnswer(t, c, "alice", goodPassword, out)
			wrong := f.srpAnswer(t, c, "alice", goodPassword+"!", out)
			if _, err := f.respond(publicID, challengePasswordVerifier, nil, wrong); err == nil {
				t.Fatal("wrong answer accepted")
			}
			_, err := f.respond(publicID, challengePasswordVerifier, nil, right)
			return err
		}, "NotAuthorizedException", incorrect},
		{"another user's challenge", answer("alice", goodPassword, func(_ *testing.T, r map[string]string) { r["USERNAME"] = "bob" }), "NotAuthorizedException", incorrect},
		{"answered by another client", func(t *testing.T) error {
			c, out := challenge(t, "alice")
			_, err := f.respond(otherSRPID, challengePasswordVerifier, nil, f.srpAnswer(t, c, "alice", goodPassword, out))
			return err
		}, "NotAuthorizedException", incorrect},
		{"forged secret block", answer("alice", goodPassword, func(_ *testing.T, r map[string]string) { r["PASSWORD_CLAIM_SECRET_BLOCK"] = "QUJD" }), "NotAuthorizedException", incorrect},
		{"re-dated answer", answer("alice", goodPassword, func(_ *testing.T, r map[string]string) {
			r["TIMESTAMP"] = f.clock.Now().Add(time.Second).Format("Mon Jan 2 15:04:05 UTC 2006")
		}), "NotAuthorizedException", incorrect},
		{"timestamp not in Cognito's format", answer("alice", goodPassword, func(_ *testing.T, r map[string]string) { r["TIMESTAMP"] = "2030-01-02T03:04:05Z" }), "InvalidParameterException", "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english."},
		{"client clock six minutes fast", func(t *testing.T) error {
			c, out := challenge(t, "alice")
			resp, err := c.Respond("alice", goodPassword, out.ChallengeParameters, f.clock.Now().Add(6*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.respond(publicID, challengePasswordVerifier, nil, resp)
			return err
		}, "NotAuthorizedException", incorrect},
		{"challenge expired", func(t *testing.T) error {
			c, out := challenge(t, "alice")
			f.clock.Advance(sessionValidity)
			resp := f.srpAnswer(t, c, "alice", goodPassword, out)
			_, err := f.respond(publicID, challengePasswordVerifier, nil, resp)
			return err
		}, "NotAuthorizedException", "Invalid session for the user, session is expired."},
		{"password changed since the challenge", answer("bob", goodPassword, func(t *testing.T, _ map[string]string) {
			if _, err := f.idp.AdminSetUserPassword(f.ctx, &cip.AdminSetUserPasswordInput{
				UserPoolId: aws.String(testPoolID), Username: aws.String("bob"), Password: aws.String(goodPassword), Permanent: true,
			}); err != nil {
				t.Fatal(err)
			}
		}), "NotAuthorizedException", incorrect},
		{"user deleted since the challenge", answer("bob", goodPassword, func(t *testing.T, _ map[string]string) {
			if _, err := f.idp.AdminDeleteUser(f.ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(testPoolID), Username: aws.String("bob")}); err != nil {
				t.Fatal(err)
			}
		}), "NotAuthorizedException", incorrect},
		{"missing signature", answer("alice", goodPassword, func(_ *testing.T, r map[string]string) { delete(r, "PASSWORD_CLAIM_SIGNATURE") }), "InvalidParameterException", "Missing required parameter PASSWORD_CLAIM_SIGNATURE"},
		{"missing SRP_A", func(t *testing.T) error {
			_, err := f.idp.InitiateAuth(f.ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(publicID), AuthParameters: map[string]string{"USERNAME": "alice"}})
			return err
		}, "InvalidParameterException", "Missing required parameter SRP_A"},
		{"SRP_A zero mod N", func(t *testing.T) error {
			_, err := f.idp.InitiateAuth(f.ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(publicID), AuthParameters: map[string]string{"USERNAME": "alice", "SRP_A": "0"}})
			return err
		}, "InvalidParameterException", "Invalid SRP_A"},
		{"client without ALLOW_USER_SRP_AUTH", func(t *testing.T) error {
			_, _, err := f.srpStart(passwordOnly, "alice")
			return err
		}, "InvalidParameterException", "USER_SRP_AUTH flow not enabled for this client"},
		{"PASSWORD_VERIFIER with a password-only client", func(t *testing.T) error {
			c, out := challenge(t, "alice")
			_, err := f.respond(passwordOnly, challengePasswordVerifier, nil, f.srpAnswer(t, c, "alice", goodPassword, out))
			return err
		}, "NotAuthorizedException", incorrect},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(t), tc.wantType, tc.wantMsg) })
	}
	f.clock.Advance(time.Minute)
	if _, err := f.srpSignIn(t, publicID, "alice", goodPassword); err != nil {
		t.Errorf("alice after the refusals: %v", err)
	}
}

// TestSRPUnknownUser: with user existence errors prevented, a name that is
// not a user gets a challenge shaped like a real one — a UUID for
// USER_ID_FOR_SRP and the same salt at every attempt — and then the error
// a wrong password gets.
func TestSRPUnknownUser(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		srpClients(c)
		c.UsernameAttributes = []string{"email"}
	})
	f.signUp("kim@example.com", goodPassword)
	code, _ := f.srv.Code("kim@example.com")
	if _, err := f.idp.ConfirmSignUp(f.ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(publicID), Username: aws.String("kim@example.com"), ConfirmationCode: aws.String(code)}); err != nil {
		t.Fatal(err)
	}

	// attempt signs in with a wrong password and returns the challenge and
	// the error, with its HTTP status.
	type attempt struct {
		params map[string]string
		code   string
		msg    string
		status int
	}
	try := func(name string) attempt {
		t.Helper()
		c, out, err := f.srpStart(publicID, name)
		if err != nil {
			t.Fatalf("InitiateAuth %s: %v", name, err)
		}
		_, err = f.respond(publicID, challengePasswordVerifier, out.Session, f.srpAnswer(t, c, name, "Wrong-Password-1", out))
		var apiErr smithy.APIError
		var respErr *smithyhttp.ResponseError
		if !errors.As(err, &apiErr) || !errors.As(err, &respErr) {
			t.Fatalf("%s: error = %v, want an API error", name, err)
		}
		return attempt{out.ChallengeParameters, apiErr.ErrorCode(), apiErr.ErrorMessage(), respErr.HTTPStatusCode()}
	}

	known, unknown := try("kim@example.com"), try("ghost@example.com")
	for label, a := range map[string]attempt{"known": known, "unknown": unknown} {
		if keys := slices.Sorted(maps.Keys(a.params)); !slices.Equal(keys, srpChallenges) {
			t.Errorf("%s: challenge keys = %v", label, keys)
		}
		if !uuidPattern.MatchString(a.params["USER_ID_FOR_SRP"]) || a.params["USERNAME"] != a.params["USER_ID_FOR_SRP"] ||
			!hex32Pattern.MatchString(a.params["SALT"]) || len(a.params["SECRET_BLOCK"]) != len(known.params["SECRET_BLOCK"]) {
			t.Errorf("%s: challenge = %v", label, a.params)
		}
		if a.code != "NotAuthorizedException" || a.msg != "Incorrect username or password." || a.status != http.StatusBadRequest {
			t.Errorf("%s: error = %d %s %q", label, a.status, a.code, a.msg)
		}
	}
	again := try("GHOST@example.com")
	if again.params["USER_ID_FOR_SRP"] != unknown.params["USER_ID_FOR_SRP"] || again.params["SALT"] != unknown.params["SALT"] {
		t.Errorf("a second attempt for the unknown name got another user id or salt: %v, then %v", unknown.params, again.params)
	}
	if again.params["SRP_B"] == unknown.params["SRP_B"] || again.params["SECRET_BLOCK"] == unknown.params["SECRET_BLOCK"] {
		t.Error("two attempts share SRP_B or SECRET_BLOCK")
	}
	if other := try("casper@example.com"); other.params["USER_ID_FOR_SRP"] == unknown.params["USER_ID_FOR_SRP"] || other.params["SALT"] == unknown.params["SALT"] {
		t.Error("two unknown names share a user id or salt")
	}
}

// TestSRPNewPasswordRequired: an invited user proves the temporary
// password with SRP, is asked for a new one, and signs in with it.
func TestSRPNewPasswordRequired(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		srpClients(c)
		c.UsernameAttributes = []string{"email"}
	})
	created, err := f.idp.AdminCreateUser(f.ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(testPoolID), Username: aws.String("newbie@example.com"),
		TemporaryPassword: aws.String("Temp-Pass-123"), MessageAction: types.MessageActionTypeSuppress,
	})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	sub := aws.ToString(created.User.Username)

	out, err := f.srpSignIn(t, publicID, "newbie@example.com", "Temp-Pass-123")
	if err != nil {
		t.Fatalf("SRP sign-in with the temporary password: %v", err)
	}
	if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || aws.ToString(out.Session) == "" ||
		out.ChallengeParameters["USER_ID_FOR_SRP"] != sub || out.AuthenticationResult != nil {
		t.Fatalf("after PASSWORD_VERIFIER: challenge %q, session %q, parameters %v", out.ChallengeName, aws.ToString(out.Session), out.ChallengeParameters)
	}
	done, err := f.respond(publicID, challengeNewPassword, out.Session, map[string]string{"USERNAME": sub, "NEW_PASSWORD": goodPassword})
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("NEW_PASSWORD_REQUIRED: %v, %+v", err, done)
	}

	// The new password is what SRP checks now.
	_, err = f.srpSignIn(t, publicID, "newbie@example.com", "Temp-Pass-123")
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	res, err := f.srpSignIn(t, publicID, "newbie@example.com", goodPassword)
	if err != nil || res.AuthenticationResult == nil {
		t.Fatalf("SRP sign-in with the new password: %v, %+v", err, res)
	}

	// So is one an administrator sets.
	if _, err := f.idp.AdminSetUserPassword(f.ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(testPoolID), Username: aws.String(sub), Password: aws.String("Another-Pass-4"), Permanent: true,
	}); err != nil {
		t.Fatal(err)
	}
	_, err = f.srpSignIn(t, publicID, "newbie@example.com", goodPassword)
	wantAPIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	if _, err := f.srpSignIn(t, publicID, "newbie@example.com", "Another-Pass-4"); err != nil {
		t.Errorf("SRP sign-in with the administrator's password: %v", err)
	}
}

// TestSRPSecretHash: a confidential client hashes the name it sends, which
// in the answer is the challenge's USERNAME (the sub), not the email.
func TestSRPSecretHash(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		srpClients(c)
		c.UsernameAttributes = []string{"email"}
	})
	const email = "ken@example.com"
	up := f.signUp(email, goodPassword)
	sub := aws.ToString(up.UserSub)
	code, _ := f.srv.Code(email)
	if _, err := f.idp.ConfirmSignUp(f.ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(publicID), Username: aws.String(email), ConfirmationCode: aws.String(code)}); err != nil {
		t.Fatal(err)
	}

	_, _, err := f.srpStart(secretID, email)
	wantAPIError(t, err, "NotAuthorizedException", "Client serverclient1 is configured for secret but secret was not received")
	_, _, err = f.srpStart(secretID, email, "SECRET_HASH", SecretHash(secretID, clientSecret, sub))
	wantAPIError(t, err, "NotAuthorizedException", "Unable to verify secret hash for client serverclient1")

	for _, tc := range []struct {
		name, hash        string
		wantType, wantMsg string
	}{
		{"no hash", "", "NotAuthorizedException", "configured for secret but secret was not received"},
		{"hash of the email", SecretHash(secretID, clientSecret, email), "NotAuthorizedException", "Unable to verify secret hash"},
		{"hash of the sub", srp.SecretHash(secretID, clientSecret, sub), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, out, err := f.srpStart(secretID, email, "SECRET_HASH", SecretHash(secretID, clientSecret, email))
			if err != nil {
				t.Fatalf("InitiateAuth: %v", err)
			}
			resp := f.srpAnswer(t, c, email, goodPassword, out)
			if tc.hash != "" {
				resp["SECRET_HASH"] = tc.hash
			}
			res, err := f.respond(secretID, challengePasswordVerifier, nil, resp)
			if tc.wantType != "" {
				wantAPIError(t, err, tc.wantType, tc.wantMsg)
				return
			}
			if err != nil || res.AuthenticationResult == nil {
				t.Fatalf("RespondToAuthChallenge: %v, %+v", err, res)
			}
		})
	}
}

// TestSRPSmokeAuthenticator drives the pool with the smoke command's own
// sign-in, on the real clock as against a deployed stage: an invited user
// answers PASSWORD_VERIFIER and NEW_PASSWORD_REQUIRED, then signs in
// again with the password they chose.
func TestSRPSmokeAuthenticator(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		srpClients(c)
		c.UsernameAttributes = []string{"email"}
		c.Now = time.Now
	})
	if _, err := f.idp.AdminCreateUser(f.ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(testPoolID), Username: aws.String("smoke@example.com"),
		TemporaryPassword: aws.String("Temp-Pass-123"), MessageAction: types.MessageActionTypeSuppress,
	}); err != nil {
		t.Fatal(err)
	}
	auth := smoke.NewAuthenticator(testPoolID)
	az := &jwtauth.Authorizer{Issuer: f.srv.Issuer(), Audience: []string{publicID}}
	for _, step := range []struct{ password, newPassword string }{
		{"Temp-Pass-123", goodPassword},
		{goodPassword, ""},
	} {
		tokens, err := auth.SRP(f.ctx, f.idp, publicID, "smoke@example.com", step.password, step.newPassword)
		if err != nil {
			t.Fatalf("smoke SRP sign-in with %s: %v", step.password, err)
		}
		if _, err := az.Authorize(f.ctx, "Bearer "+tokens.ID, nil); err != nil {
			t.Errorf("ID token: %v", err)
		}
	}
}

// TestSRPConcurrency signs one user in many times at once; run with -race.
func TestSRPConcurrency(t *testing.T) {
	f := newFixture(t, srpClients)
	f.confirmedUser("rush", "rush@example.com")
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range cap(errs) {
		wg.Go(func() {
			password := goodPassword
			if i%4 == 0 {
				password += "!"
			}
			_, err := f.srpSignIn(t, publicID, "rush", password)
			if (err == nil) != (i%4 != 0) {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("sign-in %v", err)
	}
	f.srv.users.mu.Lock()
	pending := len(f.srv.users.srp)
	f.srv.users.mu.Unlock()
	if pending != 0 {
		t.Errorf("%d challenges left after every one was answered", pending)
	}
}

// TestSRPSweep: challenges that are never answered do not pile up.
func TestSRPSweep(t *testing.T) {
	f := newFixture(t, srpClients)
	now := f.clock.Now()
	f.srv.users.mu.Lock()
	for i := range srpSweepThreshold {
		expires := now // expired
		if i == 0 {
			expires = now.Add(time.Second)
		}
		f.srv.users.srp[fmt.Sprint(i)] = &srpSession{expires: expires}
	}
	f.srv.users.mu.Unlock()
	if _, _, err := f.srpStart(publicID, "nobody"); err != nil {
		t.Fatal(err)
	}
	f.srv.users.mu.Lock()
	defer f.srv.users.mu.Unlock()
	if n := len(f.srv.users.srp); n != 2 {
		t.Errorf("%d challenges kept, want the 2 live ones", n)
	}
}

// TestAuthSessionValidity: a challenge lasts the client's
// AuthSessionValidity, Cognito's 3 minutes by default; a validity outside
// 3..15 minutes is refused.
func TestAuthSessionValidity(t *testing.T) {
	const longer = "longsession"
	f := newFixture(t, func(c *Config) {
		srpClients(c)
		c.Clients = append(c.Clients, Client{ID: longer, ExplicitAuthFlows: []string{AllowUserSRPAuth}, AuthSessionValidity: 10 * time.Minute})
	})
	f.confirmedUser("alice", "alice@example.com")
	for _, tc := range []struct {
		client string
		ok     bool
	}{{publicID, false}, {longer, true}} {
		c, out, err := f.srpStart(tc.client, "alice")
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(5 * time.Minute)
		_, err = f.respond(tc.client, challengePasswordVerifier, nil, f.srpAnswer(t, c, "alice", goodPassword, out))
		if (err == nil) != tc.ok {
			t.Errorf("client %s answering after 5 minutes: %v, want success %v", tc.client, err, tc.ok)
		}
	}
	for _, v := range []time.Duration{time.Minute, 20 * time.Minute} {
		cfg := Config{PoolID: testPoolID, BaseURL: "http://127.0.0.1:1", Clients: []Client{{ID: "c", AuthSessionValidity: v}}}
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "auth session validity") {
			t.Errorf("AuthSessionValidity %v: %v", v, err)
		}
	}
}
