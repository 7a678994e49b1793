package devstack

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"

	"github.com/portcullis-cdk/portcullis/internal/smoke"
)

// TestServerSideTokenCheck: the template's identity pool checks with the
// user pool (ServerSideTokenCheck), so an ID token of a user who signed
// out everywhere gets no credentials, though it is still unexpired.
func TestServerSideTokenCheck(t *testing.T) {
	ctx := context.Background()
	plan, err := ReadPlan(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.IdentityTokenCheck {
		t.Fatal("the template's identity pool does not set ServerSideTokenCheck")
	}
	s, err := Start(ctx, Options{Template: golden})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// The identity pool takes the SPA client's ID tokens, by SRP.
	tokens, err := smoke.NewAuthenticator(s.Info.UserPoolID).SRP(ctx, s.CognitoClient(), s.Info.SPAClientID, s.Info.TestUser.Username, s.Info.TestUser.Password, "")
	if err != nil {
		t.Fatal(err)
	}
	identity := cognitoidentity.New(cognitoidentity.Options{
		Region: Region, BaseEndpoint: aws.String(s.Info.IdentityEndpoint),
		Credentials: credentials.NewStaticCredentialsProvider("unused", "unused", ""),
	})
	logins := map[string]string{strings.TrimPrefix(s.Info.Issuer, "http://"): tokens.ID}
	id, err := identity.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(s.Info.IdentityPoolID), Logins: logins})
	if err != nil {
		t.Fatal(err)
	}
	credsFor := func() error {
		_, err := identity.GetCredentialsForIdentity(ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: id.IdentityId, Logins: logins})
		return err
	}
	if err := credsFor(); err != nil {
		t.Fatalf("credentials for a signed-in user: %v", err)
	}
	if _, err := s.CognitoClient().GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: &tokens.Access}); err != nil {
		t.Fatal(err)
	}
	var apiErr smithy.APIError
	if err := credsFor(); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "NotAuthorizedException" {
		t.Errorf("credentials after GlobalSignOut: %v, want NotAuthorizedException", err)
	}
}
