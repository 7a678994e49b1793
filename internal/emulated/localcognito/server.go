package localcognito

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/protocol/awsjson"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
)

// targetPrefix starts the X-Amz-Target of every Cognito user pool operation.
const targetPrefix = "AWSCognitoIdentityProviderService."

// maxRequestBytes bounds a request body; real requests are a few kilobytes
// and Cognito refuses anything near this size.
const maxRequestBytes = 1 << 20

// Server is a local user pool. Create it with New; it is safe for
// concurrent use.
type Server struct {
	*pool
	key *rsa.PrivateKey
	kid string
	ops map[string]operation

	mu       sync.Mutex
	users    map[string]*user         // by folded username
	aliases  map[string]*user         // by aliasKey: the sign-in names of username-attribute pools
	sessions map[string]*authSession  // NEW_PASSWORD_REQUIRED sessions by Session
	srp      map[string]*srpSession   // PASSWORD_VERIFIER challenges by SECRET_BLOCK
	refresh  map[string]*refreshToken // by token
	revoked  map[string]bool          // origin_jti of signed-out sessions

	// srpSweepAt is the number of challenges at which sweepSRP next runs.
	srpSweepAt int
	// unknownUsers simulates SRP sign-ins of users that do not exist.
	unknownUsers simulatedUsers
}

// operation serves one X-Amz-Target. Admin operations need IAM
// credentials in AWS, so their SigV4 signature is verified and a request
// without one is refused as AWS refuses it.
type operation struct {
	serve func(ctx context.Context, body []byte) (any, error)
	admin bool
}

// New validates the configuration, generates the pool's signing key and
// returns the server.
func New(cfg Config) (*Server, error) {
	p, err := validate(cfg)
	if err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("localcognito: generate signing key: %w", err)
	}
	s := &Server{
		pool:     p,
		key:      key,
		kid:      randomKID(),
		users:    map[string]*user{},
		aliases:  map[string]*user{},
		sessions: map[string]*authSession{},
		srp:      map[string]*srpSession{},
		refresh:  map[string]*refreshToken{},
		revoked:  map[string]bool{},

		unknownUsers: newSimulatedUsers(p.srpPool),
	}
	s.ops = map[string]operation{
		"SignUp":                    {serve: jsonOp(s.signUp)},
		"ConfirmSignUp":             {serve: jsonOp(s.confirmSignUp)},
		"ResendConfirmationCode":    {serve: jsonOp(s.resendConfirmationCode)},
		"InitiateAuth":              {serve: jsonOp(s.initiateAuth)},
		"RespondToAuthChallenge":    {serve: jsonOp(s.respondToAuthChallenge)},
		"GetUser":                   {serve: jsonOp(s.getUser)},
		"UpdateUserAttributes":      {serve: jsonOp(s.updateUserAttributes)},
		"DeleteUser":                {serve: jsonOp(s.deleteUser)},
		"GlobalSignOut":             {serve: jsonOp(s.globalSignOut)},
		"RevokeToken":               {serve: jsonOp(s.revokeToken)},
		"AdminConfirmSignUp":        {serve: jsonOp(s.adminConfirmSignUp), admin: true},
		"AdminCreateUser":           {serve: jsonOp(s.adminCreateUser), admin: true},
		"AdminSetUserPassword":      {serve: jsonOp(s.adminSetUserPassword), admin: true},
		"AdminGetUser":              {serve: jsonOp(s.adminGetUser), admin: true},
		"AdminUpdateUserAttributes": {serve: jsonOp(s.adminUpdateUserAttributes), admin: true},
		"AdminDeleteUser":           {serve: jsonOp(s.adminDeleteUser), admin: true},
		"ListUsers":                 {serve: jsonOp(s.listUsers), admin: true},
		"CreateUserPoolClient":      {serve: jsonOp(s.createUserPoolClient), admin: true},
		"DeleteUserPoolClient":      {serve: jsonOp(s.deleteUserPoolClient), admin: true},
	}
	return s, nil
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
	return slices.Sorted(maps.Keys(s.ops))
}

