package edge_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/edge"
	"github.com/portcullis-cdk/portcullis/constructs/internal/cdktest"
)

// The distribution, its buckets, functions, headers policy and the site
// deployment keep their logical ids.
func TestLogicalIDsAreStable(t *testing.T) {
	stack := cdktest.NewStack("Web")
	api := awsapigatewayv2.HttpApi_FromHttpApiAttributes(stack, jsii.String("Api"), &awsapigatewayv2.HttpApiAttributes{
		HttpApiId:   jsii.String("a1b2c3d4e5"),
		ApiEndpoint: jsii.String("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"),
	})
	edge.NewEdge(stack, "Edge", &edge.Props{API: api, JSONFiles: map[string]any{"config.json": map[string]any{"apiPath": edge.APIPath}}})
	cdktest.CheckLogicalIDs(t, stack, "logical-ids")
}
