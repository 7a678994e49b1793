package gateway_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/gateway"
	"github.com/portcullis-cdk/portcullis/constructs/internal/cdktest"
)

// The API, its stage, authorizers, integrations and routes keep their
// logical ids.
func TestLogicalIDsAreStable(t *testing.T) {
	stack := cdktest.NewStack("PlatformStack")
	orders := awslambda.Function_FromFunctionName(stack, jsii.String("Orders"), jsii.String("orders"))
	gateway.NewAPI(stack, "Api", &gateway.APIProps{
		JWTIssuer:   jsii.String("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE"),
		JWTAudience: []*string{jsii.String("exampleclientid")},
		CORSOrigins: []string{"https://shop.example.com"},
		Routes: []gateway.Route{
			{Method: "GET", Path: "/orders", Handler: orders, Scopes: []string{"orders/read"}},
			{Method: "POST", Path: "/iam/orders/{id}", Handler: orders, Auth: gateway.IAM},
		},
	})
	cdktest.CheckLogicalIDs(t, stack, "logical-ids")
}
