package localidentity_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localidentity"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth/jwtauthtest"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/testclock"
)

// FuzzServeHTTP sends arbitrary operations and bodies to the pool: it must
// never panic, and must answer in the protocol's shape, 200 with JSON or 400
// with an error type.
func FuzzServeHTTP(f *testing.F) {
	iss := jwtauthtest.NewIssuer(f, "us-east-1_fuzz")
	pool := newPool(f, iss, testclock.New(time.Now()))
	logins := func(token string) string {
		b, _ := json.Marshal(map[string]any{
			"IdentityPoolId": poolID,
			"IdentityId":     "us-east-1:00000000-0000-5000-8000-000000000000",
			"Logins":         map[string]string{localidentity.ProviderName(iss.URL): token},
		})
		return string(b)
	}
	f.Add("AWSCognitoIdentityService.GetId", logins(iss.IDToken(clientA, "u")))
	f.Add("AWSCognitoIdentityService.GetCredentialsForIdentity", logins(iss.IDToken(clientA, "u")))
	f.Add("AWSCognitoIdentityService.GetId", `{"IdentityPoolId":null,"Logins":{"":""}}`)
	f.Add("AWSCognitoIdentityService.GetCredentialsForIdentity", `{"IdentityId":"us-east-1:x","Logins":[]}`)
	f.Add("", "")

	f.Fuzz(func(t *testing.T, target, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte(body)))
		req.Header.Set("X-Amz-Target", target)
		rec := httptest.NewRecorder()
		pool.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("response %q is not a JSON object: %v", rec.Body, err)
		}
		switch rec.Code {
		case http.StatusOK:
		case http.StatusBadRequest:
			if out["__type"] == nil || rec.Header().Get("X-Amzn-Errortype") == "" {
				t.Fatalf("400 without an error type: %s", rec.Body)
			}
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
}
