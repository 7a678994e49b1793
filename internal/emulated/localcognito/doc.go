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
//
// # Layers
//
// The package is built in layers, each using only the one below:
//
//   - the user store (store.go, store_sessions.go): users, their sign-in
//     names, challenge sessions, SRP challenges, refresh tokens and
//     revocations behind one lock. Its methods take the lock and return
//     copies; a change to a user is a function update runs under the lock
//     (userTx gives it the conflict check, sign-out and sessions). The app
//     clients are in clientStore (pool.go), likewise.
//   - the operations, a file per concern (signup.go, auth.go, srpauth.go,
//     mfa.go, account.go, attributes.go, self.go, admin.go, listusers.go,
//     clientadmin.go), each starting with the shared preamble
//     (preamble.go: asClient, asUser, asAdmin, forClient, checkParams)
//     and reaching users only through the store; with what they share:
//     tokens.go, triggers.go, messages.go, limits.go, password.go.
//   - the protocol (server.go, operations.go, wellknown.go): the
//     operation tables, admin operations' SigV4 check, member limits, the
//     JWKS and discovery.
//   - the configuration (config.go, validated per section in pool.go).
//
// The domain (OAuth 2.0 endpoints, sign-in pages) is package hostedui, in
// front of the Server; it calls only the operations domain.go exports.
//
// Adding an operation: write it in the file of its concern (or a new
// file for a new concern) as a method taking its input struct and
// returning its output struct; start with the preamble that fits who
// calls it; read users with find, change them with update; add it to the
// tables in operations.go (userOperations, or adminOperations for one that
// needs IAM credentials) and to the aws CLI test. State of a
// new kind (groups, passkeys) gets its map in userStore and its methods
// in a store file of its own, each taking the lock through locked.
package localcognito
