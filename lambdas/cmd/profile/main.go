// Command profile is the Lambda function behind GET /me.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/portcullis-cdk/portcullis/lambdas/awsenv"
	"github.com/portcullis-cdk/portcullis/lambdas/profile"
	"github.com/portcullis-cdk/portcullis/lambdas/schema"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	env, err := awsenv.Load()
	if err != nil {
		fail(err)
	}
	names, err := awsenv.Require(schema.Profiles.Env)
	if err != nil {
		fail(err)
	}
	db := dynamodb.NewFromConfig(env.Config, func(o *dynamodb.Options) { o.BaseEndpoint = env.DynamoDBEndpoint })
	lambda.Start(profile.New(db, names[0]).Handle)
}

// fail stops a function that cannot be configured: every invocation would
// fail anyway, and the init error names the missing setting.
func fail(err error) {
	slog.Error("profile: configuration", "err", err.Error())
	os.Exit(1)
}
