// Command postconfirmation is the user pool's post confirmation trigger: it
// creates the confirmed user's profile record.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/portcullis-cdk/portcullis/lambdas/triggers/postconfirmation"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	h, err := postconfirmation.FromEnv(os.Getenv)
	if err != nil {
		// Every invocation would fail the same way; the init error names
		// the missing setting.
		slog.Error("postconfirmation: configuration", "err", err.Error())
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
