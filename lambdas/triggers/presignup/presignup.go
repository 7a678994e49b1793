// Package presignup is the Cognito pre sign-up trigger. It limits sign-up
// to email addresses at the stage's allowed domains (when any are set) and
// otherwise leaves Cognito's own verification alone: it never confirms a
// user or verifies an attribute on their behalf.
package presignup

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/constructs/auth/attr"
	"github.com/portcullis-cdk/portcullis/lambdas/schema"
)

// Handler checks sign-ups.
type Handler struct {
	domains []string // lower case; empty allows every address
}

// New allows addresses at the given domains; none allows all.
func New(domains []string) *Handler {
	h := &Handler{}
	for _, d := range domains {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			h.domains = append(h.domains, d)
		}
	}
	return h
}

// FromEnv reads the comma-separated domains of schema.AllowedEmailDomainsEnv.
func FromEnv(getenv func(string) string) *Handler {
	return New(strings.Split(getenv(schema.AllowedEmailDomainsEnv), ","))
}

// Handle is the Lambda handler. Its error message is what Cognito shows the
// person signing up (after "PreSignUp failed with error"), so it says what
// to do differently.
func (h *Handler) Handle(_ context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
	// Explicitly: the user confirms with the code Cognito sends.
	ev.Response = events.CognitoEventUserPoolsPreSignupResponse{}
	if len(h.domains) == 0 {
		return ev, nil
	}
	email := strings.TrimSpace(ev.Request.UserAttributes[attr.Email])
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

// splitEmail splits at the only "@": an address with several is refused
// rather than guessed at.
func splitEmail(email string) (local, domain string, ok bool) {
	if strings.Count(email, "@") != 1 {
		return "", "", false
	}
	local, domain, _ = strings.Cut(email, "@")
	return local, strings.ToLower(domain), true
}

func (h *Handler) list() string {
	switch n := len(h.domains); n {
	case 1:
		return h.domains[0]
	default:
		return strings.Join(h.domains[:n-1], ", ") + " or " + h.domains[n-1]
	}
}
