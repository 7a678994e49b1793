package localcognito

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestCreateAndDeleteUserPoolClient(t *testing.T) {
	f := newFixture(t, nil)
	f.confirmedUser("ada", "ada@example.com")
	out, err := f.idp.CreateUserPoolClient(f.ctx, &cip.CreateUserPoolClientInput{
		UserPoolId:          aws.String(testPoolID),
		ClientName:          aws.String("other"),
		ExplicitAuthFlows:   []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		AccessTokenValidity: aws.Int32(10),
		TokenValidityUnits:  &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := *out.UserPoolClient.ClientId
	if len(id) != 26 || out.UserPoolClient.ClientSecret != nil || *out.UserPoolClient.AccessTokenValidity != 10 {
		t.Errorf("client %+v", out.UserPoolClient)
	}
	res, err := f.passwordAuth(id, "ada", goodPassword)
	if err != nil {
		t.Fatalf("signing in through the new client: %v", err)
	}
	if c := claims(t, *res.AuthenticationResult.AccessToken); c["client_id"] != id {
		t.Errorf("access token client_id = %v, want %s", c["client_id"], id)
	}
	if _, err := f.idp.DeleteUserPoolClient(f.ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(testPoolID), ClientId: &id}); err != nil {
		t.Fatal(err)
	}
	_, err = f.passwordAuth(id, "ada", goodPassword)
	wantAPIError(t, err, "ResourceNotFoundException", "User pool client "+id+" does not exist.")
	_, err = f.idp.CreateUserPoolClient(f.ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(testPoolID), ClientName: aws.String("x"), AccessTokenValidity: aws.Int32(1),
		TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes},
	})
	wantAPIError(t, err, "InvalidParameterException", "")
}
