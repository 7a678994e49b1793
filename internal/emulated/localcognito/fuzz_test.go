package localcognito

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/portcullis-cdk/portcullis/internal/protocol/srp"
)

// fuzzOperations are the operations FuzzOperations sends bodies to.
var fuzzOperations = []string{
	"SignUp", "ConfirmSignUp", "InitiateAuth", "RespondToAuthChallenge", "GetUser",
	"AdminCreateUser", "ListUsers", "RevokeToken", "AdminSetUserPassword",
	"ForgotPassword", "ConfirmForgotPassword", "ChangePassword", "GetUserAttributeVerificationCode",
	"VerifyUserAttribute", "DeleteUserAttributes", "AdminResetUserPassword", "AdminDisableUser",
	"GetUserAuthFactors", "StartWebAuthnRegistration", "CompleteWebAuthnRegistration",
	"ListWebAuthnCredentials", "DeleteWebAuthnCredential", "GetTokensFromRefreshToken",
}

// FuzzOperations sends arbitrary bodies to a few operations of one pool:
// whatever the input, the answer is a well-formed response, never a 5xx.
func FuzzOperations(f *testing.F) {
	srv, err := New(Config{
		PoolID:                 testPoolID,
		BaseURL:                "http://127.0.0.1:9229",
		UsernameAttributes:     []string{"email", "phone_number"},
		AutoVerifiedAttributes: []string{"email"},
		CustomAttributes:       []string{"custom:company"},
		Clients: []Client{
			{ID: publicID, ExplicitAuthFlows: []string{AllowUserPasswordAuth, AllowUserSRPAuth, AllowRefreshTokenAuth, AllowUserAuth}},
			{ID: secretID, Secret: clientSecret, ExplicitAuthFlows: []string{AllowUserPasswordAuth}, RefreshTokenRotation: &RefreshTokenRotation{GracePeriod: 10 * time.Second}},
		},
		CodeSink:         func(string, string, string, string) {},
		Credentials:      testCredentials(),
		Logger:           slog.New(slog.DiscardHandler),
		MFA:              MFAOptional,
		FirstAuthFactors: []string{"PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"},
		WebAuthn:         WebAuthnConfig{RelyingPartyID: "localhost", Origins: []string{"http://localhost:5173"}},
	})
	if err != nil {
		f.Fatal(err)
	}
	c, err := srp.NewClient(testPoolID)
	if err != nil {
		f.Fatal(err)
	}
	inputs := []struct {
		op   uint8
		body string
	}{
		{0, `{"ClientId":"spaclient1","Username":"a@example.com","Password":"Correct-Horse-9","UserAttributes":[{"Name":"custom:company","Value":"ACME"}]}`},
		{0, `{"ClientId":"spaclient1","Username":"+15555550100","Password":"Correct-Horse-9","UserAttributes":[{"Name":"email","Value":"x@y"}]}`},
		{1, `{"ClientId":"spaclient1","Username":"a@example.com","ConfirmationCode":"123456"}`},
		{2, `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"spaclient1","AuthParameters":{"USERNAME":"a@example.com","PASSWORD":"Correct-Horse-9"}}`},
		{2, `{"AuthFlow":"REFRESH_TOKEN_AUTH","ClientId":"serverclient1","AuthParameters":{"REFRESH_TOKEN":"x","SECRET_HASH":"y"}}`},
		{2, `{"AuthFlow":"USER_SRP_AUTH","ClientId":"spaclient1","AuthParameters":{"USERNAME":"a@example.com","SRP_A":"` + c.A() + `"}}`},
		{2, `{"AuthFlow":"USER_SRP_AUTH","ClientId":"spaclient1","AuthParameters":{"USERNAME":"nobody","SRP_A":"0"}}`},
		{2, `{"AuthFlow":"USER_SRP_AUTH","ClientId":"serverclient1","AuthParameters":{"USERNAME":"a@example.com","SRP_A":"-ff","SECRET_HASH":"x"}}`},
		{3, `{"ChallengeName":"PASSWORD_VERIFIER","ClientId":"spaclient1","ChallengeResponses":{"USERNAME":"u","PASSWORD_CLAIM_SECRET_BLOCK":"QUJD","PASSWORD_CLAIM_SIGNATURE":"QUJD","TIMESTAMP":"Wed Jan 2 03:04:05 UTC 2030"}}`},
		{3, `{"ChallengeName":"PASSWORD_VERIFIER","ClientId":"spaclient1","ChallengeResponses":{"USERNAME":"u","TIMESTAMP":"x"}}`},
		{3, `{"ChallengeName":"NEW_PASSWORD_REQUIRED","ClientId":"spaclient1","Session":"s","ChallengeResponses":{"USERNAME":"b@example.com","NEW_PASSWORD":"Correct-Horse-9","userAttributes.name":"B"}}`},
		{4, `{"AccessToken":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}`},
		{5, `{"UserPoolId":"us-east-1_Local1","Username":"b@example.com","TemporaryPassword":"Temp-Pass-123","DesiredDeliveryMediums":["EMAIL"]}`},
		{6, `{"UserPoolId":"us-east-1_Local1","Filter":"email ^= \"a\"","Limit":2,"PaginationToken":"b2Zmc2V0OjE"}`},
		{7, `{"ClientId":"spaclient1","Token":"abc"}`},
		{8, `{"UserPoolId":"us-east-1_Local1","Username":"a@example.com","Password":"Correct-Horse-9","Permanent":true}`},
		{9, `{"ClientId":"spaclient1","Username":"a@example.com"}`},
		{10, `{"ClientId":"spaclient1","Username":"a@example.com","ConfirmationCode":"123456","Password":"Correct-Horse-9"}`},
		{11, `{"AccessToken":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln","PreviousPassword":"Correct-Horse-9","ProposedPassword":"Correct-Horse-10"}`},
		{12, `{"AccessToken":"x","AttributeName":"email"}`},
		{13, `{"AccessToken":"x","AttributeName":"phone_number","Code":"123456"}`},
		{14, `{"AccessToken":"x","UserAttributeNames":["custom:company","sub"]}`},
		{15, `{"UserPoolId":"us-east-1_Local1","Username":"a@example.com"}`},
		{16, `{"UserPoolId":"us-east-1_Local1","Username":"nobody"}`},
		{2, `{"AuthFlow":"USER_AUTH","ClientId":"spaclient1","AuthParameters":{"USERNAME":"a@example.com","PREFERRED_CHALLENGE":"EMAIL_OTP"}}`},
		{2, `{"AuthFlow":"USER_AUTH","ClientId":"spaclient1","AuthParameters":{"USERNAME":"a@example.com","PREFERRED_CHALLENGE":"WEB_AUTHN"}}`},
		{2, `{"AuthFlow":"USER_AUTH","ClientId":"spaclient1","AuthParameters":{"USERNAME":"nobody"}}`},
		{3, `{"ChallengeName":"SELECT_CHALLENGE","ClientId":"spaclient1","Session":"s","ChallengeResponses":{"USERNAME":"a@example.com","ANSWER":"PASSWORD","PASSWORD":"Correct-Horse-9"}}`},
		{3, `{"ChallengeName":"EMAIL_OTP","ClientId":"spaclient1","Session":"s","ChallengeResponses":{"USERNAME":"a@example.com","EMAIL_OTP_CODE":"12345678"}}`},
		{3, `{"ChallengeName":"WEB_AUTHN","ClientId":"spaclient1","Session":"s","ChallengeResponses":{"USERNAME":"a@example.com","CREDENTIAL":"{\"id\":\"QUJD\",\"type\":\"public-key\",\"response\":{}}"}}`},
		{17, `{"AccessToken":"x"}`},
		{18, `{"AccessToken":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}`},
		{19, `{"AccessToken":"x","Credential":{"id":"QUJD","rawId":"QUJD","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA"}}}`},
		{20, `{"AccessToken":"x","MaxResults":21,"NextToken":"-1"}`},
		{21, `{"AccessToken":"x","CredentialId":"QUJD"}`},
		{22, `{"ClientId":"spaclient1","RefreshToken":"x"}`},
		{22, `{"ClientId":"serverclient1","RefreshToken":"x","ClientSecret":"y"}`},
		{0, `null`},
		{2, `[]`},
		{6, `{"Limit":-1}`},
	}
	for _, s := range inputs {
		f.Add(s.op, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		name := fuzzOperations[int(op)%len(fuzzOperations)]
		call(t, srv, name, body)
	})
}

