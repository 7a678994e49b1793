// Package pretokengen is the Cognito pre token generation trigger (event
// version 2). Cognito gives access tokens from the SDK and CLI sign-in flows
// (InitiateAuth, RespondToAuthChallenge: the CLI sign-in flow) only the scope
// aws.cognito.signin.user.admin, and every API route requires a resource
// server scope, so without this trigger those users could call nothing. It
// adds the API's scopes to such tokens. Tokens from the hosted UI's OAuth
// flows keep exactly the scopes their client asked for.
package pretokengen

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/lambdas/schema"
)

// userAdminScope marks an access token of the user pool API flows: OAuth
// flows never carry it unless the client requested it.
const userAdminScope = "aws.cognito.signin.user.admin"

// Handler adds scopes to access tokens.
type Handler struct {
	scopes []string
}

// New adds the given full scope strings ("portcullis/todos.read").
func New(scopes []string) *Handler {
	h := &Handler{}
	for _, s := range scopes {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(h.scopes, s) {
			h.scopes = append(h.scopes, s)
		}
	}
	return h
}

// FromEnv reads the space-separated scopes of schema.APIScopesEnv through getenv.
func FromEnv(getenv func(string) string) *Handler {
	return New(strings.Fields(getenv(schema.APIScopesEnv)))
}

// Handle is the Lambda handler.
func (h *Handler) Handle(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
	if !slices.Contains(ev.Request.Scopes, userAdminScope) {
		return ev, nil
	}
	var add []string
	for _, s := range h.scopes {
		if !slices.Contains(ev.Request.Scopes, s) {
			add = append(add, s)
		}
	}
	if len(add) > 0 {
		ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ScopesToAdd = add
	}
	return ev, nil
}
