package photos

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/lambdas/dynamo"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
	"github.com/portcullis-cdk/portcullis/lambdas/pages"
)

// Photo statuses.
const (
	statusPending = "pending"
	statusReady   = "ready"
)

// timeFormat has a fixed width, so timestamps also sort as strings.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

var errNotFound = httpapi.NotFound("photo not found")

// item is a photo as stored.
type item struct {
	Owner       string `dynamodbav:"owner"`
	ID          string `dynamodbav:"id"`
	Status      string `dynamodbav:"status"`
	ContentType string `dynamodbav:"contentType"`
	Size        int64  `dynamodbav:"size"`
	Caption     string `dynamodbav:"caption,omitempty"`
	CreatedAt   string `dynamodbav:"createdAt"`
	UploadedAt  string `dynamodbav:"uploadedAt,omitempty"`
	// ExpiresAt (epoch seconds) is the table's TTL attribute, set while
	// the upload is pending.
	ExpiresAt int64 `dynamodbav:"expiresAt,omitempty"`
}

type store struct {
	db    dynamo.Items
	table string
}

func key(owner, id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		schema.Photos.PartitionKey: &types.AttributeValueMemberS{Value: owner},
		schema.Photos.SortKey:      &types.AttributeValueMemberS{Value: id},
	}
}

func (s store) put(ctx context.Context, it item) error {
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return fmt.Errorf("marshal photo: %w", err)
	}
	return httpapi.PutNew(ctx, s.db, s.table, schema.Photos.SortKey, av, "photo")
}

func (s store) get(ctx context.Context, owner, id string) (item, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(owner, id), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return item{}, fmt.Errorf("get photo: %w", err)
	}
	if out.Item == nil {
		return item{}, errNotFound
	}
	return decode(out.Item)
}

// markReady records a completed upload: the actual size, and no TTL any
// more. It only moves a pending photo.
func (s store) markReady(ctx context.Context, owner, id string, size int64, now string) (item, error) {
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.table),
		Key:                 key(owner, id),
		UpdateExpression:    aws.String("SET #status = :ready, #size = :size, #uploadedAt = :now REMOVE #expiresAt"),
		ConditionExpression: aws.String("attribute_exists(#id) AND #status = :pending"),
		ExpressionAttributeNames: map[string]string{
			"#id": schema.Photos.SortKey, "#status": "status", "#size": "size",
			"#uploadedAt": "uploadedAt", "#expiresAt": schema.Photos.TTL,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":ready":   &types.AttributeValueMemberS{Value: statusReady},
			":pending": &types.AttributeValueMemberS{Value: statusPending},
			":size":    &types.AttributeValueMemberN{Value: fmt.Sprint(size)},
			":now":     &types.AttributeValueMemberS{Value: now},
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if _, ok := dynamo.ConditionFailed(err); ok {
		// Deleted or completed by a concurrent request since it was read.
		return item{}, httpapi.Conflict(httpapi.CodeConflict, "the photo changed while completing; read it again")
	}
	if err != nil {
		return item{}, fmt.Errorf("mark photo ready: %w", err)
	}
	return decode(out.Attributes)
}

// listReady reads one page of the owner's photos, newest first, keeping the
// ready ones. It is a single Query call whatever the page holds.
func (s store) listReady(ctx context.Context, owner string, limit int, after string) ([]item, string, error) {
	in := pages.Query(schema.Photos, s.table, owner, limit, after)
	// The filter applies after the page is read: a page may be short.
	in.FilterExpression = aws.String("#status = :ready")
	in.ExpressionAttributeNames["#status"] = "status"
	in.ExpressionAttributeValues[":ready"] = &types.AttributeValueMemberS{Value: statusReady}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("query photos: %w", err)
	}
	items := make([]item, 0, len(out.Items))
	for _, av := range out.Items {
		it, err := decode(av)
		if err != nil {
			return nil, "", err
		}
		items = append(items, it)
	}
	return items, pages.Next(schema.Photos, out), nil
}

// delete removes the owner's photo record if its status is still status;
// a photo completed since it was read is a conflict to retry.
func (s store) delete(ctx context.Context, owner, id, status string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(owner, id),
		ConditionExpression:       aws.String("attribute_exists(#id) AND #status = :status"),
		ExpressionAttributeNames:  map[string]string{"#id": schema.Photos.SortKey, "#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":status": &types.AttributeValueMemberS{Value: status}},
	})
	if _, ok := dynamo.ConditionFailed(err); ok {
		return httpapi.Conflict(httpapi.CodeConflict, "the photo changed while deleting; retry")
	}
	if err != nil {
		return fmt.Errorf("delete photo: %w", err)
	}
	return nil
}

func decode(av map[string]types.AttributeValue) (item, error) {
	return dynamo.Unmarshal[item](av, "photo")
}
