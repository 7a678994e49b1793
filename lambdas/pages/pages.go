// Package pages reads an owner's items one page at a time, newest first:
// a single DynamoDB Query per page on a table whose sort key is a
// time-ordered id, with an opaque cursor for the next page.
package pages

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/lambdas/ids"
)

// Query is the request for one page of owner's items in table (named name),
// newest first, starting after the item with id after ("" for the first
// page). Consistent reads let a user list what they just wrote.
func Query(t schema.Table, name, owner string, limit int, after string) *dynamodb.QueryInput {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(name),
		KeyConditionExpression:    aws.String("#owner = :owner"),
		ExpressionAttributeNames:  map[string]string{"#owner": t.PartitionKey},
		ExpressionAttributeValues: map[string]types.AttributeValue{":owner": &types.AttributeValueMemberS{Value: owner}},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit)),
		ConsistentRead:            aws.Bool(true),
	}
	if after != "" {
		// The owner comes from the caller's token, so a cursor can only
		// move within the caller's own partition.
		in.ExclusiveStartKey = map[string]types.AttributeValue{
			t.PartitionKey: &types.AttributeValueMemberS{Value: owner},
			t.SortKey:      &types.AttributeValueMemberS{Value: after},
		}
	}
	return in
}

// Next is the cursor of the page after out, or "" after the last page.
func Next(t schema.Table, out *dynamodb.QueryOutput) string {
	if last, ok := out.LastEvaluatedKey[t.SortKey].(*types.AttributeValueMemberS); ok {
		return ids.Cursor(last.Value)
	}
	return ""
}
