package localcognito

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// TestErrors drives the refusals a client meets, each with the error type
// and message Cognito answers with.
func TestErrors(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Clients = append(c.Clients, Client{ID: "srponly", Name: "default flows"})
	})
	f.confirmedUser("alice", "alice@example.com")
	f.signUp("unconfirmed", goodPassword, "email", "u@example.com")
	secretHash := SecretHash(secretID, clientSecret, "alice")

	cases := []struct {
		name     string
		call     func() error
		wantType string
		wantMsg  string
	}{
		{"duplicate sign-up", func() error {
			_, err := f.idp.SignUp(f.ctx, &cip.SignUpInput{ClientId: aws.String(publicID), Username: aws.String("ALICE"), Password: aws.String(goodPassword)})
			return err
		}, "UsernameExistsException", "User already exists"},
		{"duplicate invitation", func() error {
			_, err := f.idp.AdminCreateUser(f.ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(testPoolID), Username: aws.String("alice"), MessageAction: types.MessageActionTypeSuppress})
			return err
		}, "UsernameExistsException", "User account already exists"},
		{"wrong code", func() error {
			_, err := f.idp.ConfirmSignUp(f.ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(publicID), Username: aws.String("unconfirmed"), ConfirmationCode: aws.String("000000x")})
			return err
		}, "CodeMismatchException", "Invalid verification code provided, please try again."},
		{"code of an unknown user", func() error {
			_, err := f.idp.ConfirmSignUp(f.ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(publicID), Username: aws.String("nobody"), ConfirmationCode: aws.String("123456")})
			return err
		}, "ExpiredCodeException", "Invalid code provided, please request a code again."},
		{"wrong password", func() error {
			_, err := f.passwordAuth(publicID, "alice", goodPassword+"!")
			return err
		}, "NotAuthorizedException", "Incorrect username or password."},
		{"unknown user", func() error {
			_, err := f.passwordAuth(publicID, "nobody", goodPassword)
			return err
		}, "NotAuthorizedException", "Incorrect username or password."},
		{"unconfirmed user, wrong password", func() error {
			_, err := f.passwordAuth(publicID, "unconfirmed", "nope")
			return err
		}, "NotAuthorizedException", "Incorrect username or password."},
		{"missing password parameter", func() error {
			_, err := f.idp.InitiateAuth(f.ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(publicID), AuthParameters: map[string]string{"USERNAME": "alice"}})
			return err
		}, "InvalidParameterException", "Missing required parameter PASSWORD"},
		{"password too short", signUpWith(f, "short1", "Ab1!"), "InvalidPasswordException", "Password did not conform with policy: Password not long enough"},
		{"password without upper case", signUpWith(f, "weak1", "lower-case-1"), "InvalidPasswordException", "Password must have uppercase characters"},
		{"password without lower case", signUpWith(f, "weak2", "UPPER-CASE-1"), "InvalidPasswordException", "Password must have lowercase characters"},
		{"password without digits", signUpWith(f, "weak3", "No-Digits-Here"), "InvalidPasswordException", "Password must have numeric characters"},
		{"password without symbols", signUpWith(f, "weak4", "NoSymbols123"), "InvalidPasswordException", "Password must have symbol characters"},
		{"password with a leading space", signUpWith(f, "weak5", " Leading-Space-1"), "InvalidParameterException", "Member must satisfy regular expression pattern"},
		{"flow not allowed", func() error {
			_, err := f.passwordAuth("srponly", "alice", goodPassword)
			return err
		}, "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client"},
		{"admin flow on InitiateAuth", func() error {
			_, err := f.idp.InitiateAuth(f.ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, ClientId: aws.String(publicID)})
			return err
		}, "InvalidParameterException", "Initiate Auth method not supported."},
		{"custom auth, allowed but not implemented", func() error {
			_, err := f.idp.InitiateAuth(f.ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: aws.String("srponly")})
			return err
		}, "InvalidParameterException", "CUSTOM_AUTH is not supported by this local user pool"},
		{"secret hash missing", func() error {
			_, err := f.passwordAuth(secretID, "alice", goodPassword)
			return err
		}, "NotAuthorizedException", "Client serverclient1 is configured for secret but secret was not received"},
		{"secret hash wrong", func() error {
			_, err := f.passwordAuth(secretID, "alice", goodPassword, "SECRET_HASH", SecretHash(secretID, "guess", "alice"))
			return err
		}, "NotAuthorizedException", "Unable to verify secret hash for client serverclient1"},
		{"secret hash of another user", func() error {
			_, err := f.idp.SignUp(f.ctx, &cip.SignUpInput{ClientId: aws.String(secretID), Username: aws.String("carol"), Password: aws.String(goodPassword), SecretHash: aws.String(secretHash)})
			return err
		}, "NotAuthorizedException", "Unable to verify secret hash"},
		{"unknown client", func() error {
			_, err := f.passwordAuth("nosuchclient", "alice", goodPassword)
			return err
		}, "ResourceNotFoundException", "User pool client nosuchclient does not exist."},
		{"unknown pool", func() error {
			_, err := f.idp.AdminGetUser(f.ctx, &cip.AdminGetUserInput{UserPoolId: aws.String("us-east-1_Other"), Username: aws.String("alice")})
			return err
		}, "ResourceNotFoundException", "User pool us-east-1_Other does not exist."},
		{"client writes email_verified", func() error {
			_, err := f.idp.SignUp(f.ctx, &cip.SignUpInput{ClientId: aws.String(publicID), Username: aws.String("eve"), Password: aws.String(goodPassword), UserAttributes: attrs("email", "eve@example.com", "email_verified", "true")})
			return err
		}, "NotAuthorizedException", "A client attempted to write unauthorized attribute"},
		{"attribute not in the schema", func() error {
			_, err := f.idp.SignUp(f.ctx, &cip.SignUpInput{ClientId: aws.String(publicID), Username: aws.String("eve"), Password: aws.String(goodPassword), UserAttributes: attrs("custom:salary", "1")})
			return err
		}, "InvalidParameterException", "custom:salary: Attribute does not exist in the schema."},
		{"malformed email", func() error {
			_, err := f.idp.SignUp(f.ctx, &cip.SignUpInput{ClientId: aws.String(publicID), Username: aws.String("eve"), Password: aws.String(goodPassword), UserAttributes: attrs("email", "not an email")})
			return err
		}, "InvalidParameterException", "Invalid email address format."},
		{"resend to a confirmed user", func() error {
			_, err := f.idp.ResendConfirmationCode(f.ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(publicID), Username: aws.String("alice")})
			return err
		}, "InvalidParameterException", "User is already confirmed."},
		{"invalid access token", func() error {
			_, err := f.idp.GetUser(f.ctx, &cip.GetUserInput{AccessToken: aws.String("a.b.c")})
			return err
		}, "NotAuthorizedException", "Invalid Access Token"},
		{"invalid refresh token", func() error {
			_, err := f.refresh(publicID, "not-a-token")
			return err
		}, "NotAuthorizedException", "Invalid Refresh Token"},
		{"challenge without a session", func() error {
			_, err := f.idp.RespondToAuthChallenge(f.ctx, &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ClientId: aws.String(publicID), Session: aws.String("an-unknown-session-of-valid-length"), ChallengeResponses: map[string]string{"USERNAME": "alice", "NEW_PASSWORD": goodPassword}})
			return err
		}, "NotAuthorizedException", "Invalid session for the user, session is expired."},
		{"admin confirms a confirmed user", func() error {
			_, err := f.idp.AdminConfirmSignUp(f.ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(testPoolID), Username: aws.String("alice")})
			return err
		}, "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED"},
		{"invitation without a reachable medium", func() error {
			_, err := f.idp.AdminCreateUser(f.ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(testPoolID), Username: aws.String("nomail"), DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
			return err
		}, "InvalidParameterException", "No email provided but desired delivery medium was Email"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.wantType, tc.wantMsg) })
	}

	// The secret hash, when right, lets the confidential client in.
	if _, err := f.passwordAuth(secretID, "alice", goodPassword, "SECRET_HASH", secretHash); err != nil {
		t.Errorf("confidential client with the right hash: %v", err)
	}
}

