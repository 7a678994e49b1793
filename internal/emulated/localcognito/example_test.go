package localcognito_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localcognito"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
)

// A local pool whose pre token generation trigger grants an API scope, as
// the deployed Portcullis pool does, signed in to with the AWS SDK.
func Example() {
	ts := httptest.NewUnstartedServer(nil)
	// The operator's key, for AdminConfirmSignUp.
	var admin sigv4.Store
	admin.Put(sigv4.Credential{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "example-secret", Principal: sigv4.Principal{Admin: true}})
	pool, err := localcognito.New(localcognito.Config{
		Credentials:        &admin,
		PoolID:             "us-east-1_example",
		BaseURL:            "http://" + ts.Listener.Addr().String(),
		UsernameAttributes: []string{"email"},
		Clients: []localcognito.Client{{
			ID:                "exampleclient",
			ExplicitAuthFlows: []string{localcognito.AllowUserPasswordAuth, localcognito.AllowRefreshTokenAuth},
		}},
		Triggers: localcognito.Triggers{
			PreTokenGeneration: func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
				ev.Response.ClaimsAndScopeOverrideDetails.AccessTokenGeneration.ScopesToAdd = []string{"portcullis/todos.read"}
				return ev, nil
			},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	ts.Config.Handler = pool
	ts.Start()
	defer ts.Close()

	ctx := context.Background()
	idp := cip.New(cip.Options{
		Region:       pool.Region(),
		BaseEndpoint: aws.String(ts.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "example-secret", ""),
	})
	if _, err := idp.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String("exampleclient"), Username: aws.String("jane@example.com"), Password: aws.String("Correct-Horse-9"),
	}); err != nil {
		log.Fatal(err)
	}
	if _, err := idp.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{
		UserPoolId: aws.String(pool.PoolID()), Username: aws.String("jane@example.com"),
	}); err != nil {
		log.Fatal(err)
	}
	out, err := idp.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String("exampleclient"),
		AuthParameters: map[string]string{"USERNAME": "jane@example.com", "PASSWORD": "Correct-Horse-9"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(aws.ToString(out.AuthenticationResult.TokenType), out.AuthenticationResult.ExpiresIn)
	// Output: Bearer 3600
}

// The hash a confidential client sends, checked against an independent
// HMAC-SHA256 implementation (Python's hmac module).
func ExampleSecretHash() {
	fmt.Println(localcognito.SecretHash("clientid", "secret", "jane"))
	// Output: gZ2QtcINTNKHYj3CURqVqtApHfjPmIpqJMmEhno5/Ks=
}
