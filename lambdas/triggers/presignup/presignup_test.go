package presignup

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/contract/schema"
)

func TestHandle(t *testing.T) {
	tests := []struct {
		name    string
		env     string
		attrs   map[string]string
		wantErr string
	}{
		{"no list allows any", "", map[string]string{"email": "a@anywhere.org"}, ""},
		{"no list allows phone only", "", map[string]string{"phone_number": "+61400000000"}, ""},
		{"blank list allows any", " , ", map[string]string{"email": "a@anywhere.org"}, ""},
		{"allowed", "example.com", map[string]string{"email": "ada@example.com"}, ""},
		{"allowed, any case", "Example.COM", map[string]string{"email": "Ada@EXAMPLE.com"}, ""},
		{"second of two", "example.com, example.org", map[string]string{"email": "ada@example.org"}, ""},
		{"other domain", "example.com", map[string]string{"email": "ada@evil.com"}, "sign-up is limited to addresses at example.com"},
		{"subdomain is not the domain", "example.com", map[string]string{"email": "ada@mail.example.com"}, "sign-up is limited to addresses at example.com"},
		{"suffix is not the domain", "example.com", map[string]string{"email": "ada@notexample.com"}, "sign-up is limited to addresses at example.com"},
		{"domain in the local part", "example.com", map[string]string{"email": "example.com@evil.com"}, "sign-up is limited to addresses at example.com"},
		{"two at signs", "example.com", map[string]string{"email": "ada@evil.com@example.com"}, "the email address is not valid"},
		{"no local part", "example.com", map[string]string{"email": "@example.com"}, "the email address is not valid"},
		{"trailing dot", "example.com", map[string]string{"email": "ada@example.com."}, "sign-up is limited to addresses at example.com"},
		{"list of domains", "a.com,b.com,c.com", map[string]string{"email": "x@d.com"}, "sign-up is limited to addresses at a.com, b.com or c.com"},
		{"phone only", "example.com", map[string]string{"phone_number": "+61400000000"}, "sign-up requires an email address at example.com"},
		{"empty email", "example.com", map[string]string{"email": " "}, "sign-up requires an email address at example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(schema.AllowedEmailDomainsEnv, tt.env)
			t.Setenv(schema.AllowedCallingCodesEnv, "+61")
			ev := events.CognitoEventUserPoolsPreSignup{}
			ev.TriggerSource = "PreSignUp_SignUp"
			ev.Request.UserAttributes = tt.attrs
			// Whatever the caller sent, the trigger confirms nothing.
			ev.Response = events.CognitoEventUserPoolsPreSignupResponse{AutoConfirmUser: true, AutoVerifyEmail: true, AutoVerifyPhone: true}
			out, err := FromEnv(os.Getenv).Handle(context.Background(), ev)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if out.Response != (events.CognitoEventUserPoolsPreSignupResponse{}) {
				t.Fatalf("response %+v auto-confirms or auto-verifies", out.Response)
			}
		})
	}
}

// TestCallingCodes: a self sign-up's phone number must start with one of
// the allowed calling codes, and none are allowed unless named; an
// administrator's AdminCreateUser is not limited.
func TestCallingCodes(t *testing.T) {
	tests := []struct {
		name, codes, source, phone, wantErr string
	}{
		{"allowed", "+1,+61", "PreSignUp_SignUp", "+61400000000", ""},
		{"second code", "+1, +61", "PreSignUp_SignUp", "+14155550123", ""},
		{"three-digit code", "+353", "PreSignUp_SignUp", "+353861234567", ""},
		{"other country", "+1,+61", "PreSignUp_SignUp", "+447700900123", "sign-up is limited to phone numbers starting with +1 or +61"},
		{"code is a prefix, not a substring", "+61", "PreSignUp_SignUp", "+16155550123", "sign-up is limited to phone numbers starting with +61"},
		{"none allowed", "", "PreSignUp_SignUp", "+61400000000", "sign-up with a phone number is not available; use an email address"},
		{"blank list allows none", " , ", "PreSignUp_SignUp", "+61400000000", "sign-up with a phone number is not available; use an email address"},
		{"email sign-up without a phone", "", "PreSignUp_SignUp", "", ""},
		{"administrator creates the user", "", "PreSignUp_AdminCreateUser", "+447700900123", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New(nil, strings.Split(tt.codes, ","))
			ev := events.CognitoEventUserPoolsPreSignup{}
			ev.TriggerSource = tt.source
			ev.Request.UserAttributes = map[string]string{"email": "ada@example.com"}
			if tt.phone != "" {
				ev.Request.UserAttributes["phone_number"] = tt.phone
			}
			_, err := h.Handle(context.Background(), ev)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// FuzzHandle: with a domain list, an address is accepted only if its part
// after the single "@" is one of the domains; refusals always say why.
func FuzzHandle(f *testing.F) {
	f.Add("example.com", "ada@example.com")
	f.Add("example.com,b.org", "x@B.ORG")
	f.Add("", "not an email")
	f.Add("example.com", "a@b@example.com")
	f.Fuzz(func(t *testing.T, domains, email string) {
		h := New(strings.Split(domains, ","), nil)
		ev := events.CognitoEventUserPoolsPreSignup{}
		ev.Request.UserAttributes = map[string]string{"email": email}
		out, err := h.Handle(context.Background(), ev)
		if out.Response != (events.CognitoEventUserPoolsPreSignupResponse{}) {
			t.Fatal("auto-confirmed")
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatal("refusal without a message")
			}
			return
		}
		if len(h.domains) == 0 {
			return
		}
		_, domain, ok := strings.Cut(strings.TrimSpace(email), "@")
		if !ok || !slices.Contains(h.domains, strings.ToLower(domain)) {
			t.Fatalf("accepted %q with domains %q", email, domains)
		}
	})
}
