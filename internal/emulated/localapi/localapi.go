// Package localapi stands in for the Portcullis HTTP API (API Gateway v2)
// when the stack runs locally: an http.Handler that routes by the table in
// contract/routes, authorizes the way the deployed API does (a Cognito JWT
// authorizer on JWT routes, SigV4 with identity-pool credentials on IAM
// routes), answers CORS preflights itself, and invokes the route's Lambda
// handler with the payload format 2.0 event API Gateway would send.
//
// Behaviour is modelled on the API Gateway developer guide ("Control access
// to HTTP APIs with JWT authorizers", "Configure CORS for HTTP APIs", "Create
// AWS Lambda proxy integrations for HTTP APIs") and, where the guide is
// silent, on responses observed from deployed APIs; each such choice is
// commented where it is made.
package localapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
	"github.com/portcullis-cdk/portcullis/internal/protocol/uuid"
)

// Limits API Gateway and Lambda enforce on a request.
const (
	// MaxPayloadBytes is API Gateway's 10 MB payload quota.
	MaxPayloadBytes = 10 << 20
	// MaxInvokeBytes is Lambda's 6 MB quota on a synchronous invocation's
	// payload, the whole JSON event or response.
	MaxInvokeBytes = 6 << 20
)

// Handler serves the events of one Lambda function, with the signature of an
// aws-lambda-go handler for HTTP API events.
type Handler func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Config configures a Gateway.
type Config struct {
	// Handlers serve the API's functions; every function in routes.All must
	// have one.
	Handlers map[routes.Function]Handler
	// JWT authorizes JWT routes: issuer = the user pool, audience = the app
	// client ids.
	JWT *jwtauth.Authorizer
	// Credentials resolves the access keys of SigV4-signed requests to IAM
	// routes (the local identity pool).
	Credentials sigv4.Credentials
	// Region the API lives in; signatures must be scoped to it.
	Region string
	// AccountID appears as requestContext.accountId; empty means
	// "000000000000".
	AccountID string
	// APIID appears as requestContext.apiId; empty means "local".
	APIID string
	// CORS is the API's CorsConfiguration; nil means none, so preflights are
	// routed like any other request (and find no route).
	CORS *CORS
	// Timeouts are the functions' timeouts: an invocation's context ends
	// at its function's timeout, as Lambda's does, so a handler sees the
	// deadline it would deployed. A function without one has none.
	Timeouts map[routes.Function]time.Duration
	// Now is the gateway's clock; nil means time.Now.
	Now func() time.Time
	// Logger receives why requests were refused and handlers failed, which
	// API Gateway keeps out of its responses; nil discards.
	Logger *slog.Logger
}

// Gateway is the local HTTP API. Create it with New.
type Gateway struct {
	handlers map[routes.Function]Handler
	jwt      *jwtauth.Authorizer
	creds    sigv4.Credentials
	region   string
	account  string
	apiID    string
	cors     *CORS
	timeouts map[routes.Function]time.Duration
	now      func() time.Time
	log      *slog.Logger
}

