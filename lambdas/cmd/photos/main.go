// Command photos is the Lambda function behind the photos routes.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/portcullis-cdk/portcullis/lambdas/photos"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	h, err := photos.FromEnv(os.Getenv)
	if err != nil {
		// Every invocation would fail the same way; the init error names
		// the missing setting.
		slog.Error("photos: configuration", "err", err.Error())
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
