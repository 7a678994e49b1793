// Package dynamo is the DynamoDB plumbing the API's functions and the
// triggers share: the item calls a store makes, a refused conditional
// write, a stored item read into its type. It knows nothing of HTTP, so a
// trigger uses it without linking the API's request handling (httpapi
// maps these to HTTP errors where an API function needs them).
package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Items is the part of the DynamoDB API a function's stores call: the item
// calls on its tables. *dynamodb.Client implements it.
type Items interface {
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
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
