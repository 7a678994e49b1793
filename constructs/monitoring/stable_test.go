package monitoring_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/internal/cdktest"
	"github.com/portcullis-cdk/portcullis/constructs/monitoring"
)

// The topic, its key, the alarms and the dashboard keep their logical ids.
func TestLogicalIDsAreStable(t *testing.T) {
	stack := cdktest.NewStack("PlatformStack")
	pool := awscognito.UserPool_FromUserPoolId(stack, jsii.String("Pool"), jsii.String("eu-west-1_AbCdEf123"))
	monitoring.NewMonitor(stack, "Ops", &monitoring.MonitorProps{
		Functions: map[string]awslambda.IFunction{"Orders": awslambda.Function_FromFunctionName(stack, jsii.String("Orders"), jsii.String("orders"))},
		Tables:    map[string]awsdynamodb.ITable{"Orders": awsdynamodb.Table_FromTableName(stack, jsii.String("OrdersTable"), jsii.String("orders"))},
		API:       awsapigatewayv2.HttpApi_FromHttpApiAttributes(stack, jsii.String("Api"), &awsapigatewayv2.HttpApiAttributes{HttpApiId: jsii.String("a1b2c3d4e5")}),
		UserPool:  pool,
		UserPoolClients: []awscognito.IUserPoolClient{
			awscognito.UserPoolClient_FromUserPoolClientId(stack, jsii.String("Client"), jsii.String("exampleclientid")),
		},
		Email: "oncall@example.com",
	})
	cdktest.CheckLogicalIDs(t, stack, "logical-ids")
}
