package smoke

import (
	"context"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestHiddenFields(t *testing.T) {
	cases := []struct {
		name, page string
		want       url.Values
	}{
		{"type, name, value", `<input type="hidden" name="_challenge" value="MFA_SETUP">`,
			url.Values{"_challenge": {"MFA_SETUP"}}},
		{"value, name, type", `<input value="MFA_SETUP" name="_challenge" type="hidden">`,
			url.Values{"_challenge": {"MFA_SETUP"}}},
		{"name, type, value, self-closing", `<input name="_csrf" type="hidden" value="a/b=c"/>`,
			url.Values{"_csrf": {"a/b=c"}}},
		{"single quotes, unquoted, upper case", `<INPUT Value='x "y"' TYPE=HIDDEN class=f name=_session>`,
			url.Values{"_session": {`x "y"`}}},
		{"spaces around =, other attributes between", "<input\n  id=\"s\"  name = \"_secret\" data-x=\"1>2\"\ttype='hidden' value=\"AB&amp;CD\" >",
			url.Values{"_secret": {"AB&CD"}}},
		{"no value", `<input type="hidden" name="empty">`, url.Values{"empty": {""}}},
		{"repeated attribute: the first counts", `<input type="hidden" name="a" name="b" value="1">`, url.Values{"a": {"1"}}},
		{"not hidden, no name, not an input", `<input type="text" name="username" value="u"><input type="hidden" value="v">` +
			`<inputs type="hidden" name="x" value="y"><p type="hidden" name="p" value="q">`, url.Values{}},
		{"several, unterminated last", `<input type=hidden name=a value=1><input name="b" type="hidden" value="2`,
			url.Values{"a": {"1"}, "b": {"2"}}},
	}
	for _, c := range cases {
		if got := hiddenFields(c.page); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestAnswerReadsFieldsInAnyOrder: a challenge page whose inputs name their
// attributes in another order is still read as a challenge.
func TestAnswerReadsFieldsInAnyOrder(t *testing.T) {
	page := `<form method="post"><input value="tok" name="_csrf" type="hidden">` +
		`<input value="SMS_MFA" type="hidden" name="_challenge"></form>`
	form, err := HostedUI{}.answer(context.Background(), page, "alice")
	if err == nil || !strings.Contains(err.Error(), "SMS_MFA") {
		t.Errorf("answer: %v %v, want an error naming the challenge SMS_MFA", form, err)
	}
	page = strings.Replace(page, "SMS_MFA", "SOFTWARE_TOKEN_MFA", 1)
	if _, err := (HostedUI{}).answer(context.Background(), page, "alice"); err == nil || !strings.Contains(err.Error(), "no authenticator") {
		t.Errorf("answer: %v, want the authenticator code asked for", err)
	}
}
