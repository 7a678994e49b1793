// Command presignup is the user pool's pre sign-up trigger.
// ALLOWED_EMAIL_DOMAINS is optional: unset, every address may sign up.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/portcullis-cdk/portcullis/lambdas/triggers/presignup"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	lambda.Start(presignup.FromEnv(os.Getenv).Handle)
}