// New checks the configuration against the route table and returns the
// gateway.
func New(cfg Config) (*Gateway, error) {
	g := &Gateway{
		handlers: cfg.Handlers,
		jwt:      cfg.JWT,
		creds:    cfg.Credentials,
		region:   cfg.Region,
		account:  cfg.AccountID,
		apiID:    cfg.APIID,
		cors:     cfg.CORS,
		timeouts: cfg.Timeouts,
		now:      cfg.Now,
		log:      cfg.Logger,
	}
	if g.account == "" {
		g.account = "000000000000"
	}
	if g.apiID == "" {
		g.apiID = "local"
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if err := routes.Validate(routes.All()); err != nil {
		return nil, fmt.Errorf("localapi: route table: %w", err)
	}
	var needJWT, needIAM bool
	for _, r := range routes.All() {
		if g.handlers[r.Function] == nil {
			return nil, fmt.Errorf("localapi: no handler for function %q (route %s)", r.Function, r.Key())
		}
		switch r.Auth {
		case routes.JWT:
			needJWT = true
		case routes.IAM:
			needIAM = true
		}
	}
	if needJWT && (g.jwt == nil || g.jwt.Issuer == "" || len(g.jwt.Audience) == 0) {
		return nil, errors.New("localapi: JWT routes need a JWT authorizer with an issuer and at least one audience")
	}
	if needIAM && (g.creds == nil || g.region == "") {
		return nil, errors.New("localapi: IAM routes need Credentials and a Region")
	}
	if g.cors != nil {
		if err := g.cors.validate(); err != nil {
			return nil, fmt.Errorf("localapi: %w", err)
		}
	}
	return g, nil
}

// ServeHTTP handles one request the way the HTTP API would.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := g.now()
	// API Gateway's front end refuses a payload over the quota before the
	// API sees the request: the answer carries no request id and no CORS
	// headers (see writeTooLarge).
	body, readErr := readBody(r)
	if errors.Is(readErr, errTooLarge) {
		g.log.Info("payload too large", "method", r.Method, "path", r.URL.Path, "contentLength", r.ContentLength)
		writeTooLarge(w)
		return
	}
	reqID := newRequestID()
	w.Header().Set("Apigw-Requestid", reqID)
	log := g.log.With("requestId", reqID, "method", r.Method, "path", r.URL.Path)

	// API Gateway answers preflights itself, before routing and
	// authorization, for any path: "even if there isn't an OPTIONS route".
	if g.cors != nil && isPreflight(r) {
		g.cors.preflight(w, r)
		return
	}
	g.cors.decorate(w.Header(), r)
	if readErr != nil {
		log.Info("reading the request body", "err", readErr)
		writeMessage(w, http.StatusBadRequest, "Bad Request")
		return
	}

	// Routing uses the decoded path, as HTTP APIs do: an encoded slash
	// (%2F) splits a segment and the request matches no route with one
	// parameter there.
	route, params, found, methodOK := routes.Match(r.Method, r.URL.Path)
	if !found || !methodOK {
		// HTTP APIs answer a known path with an unknown method the same as
		// an unknown path; there is no 405.
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}

	authorizer, ok := g.authorize(w, r, body, route, log)
	if !ok {
		return
	}
	decoded, status, msg := g.lambdaEvent(r, body, route, params, authorizer, reqID, start, log)
	if status != 0 {
		writeMessage(w, status, msg)
		return
	}
	resp, err := g.invoke(r.Context(), route, decoded)
	if err != nil {
		log.Error("handler failed", "route", route.Key(), "function", route.Function, "err", err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	if err := g.writeResponse(w, resp, log); err != nil {
		log.Error("handler returned an invalid response", "route", route.Key(), "function", route.Function, "err", err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
	}
}

// authorize runs the route's authorizer as API Gateway does; when it refuses
// the request it has answered it, and ok is false.
func (g *Gateway) authorize(w http.ResponseWriter, r *http.Request, body []byte, route routes.Route, log *slog.Logger) (
	authorizer *events.APIGatewayV2HTTPRequestContextAuthorizerDescription, ok bool) {
	switch route.Auth {
	case routes.JWT:
		res, err := g.jwt.Authorize(r.Context(), r.Header.Get("Authorization"), []string{routes.FullScope(route.Scope)})
		var aerr *jwtauth.Error
		switch {
		case errors.As(err, &aerr):
			log.Info("JWT authorizer refused the request", "route", route.Key(), "reason", aerr.Error())
			w.Header().Set("Www-Authenticate", aerr.Challenge())
			writeMessage(w, aerr.Status, aerr.Message())
			return nil, false
		case err != nil:
			log.Error("JWT authorizer failed", "route", route.Key(), "err", err)
			writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
			return nil, false
		}
		return &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: res.Claims, Scopes: res.Scopes},
		}, true
	case routes.IAM:
		iam, err := g.verifySignature(r, body)
		if err != nil {
			// HTTP APIs answer every SigV4 failure, including a request
			// with no signature at all, with a bare 403; only REST APIs
			// say "Missing Authentication Token" or describe the
			// signature mismatch.
			log.Info("IAM authorizer refused the request", "route", route.Key(), "reason", err.Error())
			writeMessage(w, http.StatusForbidden, "Forbidden")
			return nil, false
		}
		return &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{IAM: &iam}, true
	}
	return nil, true
}

// lambdaEvent is the proxy event of the request as the function receives
// it; a non-zero status is API Gateway's answer instead, with its message.
func (g *Gateway) lambdaEvent(r *http.Request, body []byte, route routes.Route, params map[string]string,
	authorizer *events.APIGatewayV2HTTPRequestContextAuthorizerDescription, reqID string, start time.Time, log *slog.Logger,
) (decoded events.APIGatewayV2HTTPRequest, status int, message string) {
	event := g.event(r, body, route, params, authorizer, reqID, start)
	payload, err := json.Marshal(event)
	if err != nil {
		log.Error("encode event", "err", err)
		return decoded, http.StatusInternalServerError, "Internal Server Error"
	}
	if len(payload) > MaxInvokeBytes {
		// Lambda refuses an invocation payload over 6 MB; API Gateway
		// reports it as 413 with this body (observed on a deployed API).
		log.Info("event exceeds Lambda's invocation payload quota", "bytes", len(payload))
		return decoded, http.StatusRequestEntityTooLarge, "Request Too Long"
	}
	// The handler gets the event as the Lambda runtime would decode it
	// from JSON, not the struct built here, so it sees exactly the maps,
	// nils and strings a deployed function sees.
	if err := json.Unmarshal(payload, &decoded); err != nil {
		log.Error("decode event", "err", err)
		return decoded, http.StatusInternalServerError, "Internal Server Error"
	}
	return decoded, 0, ""
}

// invoke calls the route's handler with the context the Lambda runtime would
// give it. A panic is a failed invocation, as it is in Lambda, not a crash
// of the gateway.
func (g *Gateway) invoke(ctx context.Context, route routes.Route, event events.APIGatewayV2HTTPRequest) (resp events.APIGatewayV2HTTPResponse, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       uuid.New(),
		InvokedFunctionArn: fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", g.regionOrDefault(), g.account, route.Function),
	})
	if d := g.timeouts[route.Function]; d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	return g.handlers[route.Function](ctx, event)
}

