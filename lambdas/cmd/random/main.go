// Command random is the Lambda function behind GET /random. It needs no AWS
// configuration.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/portcullis-cdk/portcullis/lambdas/random"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	lambda.Start(random.New().Handle)
}
