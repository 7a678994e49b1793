package pages

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/lambdas/ids"
)

func s(v string) *types.AttributeValueMemberS { return &types.AttributeValueMemberS{Value: v} }

func TestQueryStaysInTheOwnersPartition(t *testing.T) {
	first := Query(schema.Todos, "t", "alice", 20, "")
	if first.ExclusiveStartKey != nil || *first.ScanIndexForward || *first.Limit != 20 {
		t.Errorf("first page %+v", first)
	}
	next := Query(schema.Todos, "t", "alice", 20, "01J000")
	start := next.ExclusiveStartKey
	if start[schema.Todos.PartitionKey].(*types.AttributeValueMemberS).Value != "alice" ||
		start[schema.Todos.SortKey].(*types.AttributeValueMemberS).Value != "01J000" {
		t.Errorf("start key %v, want alice's partition after 01J000", start)
	}
	if v := next.ExpressionAttributeValues[":owner"].(*types.AttributeValueMemberS).Value; v != "alice" {
		t.Errorf("key condition owner %q", v)
	}
}

func TestNext(t *testing.T) {
	out := &dynamodb.QueryOutput{LastEvaluatedKey: map[string]types.AttributeValue{schema.Todos.PartitionKey: s("alice"), schema.Todos.SortKey: s("01J000")}}
	if got := Next(schema.Todos, out); got != ids.Cursor("01J000") {
		t.Errorf("Next = %q", got)
	}
	if got := Next(schema.Todos, &dynamodb.QueryOutput{}); got != "" {
		t.Errorf("Next after the last page = %q", got)
	}
}