func (g *Gateway) regionOrDefault() string {
	if g.region != "" {
		return g.region
	}
	return "us-east-1"
}

// errTooLarge is a request body over MaxPayloadBytes.
var errTooLarge = errors.New("payload over " + strconv.Itoa(MaxPayloadBytes) + " bytes")

// readBody reads the request body, refusing more than API Gateway's payload
// quota, whether declared in Content-Length or streamed.
func readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > MaxPayloadBytes {
		return nil, errTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayloadBytes+1))
	if len(body) > MaxPayloadBytes {
		return nil, errTooLarge
	}
	return body, err
}

// writeTooLarge answers a payload over the quota as API Gateway's front end
// does, observed on deployed APIs: a plain-text 413 naming the limit, with
// Content-Type "text; charset=utf-8" and neither apigw-requestid nor CORS
// headers, since the API itself never saw the request. (A payload under
// the quota whose event exceeds Lambda's 6 MB gets the API's own JSON 413,
// {"message":"Request Too Long"}.)
func writeTooLarge(w http.ResponseWriter) {
	body := "HTTP content length exceeded " + strconv.Itoa(MaxPayloadBytes) + " bytes."
	w.Header().Set("Content-Type", "text; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	_, _ = io.WriteString(w, body)
}

// writeMessage writes a response of API Gateway's own, {"message":"..."}.
func writeMessage(w http.ResponseWriter, status int, message string) {
	b, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// newRequestID makes an id shaped like API Gateway's apigw-requestid
// (16 characters of base64, e.g. "Mc7UVioPPHcEKPA=").
func newRequestID() string {
	var b [11]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}
