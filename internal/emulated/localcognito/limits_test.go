package localcognito

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestMemberLimits: each operation refuses members outside the API's
// length constraints and patterns with AWS's validation message, before
// it looks anything up; every failure is in the one message.
func TestMemberLimits(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.UsernameAttributes = []string{"email"} })
	long := func(n int) string { return strings.Repeat("a", n) }
	email := func(n int) string { return long(n-len("@example.com")) + "@example.com" }
	for _, tc := range []struct {
		name, op string
		body     map[string]any
		want     string // "" for no validation error
	}{
		{"username of 128", "SignUp", map[string]any{"ClientId": publicID, "Username": email(128), "Password": goodPassword}, ""},
		{"username of 129", "SignUp", map[string]any{"ClientId": publicID, "Username": email(129), "Password": goodPassword},
			"Value at 'username' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"100 KB username", "SignUp", map[string]any{"ClientId": publicID, "Username": email(100 << 10), "Password": goodPassword},
			"Member must have length less than or equal to 128"},
		{"username with a space", "ForgotPassword", map[string]any{"ClientId": publicID, "Username": "a b"},
			"Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"},
		{"password of 257", "SignUp", map[string]any{"ClientId": publicID, "Username": "a@example.com", "Password": "Aa1-" + long(253)},
			"Value at 'password' failed to satisfy constraint"},
		{"client id pattern", "ForgotPassword", map[string]any{"ClientId": "spa client", "Username": "a"},
			"Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+]+"},
		{"client id of 129", "ForgotPassword", map[string]any{"ClientId": long(129), "Username": "a"}, "less than or equal to 128"},
		{"secret hash pattern", "ForgotPassword", map[string]any{"ClientId": publicID, "Username": "a", "SecretHash": "a b"}, "[\\w+=/]+"},
		{"code with a space", "ConfirmForgotPassword", map[string]any{"ClientId": publicID, "Username": "a", "ConfirmationCode": "12 34", "Password": goodPassword},
			"Value at 'confirmationCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+"},
		{"code of 2049", "ConfirmSignUp", map[string]any{"ClientId": publicID, "Username": "a", "ConfirmationCode": long(2049)}, "less than or equal to 2048"},
		{"short session", "RespondToAuthChallenge", map[string]any{"ClientId": publicID, "ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": "short"},
			"Value at 'session' failed to satisfy constraint: Member must have length greater than or equal to 20"},
		{"session of 2049", "AssociateSoftwareToken", map[string]any{"Session": long(2049)}, "less than or equal to 2048"},
		{"access token pattern", "GetUser", map[string]any{"AccessToken": "not a token"}, "[A-Za-z0-9-_=.]+"},
		{"attribute name of 33", "GetUserAttributeVerificationCode", map[string]any{"AccessToken": "x", "AttributeName": long(33)}, "less than or equal to 32"},
		{"user pool id", "AdminDisableUser", map[string]any{"UserPoolId": "nounderscore", "Username": "a"}, "[\\w-]+_[0-9a-zA-Z]+"},
		{"user pool id of 56", "AdminGetUser", map[string]any{"UserPoolId": "us-east-1_" + long(46), "Username": "a"}, "less than or equal to 55"},
		{"attribute value of 2049", "SignUp", map[string]any{"ClientId": publicID, "Username": "b@example.com", "Password": goodPassword,
			"UserAttributes": []map[string]string{{"Name": "name", "Value": long(2049)}}}, "String must be no longer than 2048 characters"},
		{"two failures in one message", "ForgotPassword", map[string]any{"ClientId": "a b", "Username": long(129)}, "2 validation errors detected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := json.Marshal(tc.body)
			status, out := call(t, f.srv, tc.op, body)
			msg, _ := out["message"].(string)
			if tc.want == "" {
				if status != http.StatusOK {
					t.Fatalf("%s: %d %v, want success", tc.op, status, out)
				}
				return
			}
			if status != http.StatusBadRequest || out["__type"] != errInvalidParameter || !strings.Contains(msg, tc.want) {
				t.Errorf("%s: %d %v %q, want InvalidParameterException containing %q", tc.op, status, out["__type"], msg, tc.want)
			}
		})
	}
}

// FuzzCheckMembers: any body, any member values: checkMembers answers
// nil or an InvalidParameterException, and never lets a username longer
// than 128 characters through.
func FuzzCheckMembers(f *testing.F) {
	f.Add("Username", "a@example.com")
	f.Add("Session", "short")
	f.Add("ConfirmationCode", "12 34")
	f.Add("AccessToken", "eyJ.e30.sig")
	f.Add("UserPoolId", "us-east-1_abc")
	f.Add("AttributeName", "\t\n")
	f.Fuzz(func(t *testing.T, member, value string) {
		body, err := json.Marshal(map[string]string{member: value})
		if err != nil {
			return
		}
		err = checkMembers(body)
		if err != nil {
			if e, ok := err.(*opError); !ok || e.Type != errInvalidParameter {
				t.Fatalf("checkMembers(%s) = %v, want an InvalidParameterException", body, err)
			}
			return
		}
		var decoded map[string]string
		_ = json.Unmarshal(body, &decoded)
		if member == "Username" && len([]rune(decoded[member])) > 128 {
			t.Fatalf("a %d-character username passed", len([]rune(decoded[member])))
		}
		_ = checkMembers(append([]byte(`{"Username":`), body...)) // malformed JSON is the operation's to refuse
	})
}

// TestSweeps: expired challenge sessions, refresh tokens and revocations
// are swept out once enough pile up, so clients that sign in over and over,
// or start sign-ins and never finish them, cannot grow the pool without
// bound.
func TestSweeps(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MFA = MFAOn })
	f.confirmedUser("ada", "ada@example.com")
	now := f.clock.Now()
	f.srv.users.mu.Lock()
	for i := range sessionSweepThreshold {
		f.srv.users.sessions[fmt.Sprint("session", i)] = &authSession{expires: now}
	}
	for i := range refreshSweepThreshold / 2 {
		f.srv.users.refresh[fmt.Sprint("refresh", i)] = &refreshToken{expires: now}
		f.srv.users.revoked[fmt.Sprint("jti", i)] = now
	}
	f.srv.users.refresh["live"] = &refreshToken{expires: now.Add(time.Hour)}
	f.srv.users.mu.Unlock()

	// A sign-in that stops at MFA_SETUP opens a session.
	if out, err := f.passwordAuth(publicID, "ada", goodPassword); err != nil || out.ChallengeName != "MFA_SETUP" {
		t.Fatalf("sign-in: %+v, %v", out, err)
	}
	// Refresh tokens are swept when one is issued.
	f.srv.users.mu.Lock()
	if n := len(f.srv.users.sessions); n != 1 {
		t.Errorf("%d sessions kept, want the live one", n)
	}
	u := f.srv.users.users["ada"]
	f.srv.users.mu.Unlock()
	if _, err := f.srv.issueTokens(f.ctx, f.srv.clients.byID[publicID], u.snapshot(), sourceTokenAuthentication, nil, nil); err != nil {
		t.Fatal(err)
	}
	f.srv.users.mu.Lock()
	defer f.srv.users.mu.Unlock()
	if n, m := len(f.srv.users.refresh), len(f.srv.users.revoked); n != 2 || m != 0 {
		t.Errorf("%d refresh tokens and %d revocations kept, want the 2 live tokens and none", n, m)
	}
}
