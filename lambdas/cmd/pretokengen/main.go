// Command pretokengen is the user pool's pre token generation trigger
// (event version 2). API_SCOPES lists the scopes API-flow tokens receive.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/portcullis-cdk/portcullis/lambdas/triggers/pretokengen"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	lambda.Start(pretokengen.FromEnv(os.Getenv).Handle)
}
