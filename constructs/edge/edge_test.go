package edge_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/edge"
	"github.com/portcullis-cdk/portcullis/constructs/internal/cdktest"
)

func TestPropsValidate(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("S"), nil)
	api := awsapigatewayv2.NewHttpApi(stack, jsii.String("Api"), nil)
	cert := awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("Cert"),
		jsii.String("arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"))
	for _, c := range []struct {
		props edge.Props
		want  []string
	}{
		{edge.Props{}, []string{"API: required"}},
		{edge.Props{API: api, ConnectSources: []*string{jsii.String("http://auth.example.com")}}, []string{`ConnectSources "http://auth.example.com"`}},
		{edge.Props{API: api, ImageSources: []*string{jsii.String("https://x.example.com/path"), nil}}, []string{`ImageSources "https://x.example.com/path"`, "ImageSources: nil"}},
		{edge.Props{API: api, DomainName: "app.example.com"}, []string{"give both or neither"}},
		{edge.Props{API: api, Certificate: cert}, []string{"give both or neither"}},
		{edge.Props{API: api, DomainName: "App.Example.com", Certificate: cert}, []string{`DomainName "App.Example.com"`}},
		{edge.Props{API: api, WebACLID: "my-acl"}, []string{`WebACLID "my-acl"`}},
		{edge.Props{API: api, JSONFiles: map[string]any{"/config.json": 1}, LogDays: -1}, []string{`JSONFiles key "/config.json"`, "log retention -1 days"}},
	} {
		err := c.props.Validate()
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("Validate(%+v) = %v, want %q", c.props, err, w)
			}
		}
	}
	// Tokens (a resource's attribute) are accepted as they are.
	ok := edge.Props{API: api, ConnectSources: []*string{api.ApiEndpoint()}}
	if err := ok.Validate(); err != nil {
		t.Errorf("a token source: %v", err)
	}
}

// Without a custom domain CloudFront's default certificate allows TLSv1;
// the construct says so in a suppression rather than pretending otherwise,
// and never adds it when a domain is set.
func TestDefaultCertificateSuppressionOnlyWithoutDomain(t *testing.T) {
	for _, domain := range []string{"", "app.example.com"} {
		app := awscdk.NewApp(nil)
		stack := awscdk.NewStack(app, jsii.String("S"), nil)
		props := &edge.Props{API: awsapigatewayv2.NewHttpApi(stack, jsii.String("Api"), nil), DomainName: domain}
		if domain != "" {
			props.Certificate = awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("Cert"),
				jsii.String("arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"))
		}
		edge.NewEdge(stack, "Edge", props)
		for id, d := range cdktest.Resources(stack, "AWS::CloudFront::Distribution") {
			got := strings.Contains(cdktest.JSON(d.Metadata), "AwsSolutions-CFR4")
			if got != (domain == "") {
				t.Errorf("domain %q: %s CFR4 suppressed = %v", domain, id, got)
			}
		}
		if n := len(cdktest.Resources(stack, "Custom::CDKBucketDeployment")); n != 0 {
			t.Errorf("no files to deploy, yet %d deployments", n)
		}
	}
}
