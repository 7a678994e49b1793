// Command helloddb is the aws-lambda-go hello world that only imports the
// SDK's DynamoDB client package: the smallest program that shows what that
// import costs a function's cold start (the package initialization of its
// generated schemas), before any client is built or call made.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	_ "github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func main() {
	lambda.Start(func(ctx context.Context) (string, error) { return "hello", nil })
}