func signUpWith(f *fixture, username, password string) func() error {
	return func() error {
		_, err := f.idp.SignUp(f.ctx, &cip.SignUpInput{ClientId: aws.String(publicID), Username: aws.String(username), Password: aws.String(password)})
		return err
	}
}

// TestExpiry moves the clock past codes, temporary passwords and tokens.
func TestExpiry(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Clients[0].AccessTokenValidity = 5 * time.Minute
		c.Clients[0].RefreshTokenValidity = time.Hour
	})
	f.signUp("late", goodPassword, "email", "late@example.com")
	code, _ := f.srv.Code("late")
	f.clock.Advance(24 * time.Hour)
	_, err := f.idp.ConfirmSignUp(f.ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(publicID), Username: aws.String("late"), ConfirmationCode: aws.String(code)})
	wantAPIError(t, err, "ExpiredCodeException", "Invalid code provided, please request a code again.")

	if _, err := f.idp.AdminCreateUser(f.ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(testPoolID), Username: aws.String("tardy"), TemporaryPassword: aws.String("Temp-Pass-123"), MessageAction: types.MessageActionTypeSuppress,
	}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(7 * 24 * time.Hour)
	_, err = f.passwordAuth(publicID, "tardy", "Temp-Pass-123")
	wantAPIError(t, err, "NotAuthorizedException", "Temporary password has expired and must be reset by an administrator.")

	f.confirmedUser("quick", "quick@example.com")
	res := f.signIn("quick", goodPassword)
	if res.ExpiresIn != 300 {
		t.Errorf("ExpiresIn = %d, want 300", res.ExpiresIn)
	}
	f.clock.Advance(5 * time.Minute)
	_, err = f.idp.GetUser(f.ctx, &cip.GetUserInput{AccessToken: res.AccessToken})
	wantAPIError(t, err, "NotAuthorizedException", "Access Token has expired")
	if _, err := f.refresh(publicID, aws.ToString(res.RefreshToken)); err != nil {
		t.Errorf("refresh within the hour: %v", err)
	}
	f.clock.Advance(time.Hour)
	_, err = f.refresh(publicID, aws.ToString(res.RefreshToken))
	wantAPIError(t, err, "NotAuthorizedException", "Refresh Token has expired")
}

