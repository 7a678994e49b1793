// Command custommessage is the user pool's custom message trigger. APP_NAME
// is optional.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/portcullis-cdk/portcullis/lambdas/triggers/custommessage"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	lambda.Start(custommessage.FromEnv(os.Getenv).Handle)
}
