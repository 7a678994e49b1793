package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
)

// putter records the PutItem it gets and answers err.
type putter struct {
	in  *dynamodb.PutItemInput
	err error
}

func (p *putter) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	p.in = in
	return &dynamodb.PutItemOutput{}, p.err
}

func TestPutNew(t *testing.T) {
	av := map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "a"}}
	tests := []struct {
		name    string
		err     error
		status  int    // of the *httpapi.Error returned; 0 for none
		message string // the error's text; "" for no error
	}{
		{"stored", nil, 0, ""},
		{"id taken", fmt.Errorf("op: %w", &types.ConditionalCheckFailedException{}), http.StatusConflict, "409 conflict: widget id already taken; retry"},
		{"other failure", errors.New("boom"), 0, "put widget: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := &putter{err: tt.err}
			err := httpapi.PutNew(t.Context(), db, "widgets", "sk", av, "widget")
			if got := errText(err); got != tt.message {
				t.Fatalf("err = %q, want %q", got, tt.message)
			}
			var apiErr *httpapi.Error
			if got := errors.As(err, &apiErr); got != (tt.status != 0) || got && apiErr.Status != tt.status {
				t.Errorf("err = %#v, want an *httpapi.Error with status %d: %t", err, tt.status, tt.status != 0)
			}
			if tt.err != nil && !strings.Contains(tt.message, "id already taken") && !errors.Is(err, tt.err) {
				t.Errorf("err = %v does not wrap %v", err, tt.err)
			}
			in := db.in
			if aws.ToString(in.TableName) != "widgets" || in.Item["id"] != av["id"] ||
				aws.ToString(in.ConditionExpression) != "attribute_not_exists(#id)" || in.ExpressionAttributeNames["#id"] != "sk" {
				t.Errorf("PutItem input = %+v, want a conditional put of the item into widgets keyed by sk", in)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
