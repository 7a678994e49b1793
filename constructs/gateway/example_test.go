package gateway_test

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/gateway"
)

// An API with one scoped JWT route and one IAM route, in someone else's
// stack, in front of a function the team already has.
func ExampleNewAPI() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)
	orders := awslambda.Function_FromFunctionName(stack, jsii.String("Orders"), jsii.String("orders"))

	api := gateway.NewAPI(stack, "Api", &gateway.APIProps{
		JWTIssuer:   jsii.String("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE"),
		JWTAudience: []*string{jsii.String("exampleclientid")},
		CORSOrigins: []string{"https://shop.example.com"},
		Routes: []gateway.Route{
			{Method: "GET", Path: "/orders", Handler: orders, Scopes: []string{"orders/read"}},
			{Method: "POST", Path: "/iam/orders", Handler: orders, Auth: gateway.IAM},
		},
	})
	_ = api.InvokeARN("POST", "/iam/orders") // grant execute-api:Invoke on it

	template := assertions.Template_FromStack(stack, nil)
	var routes []string
	for _, r := range *template.FindResources(jsii.String("AWS::ApiGatewayV2::Route"), nil) {
		route := (*r)["Properties"].(map[string]any)
		routes = append(routes, fmt.Sprint(route["RouteKey"], " ", route["AuthorizationType"], " ", route["AuthorizationScopes"]))
	}
	sort.Strings(routes)
	for _, route := range routes {
		fmt.Println(route)
	}
	for _, r := range *template.FindResources(jsii.String("AWS::ApiGatewayV2::Authorizer"), nil) {
		authorizer := (*r)["Properties"].(map[string]any)
		audience, _ := json.Marshal(authorizer["JwtConfiguration"].(map[string]any)["Audience"])
		fmt.Println(authorizer["AuthorizerType"], string(audience))
	}
	for _, r := range *template.FindResources(jsii.String("AWS::ApiGatewayV2::Stage"), nil) {
		throttle, _ := json.Marshal((*r)["Properties"].(map[string]any)["DefaultRouteSettings"])
		fmt.Println(string(throttle))
	}
	// Output:
	// GET /orders JWT [orders/read]
	// POST /iam/orders AWS_IAM <nil>
	// JWT ["exampleclientid"]
	// {"ThrottlingBurstLimit":100,"ThrottlingRateLimit":50}
}

// Routes and their authorizers added to an HTTP API the team already has;
// its stages, CORS and throttling stay its own.
func ExampleNewAPI_existing() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)
	existing := awsapigatewayv2.HttpApi_FromHttpApiAttributes(stack, jsii.String("Shared"), &awsapigatewayv2.HttpApiAttributes{
		HttpApiId:   jsii.String("a1b2c3d4e5"),
		ApiEndpoint: jsii.String("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"),
	})
	orders := awslambda.Function_FromFunctionName(stack, jsii.String("Orders"), jsii.String("orders"))

	api := gateway.NewAPI(stack, "OrderRoutes", &gateway.APIProps{
		Existing:    existing,
		JWTIssuer:   jsii.String("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE"),
		JWTAudience: []*string{jsii.String("exampleclientid")},
		Routes:      []gateway.Route{{Method: "GET", Path: "/orders", Handler: orders, Scopes: []string{"orders/read"}}},
	})
	fmt.Println(*api.URL())

	template := assertions.Template_FromStack(stack, nil)
	for _, typ := range []string{"AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage", "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Authorizer"} {
		for _, r := range *template.FindResources(jsii.String(typ), nil) {
			fmt.Println(typ, "on API", (*r)["Properties"].(map[string]any)["ApiId"])
		}
	}
	// Output:
	// https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com
	// AWS::ApiGatewayV2::Route on API a1b2c3d4e5
	// AWS::ApiGatewayV2::Authorizer on API a1b2c3d4e5
}
