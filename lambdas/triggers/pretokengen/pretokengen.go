// Package pretokengen is the Cognito pre token generation trigger (event
// version 2). Cognito gives access tokens from the SDK and CLI sign-in flows
// (InitiateAuth, RespondToAuthChallenge: the CLI sign-in flow) only the scope
// aws.cognito.signin.user.admin, and every API route requires a resource
// server scope, so without this trigger those users could call nothing. It
// adds to such tokens the API scopes the stage grants the app client that
// signed the user in, and none to a client the stage does not know. Tokens
// from the hosted UI's OAuth flows keep exactly the scopes their client
// asked for (and Cognito granted), even when the request names
// aws.cognito.signin.user.admin, as the SPA's does: an OAuth request for
// fewer scopes gets fewer.
package pretokengen

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
)

// userAdminScope marks an access token of the user pool API flows: OAuth
// flows never carry it unless the client requested it.
const userAdminScope = "aws.cognito.signin.user.admin"

// sourceHostedAuth is the trigger source of the OAuth flows (the hosted
// UI's authorization code exchange).
const sourceHostedAuth = "TokenGeneration_HostedAuth"

// oidcScopes are the scopes only an OAuth request carries: an SDK sign-in's
// token has aws.cognito.signin.user.admin alone, so a refresh whose scopes
// include one of these renews an OAuth session, whose scopes stay as the
// client asked.
var oidcScopes = []string{"openid", "email", "phone", "profile"}

// Handler adds scopes to access tokens.
type Handler struct {
	grants map[string][]string // client id -> full scopes
}

// New grants each client id the given full scope strings
// ("portcullis/todos.read").
func New(grants map[string][]string) *Handler {
	h := &Handler{grants: map[string][]string{}}
	for client, scopes := range grants {
		var clean []string
		for _, s := range scopes {
			if s = strings.TrimSpace(s); s != "" && !slices.Contains(clean, s) {
				clean = append(clean, s)
			}
		}
		h.grants[client] = clean
	}
	return h
}

// FromEnv reads the grants of schema.ClientScopesEnv through getenv. A
// missing variable grants nothing; a malformed one is an error, so a
// misconfigured function fails at start rather than signing tokens wrongly.
func FromEnv(getenv func(string) string) (*Handler, error) {
	raw := getenv(schema.ClientScopesEnv)
	grants := map[string][]string{}
	if strings.TrimSpace(raw) != "" {
		if err := json.Unmarshal([]byte(raw), &grants); err != nil {
			return nil, fmt.Errorf("%s %q: want a JSON object from client id to a list of scopes: %w", schema.ClientScopesEnv, raw, err)
		}
	}
	return New(grants), nil
}

// Handle is the Lambda handler. It adds the caller's hash to every access
// token, and the API scopes as above. The client is the one Cognito authenticated
// (callerContext.clientId); client metadata and the other values a caller
// chooses play no part.
func (h *Handler) Handle(ctx context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
	// Every access token names its caller pseudonymously, for the API's
	// access log (httpapi.CallerClaim).
	if sub := ev.Request.UserAttributes["sub"]; sub != "" {
		ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ClaimsToAddOrOverride = map[string]interface{}{
			httpapi.CallerClaim: httpapi.OwnerHash(sub),
		}
	}
	if !sdkSignIn(ev) {
		return ev, nil
	}
	granted, known := h.grants[ev.CallerContext.ClientID]
	if !known {
		slog.WarnContext(ctx, "pre token generation: client not granted any API scope", "clientId", ev.CallerContext.ClientID)
		return ev, nil
	}
	var add []string
	for _, s := range granted {
		if !slices.Contains(ev.Request.Scopes, s) {
			add = append(add, s)
		}
	}
	if len(add) > 0 {
		ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ScopesToAdd = add
	}
	return ev, nil
}

// sdkSignIn tells the user pool API's sign-in flows (and their refreshes)
// from the OAuth flows: only the former get the client's API scopes added.
func sdkSignIn(ev events.CognitoEventUserPoolsPreTokenGenV2_0) bool {
	if ev.TriggerSource == sourceHostedAuth || !slices.Contains(ev.Request.Scopes, userAdminScope) {
		return false
	}
	return !slices.ContainsFunc(ev.Request.Scopes, func(s string) bool { return slices.Contains(oidcScopes, s) })
}
