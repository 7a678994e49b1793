package localcognito

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
	"time"
)

// sourceTokenHostedAuth is the trigger source of tokens for a sign-in on the
// domain's pages.
const sourceTokenHostedAuth = "TokenGeneration_HostedAuth"

// oauthGrant is what a code carries into the tokens it is exchanged for.
type oauthGrant struct {
	scopes   []string
	nonce    string
	authTime time.Time
}

// hostedSignIn collects the user a sign-in on the domain's pages
// authenticated (SignInWithPassword, AnswerChallenge). The pages sign users
// in through the API's own flows (password check, challenges, triggers);
// with one of these in the context, issueTokens records the user instead
// of signing tokens.
type hostedSignIn struct {
	user *user
}

type hostedSignInKey struct{}

func (h *hostedSignIn) signedIn(u *user) { h.user = u }

func withHostedSignIn(ctx context.Context) (context.Context, *hostedSignIn) {
	h := &hostedSignIn{}
	return context.WithValue(ctx, hostedSignInKey{}, h), h
}

func hostedSignInFrom(ctx context.Context) *hostedSignIn {
	h, _ := ctx.Value(hostedSignInKey{}).(*hostedSignIn)
	return h
}

// atHash is the at_hash claim of an RS256 ID token: the left half of the
// SHA-256 of the access token, base64url without padding.
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// profileAttributes are what the profile scope releases besides custom
// attributes.
var profileAttributes = []string{
	"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
	"profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at", "address",
}

// scopesRelease reports whether a session with these scopes sees attribute
// name in its ID token and at userInfo: openid alone releases every
// attribute the client can read; with email, phone or profile, only what
// those scopes cover.
func scopesRelease(scopes []string, name string) bool {
	email, phone, profile := slices.Contains(scopes, ScopeEmail), slices.Contains(scopes, ScopePhone), slices.Contains(scopes, ScopeProfile)
	if !email && !phone && !profile {
		return true
	}
	switch {
	case email && (name == attrEmail || name == attrEmailVerified):
		return true
	case phone && (name == attrPhone || name == attrPhoneVerified):
		return true
	case profile && (slices.Contains(profileAttributes, name) || strings.HasPrefix(name, "custom:")):
		return true
	}
	return false
}
