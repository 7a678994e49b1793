// Package localcognito is a local Amazon Cognito user pool: an http.Handler
// that speaks the Cognito Identity Provider JSON 1.1 protocol well enough for
// the real AWS clients (aws-sdk-go-v2's cognitoidentityprovider client, the
// AWS CLI's "aws cognito-idp ... --endpoint-url") to sign users up, confirm
// them and sign them in, and that publishes its signing keys the way a user
// pool does:
//
//	POST /                                       X-Amz-Target: AWSCognitoIdentityProviderService.<Op>
//	GET  /<poolId>/.well-known/jwks.json
//	GET  /<poolId>/.well-known/openid-configuration
//
// It exists because the npm cognito-local server cannot stand in for the
// Portcullis pool: its access tokens only ever carry the
// aws.cognito.signin.user.admin scope, while every Portcullis API route
// requires a resource-server scope that the deployed pool adds through a
// pre token generation trigger (event version V2_0). This pool runs that
// trigger, and the others Portcullis uses, as plain Go functions with the
// aws-lambda-go event types, so the Lambda handlers themselves can be
// plugged in.
//
// Users sign in with USER_SRP_AUTH, the flow the deployed Portcullis app
// clients allow (InitiateAuth answers the PASSWORD_VERIFIER challenge,
// RespondToAuthChallenge checks the password proof with internal/protocol/srp), or
// with USER_PASSWORD_AUTH, as the AWS CLI does; either may be followed by
// NEW_PASSWORD_REQUIRED for a user an administrator created. Sessions are
// refreshed with REFRESH_TOKEN_AUTH. The pool keeps a salted hash and an
// SRP verifier of each password, never the password.
//
// Tokens are RS256 JWTs with the claims Cognito writes; the issuer is
// <BaseURL>/<PoolID>, so a JWT authorizer configured for the local issuer
// verifies them against the served JWKS exactly as API Gateway verifies
// tokens of the deployed pool. Refresh tokens are opaque and server-side.
// Everything is kept in memory.
//
// Choice-based sign-in (USER_AUTH) offers the pool's first factors
// (Config.FirstAuthFactors): the password, one-time codes by email and SMS
// (userauth.go) and passkeys, which go-webauthn verifies against
// Config.WebAuthn (webauthn.go, with their registration, listing and
// deletion).
//
// The account operations are served too: ForgotPassword and
// ConfirmForgotPassword (the code through the pool's AccountRecoverySetting),
// ChangePassword, attribute verification and deletion, and the admin
// resets, sign-outs and disabling; so is TOTP MFA (MFA_SETUP and
// SOFTWARE_TOKEN_MFA, AssociateSoftwareToken, VerifySoftwareToken,
// SetUserMFAPreference), with Cognito's limits on wrong passwords and codes
// (limits.go). Every message with a code goes through the custom message
// trigger and then to Config.CodeSink.
//
// Behaviour follows the Amazon Cognito API reference and developer guide;
// where they are silent, the choice is commented where it is made. App
// clients prevent user existence errors unless configured LEGACY, as
// Portcullis configures its clients: a sign-in as a user that does not
// exist fails as a wrong password does, in USER_SRP_AUTH after a simulated
// challenge, and ForgotPassword answers a simulated delivery.
package localcognito
