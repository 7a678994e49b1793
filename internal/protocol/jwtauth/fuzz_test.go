package jwtauth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth/jwtauthtest"
)

// FuzzAuthorize feeds arbitrary Authorization header values to the
// authorizer: it must never panic, and must answer every one with an
// acceptance, a 401 or a 403, which is all API Gateway ever answers.
func FuzzAuthorize(f *testing.F) {
	iss := jwtauthtest.NewIssuer(f, "us-east-1_fuzz")
	now := time.Now()
	iss.Now = func() time.Time { return now } // the seeds valid at the authorizer's now
	a := &jwtauth.Authorizer{
		Issuer:   iss.URL,
		Audience: []string{clientA},
		Now:      iss.Now,
	}
	valid := iss.AccessToken(clientA, "user-1", readScope)
	parts := strings.Split(valid, ".")
	for _, in := range []string{
		"Bearer " + valid,
		valid,
		iss.IDToken(clientA, "user-1"),
		iss.AccessToken("client-z", "user-1", readScope),
		iss.AccessToken(clientA, "user-1", "portcullis/photos.read"),
		parts[0] + "." + parts[1] + ".",
		parts[0] + ".." + parts[2],
		jwtauthtest.Encode(map[string]any{"alg": "none"}) + "." + parts[1] + ".",
		jwtauthtest.Encode(map[string]any{"alg": "RS256", "kid": iss.KID()}) + "." + jwtauthtest.Encode([]int{1}) + "." + parts[2],
		jwtauthtest.Encode(map[string]any{"alg": "RS256", "kid": iss.KID(), "crit": "x"}) + "." + parts[1] + "." + parts[2],
		"",
		"Bearer ",
		"a.b.c",
		"AWS4-HMAC-SHA256 Credential=ASIA/20250101/us-east-1/execute-api/aws4_request",
	} {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, header string) {
		res, err := a.Authorize(context.Background(), header, []string{readScope})
		if err == nil {
			if res.Claims["iss"] != iss.URL {
				t.Fatalf("accepted a token with iss %q", res.Claims["iss"])
			}
			return
		}
		var aerr *jwtauth.Error
		if !errors.As(err, &aerr) {
			t.Fatalf("error %v is not a *jwtauth.Error", err)
		}
		if aerr.Status != http.StatusUnauthorized && aerr.Status != http.StatusForbidden {
			t.Fatalf("status %d, want 401 or 403", aerr.Status)
		}
		_ = aerr.Challenge()
	})
}
