// Package httpapi is the plumbing every Portcullis API function shares:
// it takes API Gateway HTTP API (payload v2) events, finds the route in the
// routes contract, establishes the caller from the authorizer context,
// decodes JSON strictly and writes every response, errors included, as JSON
// with one stable error shape.
package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/contract/routes"
)

// HandlerFunc serves one route for an authenticated caller. It returns a
// *Error for a failure the caller caused; a transient AWS failure (see
// Transient) is a 503; any other error is a 500. ctx carries the request's
// budget (WithBudget).
type HandlerFunc func(ctx context.Context, r *Request) (Response, error)

// Router dispatches the routes of one function by the event's route key.
type Router struct {
	fn       routes.Function
	handlers map[string]HandlerFunc // by route key
	// identityPool is the one identity pool whose identities the IAM
	// routes accept; empty refuses every IAM request.
	identityPool string
}

// TrustIdentityPool makes the IAM routes accept identities of the identity
// pool id ("<region>:<uuid>") and no other. An IAM route checks only that
// the signer may invoke it, and any identity pool's role could be granted
// that (in this account or, by a resource policy, another): the identity
// id is the key of the caller's data, so it must come from this stage's
// pool. Until it is called, every IAM request is refused.
func (rt *Router) TrustIdentityPool(id string) { rt.identityPool = id }

// NewRouter serves the routes of fn. handlers is keyed by "METHOD /path" as
// in routes.Route.Key; an IAM route under routes.IAMPrefix is served by the
// handler of the same path without the prefix, since the two differ only in
// how the caller is identified. Every route of fn needs a handler and every
// handler a route, so the function and the contract cannot drift apart.
func NewRouter(fn routes.Function, handlers map[string]HandlerFunc) (*Router, error) {
	rt := &Router{fn: fn, handlers: map[string]HandlerFunc{}}
	used := map[string]bool{}
	for _, r := range routes.All() {
		if r.Function != fn {
			continue
		}
		key := r.Method + " " + strings.TrimPrefix(r.Path, routes.IAMPrefix)
		h, ok := handlers[key]
		if !ok {
			return nil, fmt.Errorf("httpapi: function %s has no handler for route %q", fn, r.Key())
		}
		rt.handlers[r.Key()] = h
		used[key] = true
	}
	for key := range handlers {
		if !used[key] {
			return nil, fmt.Errorf("httpapi: function %s has a handler for %q, which is not one of its routes", fn, key)
		}
	}
	return rt, nil
}

// MustRouter is NewRouter for a handler table fixed in the code, where a
// mismatch with the route table is a bug to stop at start-up.
func MustRouter(fn routes.Function, handlers map[string]HandlerFunc) *Router {
	rt, err := NewRouter(fn, handlers)
	if err != nil {
		panic(err)
	}
	return rt
}

