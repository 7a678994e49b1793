// Package localidentity stands in for an Amazon Cognito identity pool when
// the stack runs locally. It serves the two operations of the Cognito
// Identity JSON 1.1 protocol that signed-in browsers and the AWS SDKs use to
// trade a user pool ID token for temporary AWS credentials (the "enhanced"
// authentication flow):
//
//   - AWSCognitoIdentityService.GetId returns the identity id of the user
//     behind a login;
//   - AWSCognitoIdentityService.GetCredentialsForIdentity issues temporary
//     credentials of the pool's authenticated role to that identity.
//
// Requests and responses have the shapes of the real service (an
// aws-sdk-go-v2 cognitoidentity client pointed at the pool's URL works), and
// errors the shape of awsJson1_1 errors: HTTP 400, an x-amzn-ErrorType header
// and {"__type":"NotAuthorizedException","message":"..."}.
//
// The pool also implements sigv4.Credentials, so the local API gateway
// can verify requests signed with the credentials it issued.
package localidentity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/protocol/awsjson"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
	"github.com/portcullis-cdk/portcullis/internal/protocol/uuid"
)

// DefaultCredentialsTTL is how long issued credentials last, the one hour
// Cognito gives credentials from GetCredentialsForIdentity.
const DefaultCredentialsTTL = time.Hour

// targetPrefix starts the X-Amz-Target of every Cognito Identity operation.
const targetPrefix = "AWSCognitoIdentityService."

var accountIDPattern = regexp.MustCompile(`^\d{12}$`)