// Code is the last code sent to the user — a confirmation code, or the
// temporary password of an invitation — found by username or sign-in
// alias. ok is false when the user does not exist or was never sent one.
func (s *Server) Code(username string) (code string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.lookup(username)
	if u == nil || u.lastCode == "" {
		return "", false
	}
	return u.lastCode, true
}

// ServeHTTP serves the Cognito API, the JWKS and the OpenID configuration.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setCORS(w.Header(), r)
	switch {
	case r.Method == http.MethodOptions:
		// Browsers call Cognito directly from the SPA's origin; a preflight
		// must succeed for them to send the real request.
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		s.serveWellKnown(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/":
		s.serveAPI(w, r)
	default:
		writeError(w, newRequestID(), &opError{
			Type:    errUnknownOperation,
			Message: fmt.Sprintf("%s %s is not an operation of this user pool; operations are POST / with X-Amz-Target: %s<Operation>", r.Method, r.URL.Path, targetPrefix),
			Status:  http.StatusNotFound,
		})
	}
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, targetPrefix)
	op, known := s.ops[name]
	if !ok || !known {
		writeError(w, requestID, apiError(errUnknownOperation,
			"Operation %q is not supported by this local user pool; it serves %s", target, strings.Join(s.Operations(), ", ")))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	if err != nil {
		writeError(w, requestID, apiError(errSerialization, "reading the request body: %v", err))
		return
	}
	if len(body) > maxRequestBytes {
		writeError(w, requestID, &opError{Type: errSerialization, Message: "request body too large", Status: http.StatusRequestEntityTooLarge})
		return
	}
	if op.admin {
		svc := sigv4.Service{Name: "cognito-idp", Region: s.region, Skew: 5 * time.Minute}
		if _, err := svc.Verify(r, body, s.creds, time.Now()); err != nil {
			var serr *sigv4.Error
			if !errors.As(err, &serr) {
				serr = &sigv4.Error{Reason: sigv4.Malformed, Message: err.Error()}
			}
			typ, msg := serr.JSONError()
			s.log.Info("localcognito: admin operation refused", "operation", name, "reason", err.Error())
			writeError(w, requestID, apiError(typ, "%s", msg))
			return
		}
	}
	out, err := op.serve(r.Context(), body)
	if err != nil {
		var apiErr *opError
		if !errors.As(err, &apiErr) {
			apiErr = &opError{Type: errInternal, Message: "internal error", Status: http.StatusInternalServerError, Err: err}
		}
		if apiErr.Status >= 500 || apiErr.Err != nil {
			s.log.Error("localcognito: operation failed", "operation", name, "error", err)
		}
		writeError(w, requestID, apiErr)
		return
	}
	writeJSON(w, requestID, http.StatusOK, out)
}

// jsonOp adapts an operation on a decoded request to the wire: the body is
// JSON, and an empty body is an empty request.
func jsonOp[In, Out any](f func(context.Context, In) (Out, error)) func(context.Context, []byte) (any, error) {
	return func(ctx context.Context, body []byte) (any, error) {
		var in In
		if len(bytes.TrimSpace(body)) > 0 {
			if err := json.Unmarshal(body, &in); err != nil {
				return nil, apiError(errSerialization, "the request body is not a valid %T: %v", in, err)
			}
		}
		return f(ctx, in)
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

func writeJSON(w http.ResponseWriter, requestID string, status int, v any) {
	writeBody(w, requestID, status, awsjson.ContentType11, v)
}

func writeBody(w http.ResponseWriter, requestID string, status int, contentType string, v any) {
	w.Header().Set("X-Amzn-Requestid", requestID)
	awsjson.WriteJSON(w, contentType, status, v)
}

func writeError(w http.ResponseWriter, requestID string, e *opError) {
	w.Header().Set("X-Amzn-Requestid", requestID)
	awsjson.WriteError(w, awsjson.ContentType11, e)
}
