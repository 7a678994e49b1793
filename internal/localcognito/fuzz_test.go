package localcognito

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// fuzzOperations are the operations FuzzOperations sends bodies to.
var fuzzOperations = []string{
	"SignUp", "ConfirmSignUp", "InitiateAuth", "RespondToAuthChallenge", "GetUser",
	"AdminCreateUser", "ListUsers", "RevokeToken", "AdminSetUserPassword",
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
			{ID: publicID, ExplicitAuthFlows: []string{AllowUserPasswordAuth, AllowRefreshTokenAuth}},
			{ID: secretID, Secret: clientSecret, ExplicitAuthFlows: []string{AllowUserPasswordAuth}},
		},
		CodeSink: func(string, string, string, string) {},
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		f.Fatal(err)
	}
	seeds := []struct {
		op   uint8
		body string
	}{
		{0, `{"ClientId":"spaclient1","Username":"a@example.com","Password":"Correct-Horse-9","UserAttributes":[{"Name":"custom:company","Value":"ACME"}]}`},
		{0, `{"ClientId":"spaclient1","Username":"+15555550100","Password":"Correct-Horse-9","UserAttributes":[{"Name":"email","Value":"x@y"}]}`},
		{1, `{"ClientId":"spaclient1","Username":"a@example.com","ConfirmationCode":"123456"}`},
		{2, `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"spaclient1","AuthParameters":{"USERNAME":"a@example.com","PASSWORD":"Correct-Horse-9"}}`},
		{2, `{"AuthFlow":"REFRESH_TOKEN_AUTH","ClientId":"serverclient1","AuthParameters":{"REFRESH_TOKEN":"x","SECRET_HASH":"y"}}`},
		{3, `{"ChallengeName":"NEW_PASSWORD_REQUIRED","ClientId":"spaclient1","Session":"s","ChallengeResponses":{"USERNAME":"b@example.com","NEW_PASSWORD":"Correct-Horse-9","userAttributes.name":"B"}}`},
		{4, `{"AccessToken":"eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}`},
		{5, `{"UserPoolId":"us-east-1_Local1","Username":"b@example.com","TemporaryPassword":"Temp-Pass-123","DesiredDeliveryMediums":["EMAIL"]}`},
		{6, `{"UserPoolId":"us-east-1_Local1","Filter":"email ^= \"a\"","Limit":2,"PaginationToken":"b2Zmc2V0OjE"}`},
		{7, `{"ClientId":"spaclient1","Token":"abc"}`},
		{8, `{"UserPoolId":"us-east-1_Local1","Username":"a@example.com","Password":"Correct-Horse-9","Permanent":true}`},
		{0, `null`},
		{2, `[]`},
		{6, `{"Limit":-1}`},
	}
	for _, s := range seeds {
		f.Add(s.op, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		name := fuzzOperations[int(op)%len(fuzzOperations)]
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", targetPrefix+name)
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20300102/us-east-1/cognito-idp/aws4_request")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d: %s", name, body, rec.Code, rec.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %q: response is not a JSON object: %v: %s", name, body, err, rec.Body)
		}
		if rec.Code >= 400 && (out["__type"] == nil || rec.Header().Get("X-Amzn-Errortype") == "") {
			t.Fatalf("%s %q: error without a type: %s", name, body, rec.Body)
		}
	})
}
