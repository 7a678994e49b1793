// Package presignup is the Cognito pre sign-up trigger. It limits sign-up
// to email addresses at the stage's allowed domains (when any are set) and
// a self sign-up's phone number to the stage's allowed country calling
// codes (none allowed unless set: each costs a verification SMS), and
// otherwise leaves Cognito's own verification alone: it never confirms a
// user or verifies an attribute on their behalf.
package presignup

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/contract/userattr"
)

// sourceSignUp is the trigger source of a self sign-up (SignUp); an
// administrator's AdminCreateUser is PreSignUp_AdminCreateUser.
const sourceSignUp = "PreSignUp_SignUp"

// Handler checks sign-ups.
type Handler struct {
	domains []string // lower case; empty allows every address
	codes   []string // "+1"; empty allows no phone number at self sign-up
}

// New allows addresses at the given domains (none allows all) and, at self
// sign-up, phone numbers with the given country calling codes ("+44"; none
// allows no phone number).
func New(domains, callingCodes []string) *Handler {
	h := &Handler{}
	for _, d := range domains {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			h.domains = append(h.domains, d)
		}
	}
	for _, c := range callingCodes {
		if c = strings.TrimSpace(c); c != "" {
			h.codes = append(h.codes, c)
		}
	}
	return h
}

// FromEnv reads the comma-separated domains of schema.AllowedEmailDomainsEnv
// and calling codes of schema.AllowedCallingCodesEnv.
func FromEnv(getenv func(string) string) *Handler {
	return New(strings.Split(getenv(schema.AllowedEmailDomainsEnv), ","), strings.Split(getenv(schema.AllowedCallingCodesEnv), ","))
}

// Handle is the Lambda handler. Its error message is what Cognito shows the
// person signing up (after "PreSignUp failed with error"), so it says what
// to do differently.
func (h *Handler) Handle(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
	// Explicitly: the user confirms with the code Cognito sends.
	ev.Response = events.CognitoEventUserPoolsPreSignupResponse{}
	if err := h.checkPhone(ev); err != nil {
		return ev, err
	}
	if len(h.domains) == 0 {
		return ev, nil
	}
	email := strings.TrimSpace(ev.Request.UserAttributes[userattr.Email])
	if email == "" {
		return ev, fmt.Errorf("sign-up requires an email address at %s", h.list())
	}
	local, domain, ok := splitEmail(email)
	if !ok || local == "" {
		return ev, errors.New("the email address is not valid")
	}
	for _, d := range h.domains {
		if domain == d {
			return ev, nil
		}
	}
	return ev, fmt.Errorf("sign-up is limited to addresses at %s", h.list())
}

// checkPhone refuses a self sign-up's phone number outside the allowed
// calling codes. Cognito has checked the number is E.164 ("+" and digits)
// before the trigger runs; a prefix of the number is its calling code.
func (h *Handler) checkPhone(ev events.CognitoEventUserPoolsPreSignup) error {
	phone := strings.TrimSpace(ev.Request.UserAttributes[userattr.PhoneNumber])
	if phone == "" || ev.TriggerSource != sourceSignUp {
		return nil
	}
	if len(h.codes) == 0 {
		return errors.New("sign-up with a phone number is not available; use an email address")
	}
	for _, c := range h.codes {
		if strings.HasPrefix(phone, c) {
			return nil
		}
	}
	return fmt.Errorf("sign-up is limited to phone numbers starting with %s", orList(h.codes))
}

// splitEmail splits at the only "@": an address with several is refused
// rather than guessed at.
func splitEmail(email string) (local, domain string, ok bool) {
	if strings.Count(email, "@") != 1 {
		return "", "", false
	}
	local, domain, _ = strings.Cut(email, "@")
	return local, strings.ToLower(domain), true
}

func (h *Handler) list() string { return orList(h.domains) }

// orList writes "a", "a or b", "a, b or c".
func orList(items []string) string {
	switch n := len(items); n {
	case 1:
		return items[0]
	default:
		return strings.Join(items[:n-1], ", ") + " or " + items[n-1]
	}
}