// Handle is the Lambda handler. It always answers with a response and a nil
// error: an error returned to Lambda would reach the caller as API
// Gateway's bare 500 instead of the API's JSON error.
func (rt *Router) Handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (resp events.APIGatewayV2HTTPResponse, _ error) {
	log := slog.With("requestId", ev.RequestContext.RequestID, "route", truncate(ev.RouteKey, 80))
	start := time.Now()
	var owner string
	// One line per request, written last: the status is known, even after a
	// panic. The owner is hashed and the line carries nothing from the
	// headers or the body (tokens, personal data).
	defer func() {
		log.Info("request", "status", resp.StatusCode, "latencyMs", time.Since(start).Milliseconds(), "owner", OwnerHash(owner))
	}()
	defer func() {
		// A panic is a bug; the caller still gets the JSON 500.
		if v := recover(); v != nil {
			log.Error("handler panicked", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			resp = internalError(ev)
		}
	}()

	route, ok := routes.ByKey(ev.RouteKey)
	h := rt.handlers[ev.RouteKey]
	if !ok || h == nil {
		return errorResponse(NotFound("no route %s", truncate(ev.RouteKey, 80))), nil
	}
	req, err := authenticate(ev, route, rt.identityPool)
	if err == nil {
		owner = req.Owner
		ctx, cancel := WithBudget(ctx)
		defer cancel()
		var out Response
		if out, err = h(ctx, req); err == nil {
			return out.event(), nil
		}
	}
	var apiErr *Error
	if errors.As(err, &apiErr) {
		if apiErr.Status >= 500 {
			log.Error("handler failed", "err", err)
		}
		return errorResponse(apiErr), nil
	}
	// One place decides what a client may retry: the same AWS error is a
	// 503 from every handler.
	if t := Transient(err); t != nil {
		log.Warn("dependency unavailable", "err", err)
		return errorResponse(t), nil
	}
	log.Error("handler failed", "err", err)
	return internalError(ev), nil
}

// CallerClaim is the access-token claim holding OwnerHash of the token's
// sub (the pre token generation trigger adds it), which the API's access
// log records instead of the sub.
const CallerClaim = "caller_hash"

// OwnerHash pseudonymizes an owner (a user pool sub or an identity id) for
// logs: the same owner always has the same hash, so one user's requests can
// be followed, and the hash alone names nobody. Empty for no owner.
func OwnerHash(owner string) string {
	if owner == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("portcullis-owner\x00" + owner))
	return hex.EncodeToString(sum[:8])
}

func internalError(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	return errorResponse(&Error{
		Status:  http.StatusInternalServerError,
		Code:    CodeInternal,
		Message: "internal error; request id " + ev.RequestContext.RequestID,
	})
}

// validOwner bounds the owner string: a user pool sub is a UUID and an
// identity id is "<region>:<UUID>". The owner becomes a DynamoDB key and part
// of S3 object keys, so anything else is refused rather than stored.
var validOwner = regexp.MustCompile(`^[A-Za-z0-9-]+(:[A-Za-z0-9-]+)?$`)

const maxOwnerLen = 128

func authenticate(ev events.APIGatewayV2HTTPRequest, route routes.Route, identityPool string) (*Request, error) {
	req := &Request{Event: ev, Route: route}
	az := ev.RequestContext.Authorizer
	switch route.Auth {
	case routes.IAM:
		if az == nil || az.IAM == nil || az.IAM.CognitoIdentity.IdentityID == "" {
			return nil, Unauthorized("request is not signed with identity pool credentials")
		}
		if pool := az.IAM.CognitoIdentity.IdentityPoolID; identityPool == "" || pool != identityPool {
			return nil, Forbidden("identities of identity pool %q are not accepted here", truncate(pool, 80))
		}
		req.Owner = az.IAM.CognitoIdentity.IdentityID
	default:
		if az == nil || az.JWT == nil || az.JWT.Claims["sub"] == "" {
			return nil, Unauthorized("an access token is required")
		}
		claims := az.JWT.Claims
		// ID tokens pass an audience-only authorizer; only access tokens
		// carry the scopes this API is authorized by.
		if claims["token_use"] != "access" {
			return nil, Unauthorized("an access token is required, not an %s token", tokenUse(claims["token_use"]))
		}
		req.Owner, req.Claims, req.Scopes = claims["sub"], claims, scopes(az.JWT)
		if want := routes.FullScope(route.Scope); !slices.Contains(req.Scopes, want) {
			return nil, Forbidden("the token lacks the scope %s", want)
		}
	}
	if len(req.Owner) > maxOwnerLen || !validOwner.MatchString(req.Owner) {
		return nil, Unauthorized("the caller identity is not valid")
	}
	return req, nil
}

func tokenUse(v string) string {
	if v == "" {
		return "untyped"
	}
	return truncate(v, 20)
}

// scopes merges the two places API Gateway reports scopes: the authorizer's
// scopes list and the token's space-separated scope claim.
func scopes(jwt *events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription) []string {
	out := slices.Clone(jwt.Scopes)
	out = append(out, strings.Fields(jwt.Claims["scope"])...)
	slices.Sort(out)
	return slices.Compact(out)
}
