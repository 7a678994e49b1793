package dynamo_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/portcullis-cdk/portcullis/lambdas/dynamo"
)

func TestConditionFailed(t *testing.T) {
	current := map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "a"}}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"other", errors.New("boom"), false},
		{"wrapped", fmt.Errorf("op: %w", &types.ConditionalCheckFailedException{Item: current}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			failed, ok := dynamo.ConditionFailed(tt.err)
			if ok != tt.want || (failed != nil) != tt.want {
				t.Fatalf("ConditionFailed(%v) = %v, %t, want %t", tt.err, failed, ok, tt.want)
			}
			if ok && failed.Item["id"] != current["id"] {
				t.Errorf("Item = %v, want the current item %v", failed.Item, current)
			}
		})
	}
}

func TestUnmarshal(t *testing.T) {
	type widget struct {
		ID   string `dynamodbav:"id"`
		Size int64  `dynamodbav:"size"`
	}
	got, err := dynamo.Unmarshal[widget](map[string]types.AttributeValue{
		"id": &types.AttributeValueMemberS{Value: "a"}, "size": &types.AttributeValueMemberN{Value: "3"},
	}, "widget")
	if err != nil || got != (widget{ID: "a", Size: 3}) {
		t.Errorf("Unmarshal = %+v, %v, want {a 3}", got, err)
	}
	got, err = dynamo.Unmarshal[widget](map[string]types.AttributeValue{
		"id": &types.AttributeValueMemberS{Value: "b"}, "size": &types.AttributeValueMemberS{Value: "big"},
	}, "widget")
	if err == nil || !strings.HasPrefix(err.Error(), "unmarshal widget: ") || got != (widget{}) {
		t.Errorf("Unmarshal of a bad item = %+v, %v, want the zero widget and an unmarshal widget error", got, err)
	}
}
