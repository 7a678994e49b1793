package custommessage

import (
	"context"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/contract/schema"
)

func event(source string) events.CognitoEventUserPoolsCustomMessage {
	ev := events.CognitoEventUserPoolsCustomMessage{}
	ev.TriggerSource = source
	ev.Request.CodeParameter = "{####}"
	ev.Request.UsernameParameter = "{username}"
	ev.Request.UserAttributes = map[string]any{"email": "ada@example.com"}
	return ev
}

func TestEverySource(t *testing.T) {
	h := New("Portcullis")
	for _, source := range Sources {
		t.Run(source, func(t *testing.T) {
			out, err := h.Handle(context.Background(), event(source))
			if err != nil {
				t.Fatal(err)
			}
			r := out.Response
			channels := map[string]string{"sms": r.SMSMessage, "email": r.EmailMessage}
			for name, msg := range channels {
				if !strings.Contains(msg, "{####}") {
					t.Errorf("%s message lacks the code placeholder: %q", name, msg)
				}
				// Cognito refuses an invitation without the username.
				if source == AdminCreateUser && !strings.Contains(msg, "{username}") {
					t.Errorf("%s invitation lacks the username placeholder: %q", name, msg)
				}
				if !strings.Contains(msg, "Portcullis") {
					t.Errorf("%s message does not name the app: %q", name, msg)
				}
			}
			if n := utf8.RuneCountInString(r.SMSMessage); n > maxSMS {
				t.Errorf("SMS of %d characters: %q", n, r.SMSMessage)
			}
			if strings.Contains(r.SMSMessage, "<") {
				t.Errorf("SMS is not plain text: %q", r.SMSMessage)
			}
			if !strings.HasPrefix(r.EmailMessage, "<!doctype html>") || !strings.HasSuffix(r.EmailMessage, "</html>") {
				t.Errorf("email is not an HTML page: %q", r.EmailMessage)
			}
			if r.EmailSubject == "" || strings.Contains(r.EmailSubject, "{####}") {
				t.Errorf("subject %q", r.EmailSubject)
			}
			for _, token := range []string{"{app}", "{code}", "{user}"} {
				if strings.Contains(r.SMSMessage+r.EmailMessage+r.EmailSubject, token) {
					t.Errorf("template token %s left in %+v", token, r)
				}
			}
		})
	}
}

func TestOtherSourcesPassUnchanged(t *testing.T) {
	ev := event("CustomMessage_SomethingNew")
	out, err := New("").Handle(context.Background(), ev)
	if err != nil || out.Response != ev.Response {
		t.Fatalf("got %+v, %v; want the event unchanged", out.Response, err)
	}
}

func TestMissingCode(t *testing.T) {
	ev := event(SignUp)
	ev.Request.CodeParameter = ""
	if _, err := New("").Handle(context.Background(), ev); err == nil {
		t.Fatal("a message without a code placeholder was written")
	}
}

func TestAppName(t *testing.T) {
	tests := []struct {
		env, wantSMS, wantEmail string
	}{
		{"", "Portcullis:", "Portcullis"},
		{"  Moments ", "Moments:", "Moments"},
		{"<b>Evil & Co</b>", "<b>Evil & Co</b>:", "&lt;b&gt;Evil &amp; Co&lt;/b&gt;"},
		{strings.Repeat("x", 200), strings.Repeat("x", maxAppName) + ":", strings.Repeat("x", maxAppName)},
	}
	for _, tt := range tests {
		t.Setenv(schema.AppNameEnv, tt.env)
		out, err := FromEnv(os.Getenv).Handle(context.Background(), event(AdminCreateUser))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out.Response.SMSMessage, tt.wantSMS) {
			t.Errorf("APP_NAME=%q: SMS %q", tt.env, out.Response.SMSMessage)
		}
		if !strings.Contains(out.Response.EmailMessage, tt.wantEmail) || strings.Contains(out.Response.EmailMessage, "<b>") {
			t.Errorf("APP_NAME=%q: email %q", tt.env, out.Response.EmailMessage)
		}
	}
}

// FuzzHandle: whatever the app name and placeholders, the code placeholder
// reaches both channels and the SMS stays within Cognito's limit.
func FuzzHandle(f *testing.F) {
	f.Add("Portcullis", "{####}", "{username}", uint8(0))
	f.Add("<script>", "{####}", "", uint8(5))
	f.Add("", strings.Repeat("#", 150), "{username}", uint8(5))
	f.Fuzz(func(t *testing.T, app, code, user string, source uint8) {
		ev := event(Sources[int(source)%len(Sources)])
		ev.Request.CodeParameter, ev.Request.UsernameParameter = code, user
		out, err := New(app).Handle(context.Background(), ev)
		if code == "" {
			if err == nil {
				t.Fatal("no error without a code placeholder")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		r := out.Response
		if !strings.Contains(r.SMSMessage, code) || !strings.Contains(r.EmailMessage, code) {
			t.Fatalf("code placeholder %q lost: %+v", code, r)
		}
		if n := utf8.RuneCountInString(r.SMSMessage); n > maxSMS && utf8.RuneCountInString(code+" "+user) <= maxSMS {
			t.Fatalf("SMS of %d characters", n)
		}
	})
}
