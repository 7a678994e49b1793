package todos

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/lambdas/dynamo"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
	"github.com/portcullis-cdk/portcullis/lambdas/ids"
	"github.com/portcullis-cdk/portcullis/lambdas/pages"
	"github.com/portcullis-cdk/portcullis/lambdas/quota"
)

// item is a todo as stored: the API's fields plus the owner key.
type item struct {
	Owner     string `dynamodbav:"owner"`
	ID        string `dynamodbav:"id"`
	Title     string `dynamodbav:"title"`
	Done      bool   `dynamodbav:"done"`
	CreatedAt string `dynamodbav:"createdAt"`
	UpdatedAt string `dynamodbav:"updatedAt"`
	Version   int64  `dynamodbav:"version"`
}

func (it item) todo() Todo {
	return Todo{ID: it.ID, Title: it.Title, Done: it.Done, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, Version: it.Version}
}

// timeFormat has a fixed width, so timestamps also sort as strings.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

var errNotFound = httpapi.NotFound("todo not found")

type store struct {
	db    dynamo.Items
	table string
	now   func() time.Time
	ids   *ids.Generator
	// usage counts each owner's todos, at most max; no table: no quota.
	usage quota.Usage
	max   int64
}

// todo is one todo's share of the quota.
func (s store) todo() quota.Amount { return quota.Amount{Counter: quota.Todos, N: 1, Max: s.max} }

func key(owner, id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		schema.Todos.PartitionKey: &types.AttributeValueMemberS{Value: owner},
		schema.Todos.SortKey:      &types.AttributeValueMemberS{Value: id},
	}
}

func (s store) create(ctx context.Context, owner, title string, done bool) (Todo, error) {
	now := s.now().UTC()
	ts := now.Format(timeFormat)
	it := item{Owner: owner, ID: s.ids.New(now), Title: title, Done: done, CreatedAt: ts, UpdatedAt: ts, Version: 1}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return Todo{}, fmt.Errorf("marshal todo: %w", err)
	}
	if s.usage.Table != "" {
		if err := s.usage.Take(ctx, owner, s.todo()); err != nil {
			return Todo{}, err
		}
	}
	if err := s.put(ctx, av); err != nil {
		if s.usage.Table != "" {
			s.usage.Give(ctx, owner, s.todo()) // nothing was stored
		}
		return Todo{}, err
	}
	return it.todo(), nil
}

func (s store) put(ctx context.Context, av map[string]types.AttributeValue) error {
	return httpapi.PutNew(ctx, s.db, s.table, schema.Todos.SortKey, av, "todo")
}

func (s store) get(ctx context.Context, owner, id string) (Todo, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            key(owner, id),
		ConsistentRead: aws.Bool(true), // a client reads its own writes
	})
	if err != nil {
		return Todo{}, fmt.Errorf("get todo: %w", err)
	}
	if out.Item == nil {
		return Todo{}, errNotFound
	}
	return decode(out.Item)
}

// list reads one page with a single Query: newest first, starting after
// the cursor's id within the caller's partition.
func (s store) list(ctx context.Context, owner string, limit int, after string) (List, error) {
	out, err := s.db.Query(ctx, pages.Query(schema.Todos, s.table, owner, limit, after))
	if err != nil {
		return List{}, fmt.Errorf("query todos: %w", err)
	}
	l := List{Items: make([]Todo, 0, len(out.Items))}
	for _, av := range out.Items {
		t, err := decode(av)
		if err != nil {
			return List{}, err
		}
		l.Items = append(l.Items, t)
	}
	l.NextCursor = pages.Next(schema.Todos, out)
	return l, nil
}

func (s store) update(ctx context.Context, owner, id, title string, done bool, version int64) (Todo, error) {
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.table),
		Key:                 key(owner, id),
		UpdateExpression:    aws.String("SET #title = :title, #done = :done, #updatedAt = :now, #version = #version + :one"),
		ConditionExpression: aws.String("attribute_exists(#id) AND #version = :version"),
		ExpressionAttributeNames: map[string]string{
			"#id": schema.Todos.SortKey, "#title": "title", "#done": "done",
			"#updatedAt": "updatedAt", "#version": "version",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":title":   &types.AttributeValueMemberS{Value: title},
			":done":    &types.AttributeValueMemberBOOL{Value: done},
			":now":     &types.AttributeValueMemberS{Value: s.now().UTC().Format(timeFormat)},
			":one":     &types.AttributeValueMemberN{Value: "1"},
			":version": &types.AttributeValueMemberN{Value: fmt.Sprint(version)},
		},
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if failed, ok := dynamo.ConditionFailed(err); ok {
		return Todo{}, s.whyFailed(ctx, owner, id, failed.Item)
	}
	if err != nil {
		return Todo{}, fmt.Errorf("update todo: %w", err)
	}
	return decode(out.Attributes)
}

// whyFailed tells a missing todo (404) from a stale version (409) after a
// failed conditional update. DynamoDB returns the current item with the
// failure; servers that do not (dynalite) cost one GetItem, on this failure
// path only.
func (s store) whyFailed(ctx context.Context, owner, id string, current map[string]types.AttributeValue) error {
	if current == nil {
		out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(s.table), Key: key(owner, id), ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return fmt.Errorf("get todo after failed update: %w", err)
		}
		current = out.Item
	}
	if current == nil {
		return errNotFound
	}
	return httpapi.Conflict(httpapi.CodeConflict, "todo was changed by another request; read it again and retry with its version")
}

func (s store) delete(ctx context.Context, owner, id string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                aws.String(s.table),
		Key:                      key(owner, id),
		ConditionExpression:      aws.String("attribute_exists(#id)"),
		ExpressionAttributeNames: map[string]string{"#id": schema.Todos.SortKey},
	})
	if _, ok := dynamo.ConditionFailed(err); ok {
		return errNotFound
	}
	if err != nil {
		return fmt.Errorf("delete todo: %w", err)
	}
	if s.usage.Table != "" {
		s.usage.Give(ctx, owner, s.todo())
	}
	return nil
}

func decode(av map[string]types.AttributeValue) (Todo, error) {
	it, err := dynamo.Unmarshal[item](av, "todo")
	return it.todo(), err
}
