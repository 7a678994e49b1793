// Package auth provides the sign-in layer of a Portcullis stage as three
// constructs, each usable alone in any CDK for Go app:
//
//   - UserPool: a Cognito user pool with email and/or phone sign-in, code
//     verification by email and by SMS (through an SNS role that demands an
//     external ID), TOTP MFA, threat protection, strong passwords and a
//     Cognito-hosted domain.
//   - AppClients: a resource server with the API's scopes, a public SPA
//     client (authorization code + PKCE, no secret) and a confidential
//     server client (authorization code with a client secret).
//   - IdentityPool: temporary AWS credentials for signed-in users through a
//     single authenticated role, with grants scoped to the caller's identity.
//
// Every prop documents its default, and the defaults are the secure choice:
// leaving a prop unset never weakens the pool. Constructors panic on invalid
// props, as CDK constructors do; each props type has a Validate method that
// returns the same error for callers that prefer to handle it.
package auth
