package platform

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
	"github.com/portcullis-cdk/portcullis/constructs/data"
	"github.com/portcullis-cdk/portcullis/constructs/gateway"
)

// Existing names what the team already has.
type Existing struct {
	UserPoolID, APIID, APIEndpoint, FunctionName string
}

// NewStack is the team's orders stack: app clients and a hosted domain on
// its user pool, a scoped route on its HTTP API, and a per-user table.
func NewStack(app awscdk.App, id string, e Existing) awscdk.Stack {
	stack := awscdk.NewStack(app, jsii.String(id), nil)
	pool := awscognito.UserPool_FromUserPoolId(stack, jsii.String("CorporatePool"), jsii.String(e.UserPoolID))
	api := awsapigatewayv2.HttpApi_FromHttpApiAttributes(stack, jsii.String("SharedApi"), &awsapigatewayv2.HttpApiAttributes{
		HttpApiId:   jsii.String(e.APIID),
		ApiEndpoint: jsii.String(e.APIEndpoint),
	})
	orders := awslambda.Function_FromFunctionName(stack, jsii.String("OrdersFunction"), jsii.String(e.FunctionName))

	users := auth.NewUserPool(stack, "Users", &auth.UserPoolProps{Existing: pool, DomainPrefix: "acme-orders"})
	clients := auth.NewAppClients(stack, "Clients", &auth.AppClientsProps{
		UserPool:           users.Pool,
		ResourceServerID:   "orders",
		Scopes:             []auth.Scope{{Name: "read", Description: "Read orders"}},
		CallbackURLs:       []string{"https://orders.example.com/callback"},
		ServerCallbackURLs: []string{"https://orders.example.com/server/callback"},
	})
	gateway.NewAPI(stack, "OrderRoutes", &gateway.APIProps{
		Existing:    api,
		JWTIssuer:   users.IssuerURL(),
		JWTAudience: clients.ClientIDs(),
		Routes: []gateway.Route{
			{Method: "GET", Path: "/orders", Handler: orders, Scopes: []string{clients.ScopeName("read")}},
		},
	})
	data.NewTable(stack, "Orders", &data.TableProps{PartitionKey: "owner", SortKey: "orderId"})
	return stack
}
