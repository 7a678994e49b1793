package httpapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
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
	if _, ok := ConditionFailed(err); ok {
		return Conflict(CodeConflict, "%s id already taken; retry", what)
	}
	if err != nil {
		return fmt.Errorf("put %s: %w", what, err)
	}
	return nil
}

// ConditionFailed reports whether err is DynamoDB's refusal of a write whose
// condition did not hold, and returns it: its Item is the current item when
// the call asked for it (ReturnValuesOnConditionCheckFailure).
func ConditionFailed(err error) (*types.ConditionalCheckFailedException, bool) {
	var failed *types.ConditionalCheckFailedException
	return failed, errors.As(err, &failed)
}

// Unmarshal reads a stored item into a T; what names the item ("todo") in
// the error.
func Unmarshal[T any](av map[string]types.AttributeValue, what string) (T, error) {
	var v T
	if err := attributevalue.UnmarshalMap(av, &v); err != nil {
		var zero T
		return zero, fmt.Errorf("unmarshal %s: %w", what, err)
	}
	return v, nil
}
