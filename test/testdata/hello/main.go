// Command hello is the baseline for bundle sizes: the aws-lambda-go hello
// world, built with the same flags as every Portcullis function.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context) (string, error) { return "hello", nil })
}
