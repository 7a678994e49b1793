package edge_test

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/edge"
)

// An app and its API on one origin, with a custom domain: viewers need TLS
// 1.2, the API is under /api/*, and the CSP lets the app reach one more
// origin.
func ExampleNewEdge() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Web"), nil)
	api := awsapigatewayv2.NewHttpApi(stack, jsii.String("Api"), nil)
	cert := awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("Cert"),
		jsii.String("arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"))

	e := edge.NewEdge(stack, "Edge", &edge.Props{
		API:            api,
		ConnectSources: []*string{jsii.String("https://auth.example.com")},
		DomainName:     "app.example.com",
		Certificate:    cert,
		JSONFiles:      map[string]any{"config.json": map[string]any{"apiPath": edge.APIPath}},
	})
	_ = e.Distribution // e.URL() is https://app.example.com

	template := assertions.Template_FromStack(stack, nil)
	for _, r := range *template.FindResources(jsii.String("AWS::CloudFront::Distribution"), nil) {
		config := (*r)["Properties"].(map[string]any)["DistributionConfig"].(map[string]any)
		fmt.Println(config["ViewerCertificate"].(map[string]any)["MinimumProtocolVersion"])
		fmt.Println(config["CacheBehaviors"].([]any)[0].(map[string]any)["PathPattern"])
		fmt.Println(config["HttpVersion"])
	}
	for _, r := range *template.FindResources(jsii.String("AWS::CloudFront::ResponseHeadersPolicy"), nil) {
		headers := (*r)["Properties"].(map[string]any)["ResponseHeadersPolicyConfig"].(map[string]any)["SecurityHeadersConfig"]
		csp, _ := json.Marshal(headers.(map[string]any)["ContentSecurityPolicy"])
		fmt.Println(strings.Contains(string(csp), "connect-src 'self' https://auth.example.com;"))
	}
	// Output:
	// TLSv1.2_2021
	// /api/*
	// http2and3
	// true
}
