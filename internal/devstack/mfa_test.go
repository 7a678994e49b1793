package devstack

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/portcullis-cdk/portcullis/internal/smoke"
)

// prodGolden is the prod stage's template, whose pool requires MFA.
var prodGolden = filepath.Join("..", "..", "test", "testdata", "portcullis-prod.template.json")

// TestMFARequired starts the stack twice where MFA is required: from the
// prod stage's template (MfaConfiguration ON), and from the dev template
// with make dev's MFA=required. The test user's first sign-in must enrol
// an authenticator (MFA_SETUP), which the smoke run's authenticator does
// with codes it computes (RFC 6238), and the tokens then work on the API.
func TestMFARequired(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the local stack")
	}
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"prod template", Options{Template: prodGolden}},
		{"dev template with MFA=required", Options{Template: golden, MFA: "required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s, err := Start(ctx, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			c := s.CognitoClient()
			wantChallenge(t, c, s.Info.UserPoolID, s.Info.SPAClientID, s.Info.TestUser.Username, s.Info.TestUser.Password, ciptypes.ChallengeNameTypeMfaSetup)
			tokens, err := smoke.NewAuthenticator(s.Info.UserPoolID).SRP(ctx, c, s.Info.SPAClientID, s.Info.TestUser.Username, s.Info.TestUser.Password, "")
			if err != nil {
				t.Fatalf("sign-in enrolling TOTP: %v", err)
			}
			req, _ := http.NewRequest("GET", s.Info.APIURL+"/me", nil)
			req.Header.Set("Authorization", "Bearer "+tokens.Access)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("GET /me with the tokens of an MFA sign-in: %d", resp.StatusCode)
			}
			got, err := c.GetUser(ctx, &cip.GetUserInput{AccessToken: &tokens.Access})
			if err != nil || aws.ToString(got.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" {
				t.Errorf("GetUser after enrolment = %+v, %v; want TOTP preferred", got, err)
			}
		})
	}
}
