package localcognito

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/protocol/awsjson"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtsign"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
)

// targetPrefix starts the X-Amz-Target of every Cognito user pool operation.
const targetPrefix = "AWSCognitoIdentityProviderService."

// Server is a local user pool. Create it with New; it is safe for
// concurrent use.
type Server struct {
	*pool
	key jwtsign.Key
	api awsjson.Dispatcher

	// users holds the users and their sign-in state; operations reach it
	// only through its methods.
	users *userStore
	// unknownUsers simulates SRP sign-ins of users that do not exist.
	unknownUsers simulatedUsers
}

// New validates the configuration, generates the pool's signing key
// unless the configuration gives one, and returns the server.
func New(cfg Config) (*Server, error) {
	p, err := validate(cfg)
	if err != nil {
		return nil, err
	}
	key, err := signingKey(cfg.SigningKey)
	if err != nil {
		return nil, err
	}
	s := &Server{
		pool:         p,
		key:          key,
		users:        newUserStore(p.usernameAttrs, p.now),
		unknownUsers: newSimulatedUsers(p.srpPool),
	}
	for _, g := range p.groups {
		now := p.now()
		_ = s.users.addGroup(storedGroup{Group: g, created: now, modified: now}) // names checked unique by validate
	}
	s.api = awsjson.Dispatcher{
		Name:        "this local user pool",
		Prefix:      targetPrefix,
		ContentType: awsjson.ContentType11,
		Log:         s.log,
		Operations:  map[string]awsjson.Handler{},
	}
	// Every operation checks the API's member constraints first, as AWS
	// does; admin operations after the signature, since they need IAM
	// credentials in AWS.
	for name, serve := range s.userOperations() {
		s.api.Operations[name] = checked(serve)
	}
	for name, serve := range s.adminOperations() {
		s.api.Operations[name] = s.adminOp(name, checked(serve))
	}
	return s, nil
}

// signingKey is the configured key (validate checked it) or a new one.
func signingKey(configured *jwtsign.Key) (jwtsign.Key, error) {
	if configured != nil {
		return *configured, nil
	}
	key, err := jwtsign.GenerateKey(randomKID())
	if err != nil {
		return jwtsign.Key{}, fmt.Errorf("localcognito: generate signing key: %w", err)
	}
	return key, nil
}

// PoolID is the pool's id.
func (s *Server) PoolID() string { return s.id }

// Region is the pool's region.
func (s *Server) Region() string { return s.region }

// Issuer is the iss of the pool's tokens, BaseURL/PoolID.
func (s *Server) Issuer() string { return s.issuer }

// JWKSURL is where the pool publishes its signing keys.
func (s *Server) JWKSURL() string { return s.issuer + "/.well-known/jwks.json" }

// Operations lists the X-Amz-Target operation names the server serves,
// without the service prefix.
func (s *Server) Operations() []string {
	return s.api.OperationNames()
}

// Code is the last code sent to the user — a confirmation code, or the
// temporary password of an invitation — found by username or sign-in
// alias. ok is false when the user does not exist or was never sent one.
func (s *Server) Code(username string) (code string, ok bool) {
	u := s.users.find(byName(username))
	if u == nil || u.lastCode == "" {
		return "", false
	}
	return u.lastCode, true
}

// ServeHTTP serves the Cognito API, the JWKS and the OpenID configuration.
// The domain's OAuth 2.0 endpoints and sign-in pages are package
// hostedui's, in front of this handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setCORS(w.Header(), r)
	switch {
	case r.Method == http.MethodOptions:
		// Browsers call Cognito directly from the SPA's origin; a preflight
		// must succeed for them to send the real request.
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		s.serveWellKnown(w, r)
	default:
		s.api.ServeHTTP(w, r)
	}
}

// adminOp guards an admin operation: they need IAM credentials in AWS, so
// their SigV4 signature is verified and a request without one is refused
// as AWS refuses it.
func (s *Server) adminOp(name string, serve awsjson.Handler) awsjson.Handler {
	return func(r *http.Request, body []byte) (any, error) {
		svc := sigv4.Service{Name: "cognito-idp", Region: s.region, Skew: 5 * time.Minute}
		if _, err := svc.Verify(r, body, s.creds, time.Now()); err != nil {
			var serr *sigv4.Error
			if !errors.As(err, &serr) {
				serr = &sigv4.Error{Reason: sigv4.Malformed, Message: err.Error()}
			}
			typ, msg := serr.JSONError()
			s.log.Info("localcognito: admin operation refused", "operation", name, "reason", err.Error())
			return nil, apiError(typ, "%s", msg)
		}
		return serve(r, body)
	}
}

func setCORS(h http.Header, r *http.Request) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date")
	if r.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", req)
		} else {
			h.Set("Access-Control-Allow-Headers", "Content-Type, X-Amz-Target, X-Amz-User-Agent, Authorization, X-Amz-Date, X-Amz-Security-Token, Cache-Control")
		}
		h.Set("Access-Control-Max-Age", "86400")
	}
}

func writeBody(w http.ResponseWriter, requestID string, status int, contentType string, v any) {
	w.Header().Set("X-Amzn-Requestid", requestID)
	awsjson.WriteJSON(w, contentType, status, v)
}

func writeError(w http.ResponseWriter, requestID string, e *opError) {
	w.Header().Set("X-Amzn-Requestid", requestID)
	awsjson.WriteError(w, awsjson.ContentType11, e)
}
