package auth_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
	"github.com/portcullis-cdk/portcullis/constructs/auth/attr"
	"github.com/portcullis-cdk/portcullis/constructs/internal/cdktest"
)

// Every resource the package makes keeps its logical id across versions:
// a pool that sends SMS and has a domain and a custom attribute, clients
// (the CLI client too) with a resource server, and an identity pool with grants.
func TestLogicalIDsAreStable(t *testing.T) {
	stack := cdktest.NewStack("PlatformStack")
	users := auth.NewUserPool(stack, "Users", &auth.UserPoolProps{
		SignIn:           auth.SignInEmailOrPhone,
		DomainPrefix:     "acme-accounts",
		CustomAttributes: []attr.Custom{{Name: "tenant", MaxLen: 64}},
	})
	clients := auth.NewAppClients(stack, "Clients", &auth.AppClientsProps{
		UserPool:           users.Pool,
		ResourceServerID:   "orders",
		Scopes:             []auth.Scope{{Name: "read", Description: "Read orders"}},
		CallbackURLs:       []string{"https://shop.example.com/callback"},
		ServerCallbackURLs: []string{"https://shop.example.com/server/callback"},
		CLIClient:          true,
	})
	identity := auth.NewIdentityPool(stack, "Identity", &auth.IdentityPoolProps{
		UserPool: users.Pool,
		Clients:  []awscognito.IUserPoolClient{clients.SPA},
	})
	table := awsdynamodb.Table_FromTableName(stack, jsii.String("Notes"), jsii.String("notes"))
	identity.GrantOwnItems(table, nil, "dynamodb:GetItem")
	identity.GrantOwnObjects(awss3.Bucket_FromBucketName(stack, jsii.String("Files"), jsii.String("files")), "private/", "s3:GetObject")
	cdktest.CheckLogicalIDs(t, stack, "logical-ids")
}
