package localapi_test

import (
	"context"
	"log"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localapi"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localidentity"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth"
)

// The local stack: cognito-local as the user pool, a local identity pool
// trading its ID tokens for credentials, and the gateway in front of the
// handlers.
func Example() {
	const issuer = "http://localhost:9229/local_pool" // cognito-local
	clients := []string{"spa-client-id"}

	identity, err := localidentity.New(localidentity.Config{
		PoolID:    "us-east-1:3f291106-8703-466b-8f2b-3ecee1ca56ce",
		AccountID: "000000000000",
		RoleARN:   "arn:aws:iam::000000000000:role/portcullis-dev-authenticated",
		Providers: []*jwtauth.Authorizer{{Issuer: issuer, Audience: clients}},
	})
	if err != nil {
		log.Fatal(err)
	}

	hello := func(_ context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Body: req.RouteKey}, nil
	}
	handlers := map[routes.Function]localapi.Handler{}
	for _, fn := range routes.Functions() {
		handlers[fn] = hello
	}
	api, err := localapi.New(localapi.Config{
		Handlers:    handlers,
		JWT:         &jwtauth.Authorizer{Issuer: issuer, Audience: clients},
		Credentials: identity,
		Region:      "us-east-1",
		CORS:        localapi.DefaultCORS("http://localhost:5173"),
	})
	if err != nil {
		log.Fatal(err)
	}

	go func() { log.Fatal(http.ListenAndServe("localhost:4566", identity)) }()
	log.Fatal(http.ListenAndServe("localhost:3001", api))
}
