// Package webconfig is the web app's runtime configuration: one JSON
// file, File, at the root of the site. A deployed stage generates it at
// deploy time from the stack's values and deploys it with the SPA files
// (the same build serves every stage); `make dev` writes one pointing at
// the local stack. The SPA fetches it before anything else.
//
// It is our own small shape, not amplify_outputs.json: the SPA uses
// oidc-client-ts and the SDK for JavaScript v3 directly, and every value
// here is a full URL, so the local stack (http on loopback) and AWS (https)
// fit the same fields; Amplify's file names the hosted domain as a bare
// host that Amplify always calls over https.
package webconfig

const (
	// File is the file's name at the site root ("/config.json").
	File = "config.json"
	// APIPath is where the API is served on the app's own origin: the
	// distribution (and `make dev`) route APIPath+"/*" to the API with the
	// prefix removed, so GET /api/todos reaches the API's GET /todos.
	APIPath = "/api"
	// CallbackPath and LogoutPath are the SPA's routes the hosted UI returns
	// to, relative to the app's origin; the SPA client registers
	// origin+CallbackPath and origin+LogoutPath.
	CallbackPath = "/callback"
	LogoutPath   = "/"
)

// Config is the content of File. Every field is set in both a
// deployed and a local config.
type Config struct {
	// Region of every resource of the stage, e.g. "eu-west-1".
	Region string `json:"region"`
	// UserPoolID, e.g. "eu-west-1_AbCdEf123".
	UserPoolID string `json:"userPoolId"`
	// ClientID of the public SPA app client (authorization code + PKCE,
	// and the custom UI's SDK calls).
	ClientID string `json:"clientId"`
	// Issuer of the pool's tokens, the OIDC authority:
	// "https://cognito-idp.<region>.amazonaws.com/<pool id>" (discovery at
	// Issuer+"/.well-known/openid-configuration").
	Issuer string `json:"issuer"`
	// CognitoDomain is the base URL of the hosted UI and the OAuth 2.0
	// endpoints (/oauth2/authorize, /oauth2/token, /oauth2/revoke,
	// /logout), no trailing slash:
	// "https://<prefix>.auth.<region>.amazoncognito.com".
	CognitoDomain string `json:"cognitoDomain"`
	// UserPoolEndpoint is the Cognito user pool API (SignUp,
	// InitiateAuth, ...) for the custom UI's SDK client:
	// "https://cognito-idp.<region>.amazonaws.com".
	UserPoolEndpoint string `json:"userPoolEndpoint"`
	// IdentityPoolID, e.g. "eu-west-1:0000...".
	IdentityPoolID string `json:"identityPoolId"`
	// IdentityEndpoint is the Cognito identity pool API:
	// "https://cognito-identity.<region>.amazonaws.com".
	IdentityEndpoint string `json:"identityEndpoint"`
	// APIPath is the API's path on the app's own origin: APIPath.
	APIPath string `json:"apiPath"`
	// Scopes the SPA requests at the hosted UI: "openid", "email",
	// "profile", "aws.cognito.signin.user.admin" and the API scopes the
	// SPA client may request ("<resource server>/todos.read", ...).
	Scopes []string `json:"scopes"`
	// CallbackPath and LogoutPath: CallbackPath and LogoutPath.
	CallbackPath string `json:"callbackPath"`
	LogoutPath   string `json:"logoutPath"`
	// FirstAuthFactors are the first factors of choice-based sign-in
	// (USER_AUTH) the pool allows, its AllowedFirstAuthFactors: "PASSWORD"
	// and any of "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN". The sign-in page
	// offers only these (a prod pool that requires MFA sends no codes).
	FirstAuthFactors []string `json:"firstAuthFactors"`
}