func TestSignOutAndRevocation(t *testing.T) {
	f := newFixture(t, nil)
	f.confirmedUser("rex", "rex@example.com")
	first, second := f.signIn("rex", goodPassword), f.signIn("rex", goodPassword)

	if _, err := f.idp.GlobalSignOut(f.ctx, &cip.GlobalSignOutInput{AccessToken: first.AccessToken}); err != nil {
		t.Fatalf("GlobalSignOut: %v", err)
	}
	for _, res := range []*types.AuthenticationResultType{first, second} {
		_, err := f.refresh(publicID, aws.ToString(res.RefreshToken))
		wantAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
		_, err = f.idp.GetUser(f.ctx, &cip.GetUserInput{AccessToken: res.AccessToken})
		wantAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	}

	// Signing in again starts a fresh session; revoking its refresh token
	// ends that session only.
	third, fourth := f.signIn("rex", goodPassword), f.signIn("rex", goodPassword)
	if _, err := f.idp.RevokeToken(f.ctx, &cip.RevokeTokenInput{ClientId: aws.String(publicID), Token: third.RefreshToken}); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	_, err := f.refresh(publicID, aws.ToString(third.RefreshToken))
	wantAPIError(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
	_, err = f.idp.GetUser(f.ctx, &cip.GetUserInput{AccessToken: third.AccessToken})
	wantAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	if _, err := f.refresh(publicID, aws.ToString(fourth.RefreshToken)); err != nil {
		t.Errorf("another session's refresh: %v", err)
	}

	_, err = f.idp.RevokeToken(f.ctx, &cip.RevokeTokenInput{ClientId: aws.String(publicID), Token: fourth.AccessToken})
	wantAPIError(t, err, "UnsupportedTokenTypeException", "Unsupported token type")
	_, err = f.idp.RevokeToken(f.ctx, &cip.RevokeTokenInput{ClientId: aws.String(secretID), Token: fourth.RefreshToken})
	wantAPIError(t, err, "UnauthorizedException", "Invalid client credentials")
	_, err = f.idp.RevokeToken(f.ctx, &cip.RevokeTokenInput{ClientId: aws.String(secretID), ClientSecret: aws.String(clientSecret), Token: fourth.RefreshToken})
	wantAPIError(t, err, "UnauthorizedException", "not issued to client")
	_, err = f.refresh(secretID, aws.ToString(fourth.RefreshToken))
	wantAPIError(t, err, "NotAuthorizedException", "Invalid Refresh Token")
	if _, err := f.idp.RevokeToken(f.ctx, &cip.RevokeTokenInput{ClientId: aws.String(publicID), Token: aws.String("unknown")}); err != nil {
		t.Errorf("revoking an unknown token: %v", err)
	}
}

// TestRefreshSecretHash: a confidential client hashes the stored username,
// which in an email-as-username pool is the sub.
func TestRefreshSecretHash(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.UsernameAttributes = []string{"email"} })
	up := f.signUp("ken@example.com", goodPassword)
	code, _ := f.srv.Code("ken@example.com")
	if _, err := f.idp.ConfirmSignUp(f.ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(publicID), Username: aws.String("ken@example.com"), ConfirmationCode: aws.String(code)}); err != nil {
		t.Fatal(err)
	}
	out, err := f.passwordAuth(secretID, "ken@example.com", goodPassword, "SECRET_HASH", SecretHash(secretID, clientSecret, "ken@example.com"))
	if err != nil {
		t.Fatalf("InitiateAuth: %v", err)
	}
	token := aws.ToString(out.AuthenticationResult.RefreshToken)
	_, err = f.refresh(secretID, token, "SECRET_HASH", SecretHash(secretID, clientSecret, "ken@example.com"))
	wantAPIError(t, err, "NotAuthorizedException", "Unable to verify secret hash")
	if _, err := f.refresh(secretID, token, "SECRET_HASH", SecretHash(secretID, clientSecret, aws.ToString(up.UserSub))); err != nil {
		t.Errorf("refresh with the sub's hash: %v", err)
	}
}

