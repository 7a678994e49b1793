package gateway_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/gateway"
)

func TestAPIPropsValidate(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("S"), nil)
	fn := awslambda.Function_FromFunctionName(stack, jsii.String("F"), jsii.String("f"))
	iss, aud := jsii.String("https://issuer.example.com"), []*string{jsii.String("c")}
	existing := awsapigatewayv2.HttpApi_FromHttpApiAttributes(stack, jsii.String("E"), &awsapigatewayv2.HttpApiAttributes{HttpApiId: jsii.String("e")})
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
		{"existing and new", gateway.APIProps{Existing: existing, Name: "orders", Routes: []gateway.Route{{Method: "GET", Path: "/a", Handler: fn, Auth: gateway.IAM}}}, "Existing is set"},
		{"existing with CORS", gateway.APIProps{Existing: existing, CORSOrigins: []string{"https://a.example.com"}, Routes: []gateway.Route{{Method: "GET", Path: "/a", Handler: fn, Auth: gateway.IAM}}}, "not both"},
		{"origin with path", gateway.APIProps{CORSOrigins: []string{"https://a.example.com/x"}, Routes: []gateway.Route{{Method: "GET", Path: "/a", Handler: fn, Auth: gateway.IAM}}}, "has no path"},
	} {
		if err := c.props.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Validate() = %v, want %q", c.name, err, c.want)
		}
	}
}
