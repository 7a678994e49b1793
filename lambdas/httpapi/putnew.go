package httpapi

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/portcullis-cdk/portcullis/lambdas/dynamo"
)

// ItemPutter is the DynamoDB call PutNew makes.
type ItemPutter interface {
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// PutNew stores av, a new item whose sort key attribute is sortKey, in
// table, and never over an existing one. Ids carry 80 random bits; the
// condition turns the impossible collision into a 409 the caller retries
// rather than an overwrite. what names the item ("todo") in errors.
func PutNew(ctx context.Context, db ItemPutter, table, sortKey string, av map[string]types.AttributeValue, what string) error {
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(table),
		Item:                     av,
		ConditionExpression:      aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames: map[string]string{"#id": sortKey},
	})
	if _, ok := dynamo.ConditionFailed(err); ok {
		return Conflict(CodeConflict, "%s id already taken; retry", what)
	}
	if err != nil {
		return fmt.Errorf("put %s: %w", what, err)
	}
	return nil
}
