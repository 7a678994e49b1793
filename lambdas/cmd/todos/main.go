// Command todos is the Lambda function behind the todos routes, for user
// pool (JWT) and identity pool (IAM) callers alike.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/portcullis-cdk/portcullis/lambdas/todos"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	h, err := todos.FromEnv(os.Getenv)
	if err != nil {
		// Every invocation would fail the same way; the init error names
		// the missing setting.
		slog.Error("todos: configuration", "err", err.Error())
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
