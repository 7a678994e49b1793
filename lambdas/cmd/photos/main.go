// Command photos is the Lambda function behind the photos routes.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/portcullis-cdk/portcullis/lambdas/awsenv"
	"github.com/portcullis-cdk/portcullis/lambdas/photos"
	"github.com/portcullis-cdk/portcullis/lambdas/schema"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	env, err := awsenv.Load()
	if err != nil {
		fail(err)
	}
	names, err := awsenv.Require(schema.Photos.Env, schema.PhotosBucketEnv)
	if err != nil {
		fail(err)
	}
	db := dynamodb.NewFromConfig(env.Config, func(o *dynamodb.Options) { o.BaseEndpoint = env.DynamoDBEndpoint })
	objects := s3.NewFromConfig(env.Config, func(o *s3.Options) {
		o.BaseEndpoint = env.S3Endpoint
		o.UsePathStyle = env.S3PathStyle
	})
	lambda.Start(photos.New(photos.Config{
		DB:        db,
		Objects:   objects,
		Presigner: s3.NewPresignClient(objects),
		Table:     names[0],
		Bucket:    names[1],
	}).Handle)
}

// fail stops a function that cannot be configured: every invocation would
// fail anyway, and the init error names the missing setting.
func fail(err error) {
	slog.Error("photos: configuration", "err", err.Error())
	os.Exit(1)
}
