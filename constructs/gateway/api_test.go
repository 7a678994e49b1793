package gateway_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/gateway"
	"github.com/portcullis-cdk/portcullis/constructs/golambda"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/cdktest"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// An API with one scoped JWT route and one IAM route, in someone else's stack.
func ExampleNewAPI() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)
	fn := golambda.NewFunction(stack, "Orders", &golambda.FunctionProps{Package: "./constructs/golambda/testdata/hello"})

	api := gateway.NewAPI(stack, "Api", &gateway.APIProps{
		JWTIssuer:   jsii.String("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE"),
		JWTAudience: []*string{jsii.String("exampleclientid")},
		CORSOrigins: []string{"https://shop.example.com"},
		Routes: []gateway.Route{
			{Method: "GET", Path: "/orders", Handler: fn.Function, Scopes: []string{"orders/read"}},
			{Method: "POST", Path: "/iam/orders", Handler: fn.Function, Auth: gateway.IAM},
		},
	})
	_ = api.InvokeARN("POST", "/iam/orders") // grant execute-api:Invoke on it

	var lines []string
	for _, r := range cdktest.Resources(stack, "AWS::ApiGatewayV2::Route") {
		p := r.Properties
		lines = append(lines, fmt.Sprint(p["RouteKey"], " ", p["AuthorizationType"], " ", p["AuthorizationScopes"]))
	}
	sort.Strings(lines)
	fmt.Println(strings.Join(lines, "\n"))
	a := cdktest.One(stack, "AWS::ApiGatewayV2::Authorizer").Properties
	fmt.Println(a["AuthorizerType"], cdktest.JSON(a["JwtConfiguration"].(map[string]any)["Audience"]))
	fmt.Println(cdktest.JSON(cdktest.One(stack, "AWS::ApiGatewayV2::Stage").Properties["DefaultRouteSettings"]))
	// Output:
	// GET /orders JWT [orders/read]
	// POST /iam/orders AWS_IAM <nil>
	// JWT ["exampleclientid"]
	// {"ThrottlingBurstLimit":100,"ThrottlingRateLimit":50}
}

func TestAPIPropsValidate(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("S"), nil)
	fn := golambda.NewFunction(stack, "F", &golambda.FunctionProps{Package: "./constructs/golambda/testdata/hello"}).Function
	iss, aud := jsii.String("https://issuer.example.com"), []*string{jsii.String("c")}
	for _, c := range []struct {
		name  string
		props gateway.APIProps
		want  string
	}{
		{"no routes", gateway.APIProps{}, "at least one"},
		{"JWT route without scope", gateway.APIProps{JWTIssuer: iss, JWTAudience: aud, Routes: []gateway.Route{{Method: "GET", Path: "/a", Handler: fn}}}, "has no scope"},
		{"IAM route with scope", gateway.APIProps{Routes: []gateway.Route{{Method: "GET", Path: "/a", Handler: fn, Auth: gateway.IAM, Scopes: []string{"s"}}}}, "has scopes"},
		{"JWT without issuer", gateway.APIProps{Routes: []gateway.Route{{Method: "GET", Path: "/a", Handler: fn, Scopes: []string{"s"}}}}, "JWTIssuer and JWTAudience are required"},
		{"OPTIONS route", gateway.APIProps{Routes: []gateway.Route{{Method: "OPTIONS", Path: "/a", Handler: fn, Auth: gateway.IAM}}}, `method "OPTIONS"`},
		{"bad path", gateway.APIProps{Routes: []gateway.Route{{Method: "GET", Path: "a/{", Handler: fn, Auth: gateway.IAM}}}, `path "a/{"`},
		{"duplicate", gateway.APIProps{Routes: []gateway.Route{{Method: "GET", Path: "/a", Handler: fn, Auth: gateway.IAM}, {Method: "GET", Path: "/a", Handler: fn, Auth: gateway.IAM}}}, "declared twice"},
		{"no handler", gateway.APIProps{Routes: []gateway.Route{{Method: "GET", Path: "/a", Auth: gateway.IAM}}}, "no Handler"},
		{"origin with path", gateway.APIProps{CORSOrigins: []string{"https://a.example.com/x"}, Routes: []gateway.Route{{Method: "GET", Path: "/a", Handler: fn, Auth: gateway.IAM}}}, "has no path"},
	} {
		if err := c.props.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Validate() = %v, want %q", c.name, err, c.want)
		}
	}
}