var poolIDPattern = regexp.MustCompile(`^([a-z]{2}(?:-[a-z]+)+-\d):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// The gateway checks signatures with the credentials the pool issues.
var _ sigv4.Credentials = (*Pool)(nil)

// Config configures a Pool.
type Config struct {
	// PoolID is the identity pool id, "<region>:<uuid>".
	PoolID string
	// AccountID owns the pool and its role.
	AccountID string
	// RoleARN is the pool's authenticated role, e.g.
	// arn:aws:iam::123456789012:role/portcullis-dev-authenticated.
	RoleARN string
	// Providers are the user pools whose ID tokens the pool accepts, each
	// with the app client ids allowed as audience. A login's key is the
	// provider name, its issuer without the scheme
	// (cognito-idp.<region>.amazonaws.com/<poolId>); see ProviderName. A
	// local issuer whose last path segment is a user pool id
	// (http://127.0.0.1:9229/us-east-1_abc) is also known by the name
	// deployed clients send for that pool,
	// cognito-idp.us-east-1.amazonaws.com/us-east-1_abc, so AWS SDKs and
	// Amplify work against it unchanged.
	Providers []*jwtauth.Authorizer
	// CredentialsTTL is the lifetime of issued credentials; zero means
	// DefaultCredentialsTTL.
	CredentialsTTL time.Duration
	// Now is the pool's clock; nil means time.Now.
	Now func() time.Time
	// Store receives the credentials the pool issues, so every local
	// service that checks signatures knows them; nil means a store of the
	// pool's own.
	Store *sigv4.Store
	// SignedIn is the providers' ServerSideTokenCheck: it asks the user
	// pool whether the user of a verified ID token is still signed in (not
	// signed out globally, not deleted); a login it refuses gets no
	// identity and no credentials. Nil means no check.
	SignedIn func(idToken string) bool
}

// Pool is a local identity pool. Create it with New.
type Pool struct {
	id        string
	region    string
	account   string
	roleARN   string
	roleName  string
	roleID    string
	providers map[string]*jwtauth.Authorizer
	signedIn  func(idToken string) bool
	// canonical maps each accepted login key to the provider name the
	// identity is derived from, so both keys of a local pool give one
	// identity.
	canonical map[string]string
	ttl       time.Duration
	now       func() time.Time

	store *sigv4.Store
	api   awsjson.Dispatcher
}

// New validates the configuration and returns the pool.
func New(cfg Config) (*Pool, error) {
	m := poolIDPattern.FindStringSubmatch(cfg.PoolID)
	if m == nil {
		return nil, fmt.Errorf("localidentity: pool id %q is not <region>:<uuid>", cfg.PoolID)
	}
	if !accountIDPattern.MatchString(cfg.AccountID) {
		return nil, fmt.Errorf("localidentity: account id %q is not 12 digits", cfg.AccountID)
	}
	prefix := "arn:aws:iam::" + cfg.AccountID + ":role/"
	if !strings.HasPrefix(cfg.RoleARN, prefix) || len(cfg.RoleARN) == len(prefix) {
		return nil, fmt.Errorf("localidentity: role %q is not a role of account %s", cfg.RoleARN, cfg.AccountID)
	}
	if len(cfg.Providers) == 0 {
		return nil, errors.New("localidentity: no user pool providers")
	}
	p := &Pool{
		id:        cfg.PoolID,
		region:    m[1],
		account:   cfg.AccountID,
		roleARN:   cfg.RoleARN,
		roleName:  cfg.RoleARN[strings.LastIndex(cfg.RoleARN, "/")+1:],
		roleID:    "AROA" + deriveID(cfg.RoleARN, 17),
		providers: map[string]*jwtauth.Authorizer{},
		canonical: map[string]string{},
		ttl:       cfg.CredentialsTTL,
		now:       cfg.Now,
		store:     cfg.Store,
		signedIn:  cfg.SignedIn,
	}
	if p.ttl <= 0 {
		p.ttl = DefaultCredentialsTTL
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.store == nil {
		p.store = &sigv4.Store{}
	}
	p.api = awsjson.Dispatcher{
		Name:        "the local identity pool",
		Prefix:      targetPrefix,
		ContentType: awsjson.ContentType11,
		Operations: map[string]awsjson.Handler{
			"GetId":                     awsjson.Op(p.GetID),
			"GetCredentialsForIdentity": awsjson.Op(p.GetCredentialsForIdentity),
		},
	}
	for _, a := range cfg.Providers {
		if a == nil || a.Issuer == "" || len(a.Audience) == 0 {
			return nil, errors.New("localidentity: every provider needs an issuer and at least one client id")
		}
		name := ProviderName(a.Issuer)
		names := []string{name}
		if real := cognitoProviderName(a.Issuer); real != "" && real != name {
			names = append(names, real)
			name = real
		}
		for _, n := range names {
			if _, dup := p.providers[n]; dup {
				return nil, fmt.Errorf("localidentity: provider %s given twice", n)
			}
			p.providers[n] = a
			p.canonical[n] = name
		}
	}
	return p, nil
}

// ProviderName is the key of a user pool's logins: its issuer URL without
// the scheme, cognito-idp.us-east-1.amazonaws.com/us-east-1_abc for
// https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc.
func ProviderName(issuer string) string {
	if _, rest, ok := strings.Cut(issuer, "://"); ok {
		return rest
	}
	return issuer
}

// userPoolIDPattern matches a Cognito user pool id, <region>_<suffix>.
var userPoolIDPattern = regexp.MustCompile(`^([a-z]{2}(?:-[a-z]+)+-\d)_[0-9A-Za-z]+$`)

// cognitoProviderName is the login key deployed clients use for the user
// pool an issuer URL ends with, cognito-idp.<region>.amazonaws.com/<poolId>,
// or "" when the issuer does not end with a user pool id.
func cognitoProviderName(issuer string) string {
	poolID := issuer[strings.LastIndex(issuer, "/")+1:]
	m := userPoolIDPattern.FindStringSubmatch(poolID)
	if m == nil {
		return ""
	}
	return "cognito-idp." + m[1] + ".amazonaws.com/" + poolID
}

// ID is the pool's id.
func (p *Pool) ID() string { return p.id }

// Error is a failed operation, in the shape of a Cognito Identity error.
type Error = awsjson.Error

func notAuthorized(msg string, err error) *Error {
	return &Error{Type: "NotAuthorizedException", Message: msg, Status: http.StatusBadRequest, Err: err}
}

func invalidParameter(msg string) *Error {
	return &Error{Type: "InvalidParameterException", Message: msg, Status: http.StatusBadRequest}
}

// GetIDInput is the request of GetId.
type GetIDInput struct {
	AccountID      string            `json:"AccountId,omitempty"`
	IdentityPoolID string            `json:"IdentityPoolId"`
	Logins         map[string]string `json:"Logins,omitempty"`
}

// GetIDOutput is the response of GetId.
type GetIDOutput struct {
	IdentityID string `json:"IdentityId"`
}

// GetCredentialsInput is the request of GetCredentialsForIdentity.
type GetCredentialsInput struct {
	IdentityID    string            `json:"IdentityId"`
	Logins        map[string]string `json:"Logins,omitempty"`
	CustomRoleArn string            `json:"CustomRoleArn,omitempty"`
}

// GetCredentialsOutput is the response of GetCredentialsForIdentity.
type GetCredentialsOutput struct {
	IdentityID  string      `json:"IdentityId"`
	Credentials Credentials `json:"Credentials"`
}

// Credentials are temporary AWS credentials. Expiration is in epoch
// seconds, as awsJson1_1 writes timestamps.
type Credentials struct {
	AccessKeyID  string `json:"AccessKeyId"`
	SecretKey    string `json:"SecretKey"`
	SessionToken string `json:"SessionToken"`
	Expiration   int64  `json:"Expiration"`
}

// GetID returns the identity id of the user signed in with the logins. The
// id is derived from the pool, the provider and the user's sub, so the same
// user gets the same id every time, across restarts too: what a browser
// cached stays valid, and so does data keyed by it.
func (p *Pool) GetID(ctx context.Context, in GetIDInput) (GetIDOutput, error) {
	if in.IdentityPoolID != p.id {
		return GetIDOutput{}, &Error{Type: "ResourceNotFoundException", Message: fmt.Sprintf("IdentityPool '%s' not found.", in.IdentityPoolID), Status: http.StatusBadRequest}
	}
	login, err := p.verifyLogins(ctx, in.Logins)
	if err != nil {
		return GetIDOutput{}, err
	}
	return GetIDOutput{IdentityID: p.identityID(login)}, nil
}

// GetCredentialsForIdentity issues temporary credentials of the pool's
// authenticated role to the identity, which must be the one the logins sign
// in as.
func (p *Pool) GetCredentialsForIdentity(ctx context.Context, in GetCredentialsInput) (GetCredentialsOutput, error) {
	if in.IdentityID == "" {
		return GetCredentialsOutput{}, invalidParameter("1 validation error detected: Value null at 'identityId' failed to satisfy constraint: Member must not be null")
	}
	if !strings.HasPrefix(in.IdentityID, p.region+":") {
		return GetCredentialsOutput{}, &Error{Type: "ResourceNotFoundException", Message: fmt.Sprintf("Identity '%s' not found.", in.IdentityID), Status: http.StatusBadRequest}
	}
	if in.CustomRoleArn != "" && in.CustomRoleArn != p.roleARN {
		return GetCredentialsOutput{}, invalidParameter("CustomRoleArn is not a role of this identity pool")
	}
	login, err := p.verifyLogins(ctx, in.Logins)
	if err != nil {
		return GetCredentialsOutput{}, err
	}
	if p.identityID(login) != in.IdentityID {
		return GetCredentialsOutput{}, notAuthorized("Logins don't match. Please include at least one valid login for this identity or identity pool.", nil)
	}

	now := p.now()
	akid := "ASIA" + randomID(16)
	caller := sigv4.Credential{
		AccessKeyID:     akid,
		SecretAccessKey: randomSecret(30),
		SessionToken:    randomSecret(120),
		Expiration:      now.Add(p.ttl).Truncate(time.Second),
		Principal:       p.principal(login, in.IdentityID),
	}
	p.store.DeleteExpired(now)
	p.store.Put(caller)

	return GetCredentialsOutput{
		IdentityID: in.IdentityID,
		Credentials: Credentials{
			AccessKeyID:  akid,
			SecretKey:    caller.SecretAccessKey,
			SessionToken: caller.SessionToken,
			Expiration:   caller.Expiration.Unix(),
		},
	}, nil
}

// Lookup returns the credentials the pool issued for an access key; it
// implements sigv4.Credentials. Expired credentials are still returned,
// with their Expiration, so a service can tell an expired token from an
// unknown one.
func (p *Pool) Lookup(accessKeyID string) (sigv4.Credential, bool) {
	return p.store.Lookup(accessKeyID)
}

// login is a verified user pool sign-in.
type login struct {
	provider string
	sub      string
}

// verifyLogins checks every login's ID token with its provider's JWT
// authorizer and returns the first, in provider-name order.
func (p *Pool) verifyLogins(ctx context.Context, logins map[string]string) (login, error) {
	if len(logins) == 0 {
		return login{}, notAuthorized("Unauthenticated access is not supported for this identity pool.", nil)
	}
	names := make([]string, 0, len(logins))
	for name := range logins {
		names = append(names, name)
	}
	slices.Sort(names)
	var first login
	for i, name := range names {
		a, ok := p.providers[name]
		if !ok {
			return login{}, notAuthorized("Token is not from a supported provider of this identity pool.", nil)
		}
		res, err := a.Authorize(ctx, logins[name], nil)
		var aerr *jwtauth.Error
		switch {
		case errors.As(err, &aerr):
			msg := "Invalid login token."
			if aerr.Description != "" {
				msg += " " + strings.ToUpper(aerr.Description[:1]) + aerr.Description[1:] + "."
			}
			return login{}, notAuthorized(msg, err)
		case err != nil:
			return login{}, &Error{Type: "InternalErrorException", Message: "An internal error occurred.", Status: http.StatusInternalServerError, Err: err}
		}
		// Identity pools take OpenID Connect ID tokens: an access token
		// names its app client in client_id, not aud, and is refused.
		if _, hasAud := res.Claims["aud"]; !hasAud {
			return login{}, notAuthorized("Invalid login token. Missing a required claim: aud", nil)
		}
		if use := res.Claims["token_use"]; use != "" && use != "id" {
			return login{}, notAuthorized("Invalid login token. Not a valid OpenId Connect identity token.", nil)
		}
		sub := res.Claims["sub"]
		if sub == "" {
			return login{}, notAuthorized("Invalid login token. Missing a required claim: sub", nil)
		}
		// Cognito documents a 400 Not Authorized for a signed-out or
		// deleted user under ServerSideTokenCheck, not its message.
		if p.signedIn != nil && !p.signedIn(logins[name]) {
			return login{}, notAuthorized("Invalid login token. The user is signed out or no longer exists.", nil)
		}
		if i == 0 {
			first = login{provider: p.canonical[name], sub: sub}
		}
	}
	return first, nil
}

// identityID derives the stable identity id of a login: the region and a
// name-based (version 5) UUID of the pool, provider and sub.
func (p *Pool) identityID(l login) string {
	return p.region + ":" + uuid.V5(uuid.URLNamespace, "cognito-identity://"+p.id+"/"+l.provider+"/"+l.sub)
}

// principal is who the pool's credentials act for: the authenticated
// role's session that Cognito names CognitoIdentityCredentials, and the
// Cognito identity with the amr an authenticated user pool sign-in carries.
func (p *Pool) principal(l login, identityID string) sigv4.Principal {
	return sigv4.Principal{
		ARN:                   "arn:aws:sts::" + p.account + ":assumed-role/" + p.roleName + "/CognitoIdentityCredentials",
		AccountID:             p.account,
		RoleARN:               p.roleARN,
		UserID:                p.roleID + ":CognitoIdentityCredentials",
		CognitoIdentityID:     identityID,
		CognitoIdentityPoolID: p.id,
		AMR:                   []string{"authenticated", l.provider, l.provider + ":CognitoSignIn:" + l.sub},
	}
}

// ServeHTTP serves the Cognito Identity JSON 1.1 protocol: POST / with
// X-Amz-Target naming the operation.
func (p *Pool) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.api.ServeHTTP(w, r) }

// randomID is n characters of upper-case base32, the alphabet of AWS access
// key ids.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base32.StdEncoding.EncodeToString(b)[:n]
}

// randomSecret is the base64 of n random bytes.
func randomSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// deriveID is n base32 characters derived from s, for ids that must be
// stable, like the role id.
func deriveID(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return base32.StdEncoding.EncodeToString(sum[:])[:n]
}
