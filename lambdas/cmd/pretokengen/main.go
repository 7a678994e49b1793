// Command pretokengen is the user pool's pre token generation trigger
// (event version 2). CLIENT_SCOPES maps each app client id to the scopes
// its API-flow tokens receive.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/portcullis-cdk/portcullis/lambdas/triggers/pretokengen"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	h, err := pretokengen.FromEnv(os.Getenv)
	if err != nil {
		slog.Error("pretokengen: configuration", "err", err.Error())
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