// call sends body to an operation of srv and checks that the answer is a
// well-formed response, never a 5xx; it returns the status and the body.
func call(t *testing.T, srv *Server, op string, body []byte) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", targetPrefix+op)
	// Signed as the SDK signs, so admin operations reach their code.
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecretKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "cognito-idp", testRegion, time.Now()); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %q: status %d: %s", op, body, rec.Code, rec.Body)
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %q: response is not a JSON object: %v: %s", op, body, err, rec.Body)
	}
	if rec.Code >= 400 && (out["__type"] == nil || rec.Header().Get("X-Amzn-Errortype") == "") {
		t.Fatalf("%s %q: error without a type: %s", op, body, rec.Body)
	}
	return rec.Code, out
}

// FuzzPasswordVerifier answers live PASSWORD_VERIFIER challenges, of a
// user and of a name that is not one, with arbitrary responses: the pool
// must answer with a well-formed error and never sign anyone in, since
// only the password can make the signature.
func FuzzPasswordVerifier(f *testing.F) {
	srv, err := New(Config{
		PoolID:             testPoolID,
		BaseURL:            "http://127.0.0.1:9229",
		UsernameAttributes: []string{"email"},
		Clients:            []Client{{ID: publicID, ExplicitAuthFlows: []string{AllowUserSRPAuth}}},
		CodeSink:           func(string, string, string, string) {},
		Credentials:        testCredentials(),
		Logger:             slog.New(slog.DiscardHandler),
	})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := srv.signUp(f.Context(), signUpInput{ClientID: publicID, Username: "a@example.com", Password: goodPassword}); err != nil {
		f.Fatal(err)
	}
	if _, err := srv.adminConfirmSignUp(f.Context(), adminConfirmSignUpInput{UserPoolID: testPoolID, Username: "a@example.com"}); err != nil {
		f.Fatal(err)
	}
	c, err := srp.NewClient(testPoolID)
	if err != nil {
		f.Fatal(err)
	}
	// The harness must be able to sign in, or "never signed in" proves nothing.
	ch, err := srv.initiateAuth(f.Context(), initiateAuthInput{AuthFlow: flowUserSRP, ClientID: publicID, AuthParameters: map[string]string{"USERNAME": "a@example.com", "SRP_A": c.A()}})
	if err != nil {
		f.Fatal(err)
	}
	resp, err := c.Respond("a@example.com", goodPassword, ch.ChallengeParameters, time.Now())
	if err != nil {
		f.Fatal(err)
	}
	if out, err := srv.respondToAuthChallenge(f.Context(), respondToAuthChallengeInput{ChallengeName: challengePasswordVerifier, ClientID: publicID, ChallengeResponses: resp}); err != nil || out.AuthenticationResult == nil {
		f.Fatalf("a genuine answer: %v, %+v", err, out)
	}
	ts := func(d time.Duration) string { return time.Now().Add(d).UTC().Format("Mon Jan 2 15:04:05 UTC 2006") }
	f.Add(false, true, true, "", ts(0), "QUJD", "")
	f.Add(true, true, true, "", ts(0), "", "")
	f.Add(false, false, true, "", ts(time.Hour), "QUJD", "")
	f.Add(false, true, false, "a@example.com", "Mon Jan 02 03:04:05 UTC 2030", "\x00", "QUJD")
	f.Add(true, false, false, "x", "", "====", "\xff")

	f.Fuzz(func(t *testing.T, unknown, echoUser, echoBlock bool, username, timestamp, signature, block string) {
		name := "a@example.com"
		if unknown {
			name = "nobody@example.com"
		}
		initiate, _ := json.Marshal(map[string]any{
			"AuthFlow": "USER_SRP_AUTH", "ClientId": publicID,
			"AuthParameters": map[string]string{"USERNAME": name, "SRP_A": c.A()},
		})
		status, out := call(t, srv, "InitiateAuth", initiate)
		params, _ := out["ChallengeParameters"].(map[string]any)
		if status != http.StatusOK || out["ChallengeName"] != challengePasswordVerifier || params == nil {
			t.Fatalf("InitiateAuth: %d %v", status, out)
		}
		if echoUser {
			username, _ = params["USERNAME"].(string)
		}
		if echoBlock {
			block, _ = params["SECRET_BLOCK"].(string)
		}
		answer, _ := json.Marshal(map[string]any{
			"ChallengeName": challengePasswordVerifier, "ClientId": publicID,
			"ChallengeResponses": map[string]string{
				"USERNAME": username, "PASSWORD_CLAIM_SECRET_BLOCK": block,
				"PASSWORD_CLAIM_SIGNATURE": signature, "TIMESTAMP": timestamp,
			},
		})
		if status, out := call(t, srv, "RespondToAuthChallenge", answer); status == http.StatusOK {
			t.Fatalf("a forged answer was accepted: %s -> %v", answer, out)
		}
	})
}
