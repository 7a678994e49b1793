// Package postconfirmation is the Cognito post confirmation trigger: once a
// user confirms their sign-up it writes their profile record (the sign-up form's
// attributes) to the profiles table, which GET /me reads.
//
// Cognito may invoke a trigger more than once for the same confirmation, so
// the write is idempotent: the first record wins and a repeat succeeds
// without touching it.
package postconfirmation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/contract/userattr"
	"github.com/portcullis-cdk/portcullis/lambdas/awsenv"
	"github.com/portcullis-cdk/portcullis/lambdas/dynamo"
	"github.com/portcullis-cdk/portcullis/lambdas/profile"
)

// ConfirmSignUp is the trigger source this trigger acts on; the other
// (PostConfirmation_ConfirmForgotPassword) passes unchanged.
const ConfirmSignUp = "PostConfirmation_ConfirmSignUp"

// DB is the part of the DynamoDB API the trigger uses.
type DB interface {
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// Handler writes profile records.
type Handler struct {
	db    DB
	table string
	now   func() time.Time
}

// New writes to table through db.
func New(db DB, table string) *Handler { return &Handler{db: db, table: table, now: time.Now} }

// Handle is the Lambda handler; it returns the event unchanged.
func (h *Handler) Handle(ctx context.Context, ev events.CognitoEventUserPoolsPostConfirmation) (events.CognitoEventUserPoolsPostConfirmation, error) {
	if ev.TriggerSource != ConfirmSignUp {
		return ev, nil
	}
	a := ev.Request.UserAttributes
	if a[userattr.Sub] == "" {
		return ev, errors.New("post confirmation: the event has no sub attribute")
	}
	rec := profile.Record{
		Owner:       a[userattr.Sub],
		Email:       a[userattr.Email],
		PhoneNumber: a[userattr.PhoneNumber],
		Name:        a[userattr.Name],
		Company:     a[userattr.Company.Key()],
		RoleName:    a[userattr.RoleName.Key()],
		CreatedAt:   h.now().UTC().Format("2006-01-02T15:04:05.000Z07:00"),
	}
	av, err := attributevalue.MarshalMap(rec)
	if err != nil {
		return ev, fmt.Errorf("post confirmation: marshal profile: %w", err)
	}
	_, err = h.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(h.table),
		Item:                     av,
		ConditionExpression:      aws.String("attribute_not_exists(#owner)"),
		ExpressionAttributeNames: map[string]string{"#owner": schema.Profiles.PartitionKey},
	})
	if _, exists := dynamo.ConditionFailed(err); err != nil && !exists {
		return ev, fmt.Errorf("post confirmation: put profile of %s: %w", rec.Owner, err)
	}
	return ev, nil
}

// FromEnv configures the handler from a function's environment, read
// through getenv: the AWS settings of awsenv and the table name.
func FromEnv(getenv func(string) string) (*Handler, error) {
	db, table, err := awsenv.Table(getenv, schema.Profiles.Env)
	if err != nil {
		return nil, err
	}
	return New(db, table), nil
}