// TestWire checks the protocol below the SDK: error shape, unknown
// operations, admin operations without credentials, malformed bodies, the
// well-known documents and CORS.
func TestWire(t *testing.T) {
	f := newFixture(t, nil)
	post := func(target, body string, header ...string) (*http.Response, map[string]any) {
		t.Helper()
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, f.url+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", target)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		return do(t, req)
	}
	forged := []string{"Authorization", "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20300102/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00"}
	now := time.Now().UTC()
	unknownKey := []string{"X-Amz-Date", now.Format("20060102T150405Z"), "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDNOBODY/" + now.Format("20060102") +
		"/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("0", 64)}

	cases := []struct {
		name, target, body string
		header             []string
		status             int
		errType            string
	}{
		{"unknown operation", "AWSCognitoIdentityProviderService.CreateUserImportJob", `{}`, nil, 400, "UnknownOperationException"},
		{"foreign service", "DynamoDB_20120810.ListTables", `{}`, nil, 400, "UnknownOperationException"},
		{"admin operation unsigned", "AWSCognitoIdentityProviderService.ListUsers", `{"UserPoolId":"` + testPoolID + `"}`, nil, 400, "MissingAuthenticationTokenException"},
		{"admin operation with a forged signature", "AWSCognitoIdentityProviderService.ListUsers", `{"UserPoolId":"` + testPoolID + `"}`, forged, 400, "IncompleteSignatureException"},
		{"admin operation of an unknown key", "AWSCognitoIdentityProviderService.ListUsers", `{"UserPoolId":"` + testPoolID + `"}`, unknownKey, 400, "UnrecognizedClientException"},
		{"malformed body", "AWSCognitoIdentityProviderService.SignUp", `{"ClientId":`, nil, 400, "SerializationException"},
		{"wrong member type", "AWSCognitoIdentityProviderService.SignUp", `{"ClientId":7}`, nil, 400, "SerializationException"},
		{"missing members", "AWSCognitoIdentityProviderService.SignUp", `{}`, nil, 400, "InvalidParameterException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := post(tc.target, tc.body, tc.header...)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (%v)", resp.StatusCode, tc.status, body)
			}
			if resp.Header.Get("X-Amzn-Requestid") == "" || resp.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
				t.Errorf("headers = %v", resp.Header)
			}
			if tc.errType == "" {
				return
			}
			if resp.Header.Get("X-Amzn-Errortype") != tc.errType || body["__type"] != tc.errType || body["message"] == "" {
				t.Errorf("error = %v %v, want %s", resp.Header.Get("X-Amzn-Errortype"), body, tc.errType)
			}
		})
	}
	_, body := post("AWSCognitoIdentityProviderService.SignUp", `{}`)
	if msg := body["message"].(string); !strings.HasPrefix(msg, "3 validation errors detected: Value null at 'clientId'") {
		t.Errorf("validation message = %q", msg)
	}

	// JWKS and discovery.
	resp, jwks := get(t, f.url+"/"+testPoolID+"/.well-known/jwks.json")
	keys, _ := jwks["keys"].([]any)
	if resp.StatusCode != 200 || len(keys) != 1 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("JWKS: %d %v", resp.StatusCode, jwks)
	}
	k := keys[0].(map[string]any)
	if k["kty"] != "RSA" || k["alg"] != "RS256" || k["use"] != "sig" || k["e"] != "AQAB" || k["kid"] == "" {
		t.Errorf("JWK = %v", k)
	}
	resp, conf := get(t, f.url+"/"+testPoolID+"/.well-known/openid-configuration")
	if resp.StatusCode != 200 || conf["issuer"] != f.srv.Issuer() || conf["jwks_uri"] != f.srv.JWKSURL() {
		t.Errorf("openid-configuration: %d %v", resp.StatusCode, conf)
	}
	if resp, _ := get(t, f.url+"/us-east-1_Other/.well-known/jwks.json"); resp.StatusCode != 404 {
		t.Errorf("another pool's JWKS: %d", resp.StatusCode)
	}

	// A browser's preflight.
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodOptions, f.url+"/", nil)
	req.Header.Set("Origin", "http://localhost:5173")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type,x-amz-target,x-amz-user-agent")
	resp, _ = do(t, req)
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		resp.Header.Get("Access-Control-Allow-Headers") != "content-type,x-amz-target,x-amz-user-agent" {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
}

func get(t *testing.T, url string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var body map[string]any
	_ = json.Unmarshal(b, &body)
	return resp, body
}
