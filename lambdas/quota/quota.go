// Package quota bounds what one owner stores: a counter item per owner in
// the usage table (schema.Usage), which a handler raises in one
// conditional write before it stores something and lowers after it
// removes something. Nothing is ever counted by a scan.
//
// The raise and the write it guards are two calls, not one transaction
// (the local DynamoDB, dynalite, has no TransactWriteItems): a handler
// raises first and gives back when its write fails, so a crash between the
// two over-counts by one and never lets an owner past the limit.
package quota

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/lambdas/dynamo"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
)

// Counters of the usage item.
const (
	Todos      = "todos"
	Photos     = "photos"
	PhotoBytes = "photoBytes"
)

// labels name the counters in messages.
var labels = map[string]string{Todos: "todos", Photos: "photos", PhotoBytes: "bytes of photos"}

// CodeExceeded is the error code of the 409 a write over a quota gets.
const CodeExceeded = "quota_exceeded"

// DB is the part of the DynamoDB API a Usage calls.
type DB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Usage is the usage table.
type Usage struct {
	DB    DB
	Table string
}

// Amount is a change of one counter; Max bounds it after a Take (0: no
// bound).
type Amount struct {
	Counter string
	N, Max  int64
}

// Take adds every amount to its counter, in one conditional write that
// succeeds only if each bounded counter stays at or below its Max; over a
// bound it changes nothing and answers the 409 of Exceeded.
func (u Usage) Take(ctx context.Context, owner string, amounts ...Amount) error {
	in := u.update(owner, amounts)
	var conds []string
	for i, a := range amounts {
		if a.Max <= 0 {
			continue
		}
		room := a.Max - a.N
		if room < 0 {
			return Exceeded(amounts)
		}
		p := strconv.Itoa(i)
		in.ExpressionAttributeValues[":room"+p] = number(room)
		conds = append(conds, fmt.Sprintf("(attribute_not_exists(#c%s) OR #c%s <= :room%s)", p, p, p))
	}
	if len(conds) > 0 {
		in.ConditionExpression = aws.String(strings.Join(conds, " AND "))
	}
	_, err := u.DB.UpdateItem(ctx, in)
	if _, failed := dynamo.ConditionFailed(err); failed {
		return Exceeded(amounts)
	}
	if err != nil {
		return fmt.Errorf("take quota: %w", err)
	}
	return nil
}

// Give subtracts every amount from its counter, never below zero: a counter
// lower than the amount (what it counts predates the counter) is left as
// it is. It logs rather than fails: what it follows has already happened,
// and a counter left high only errs on the safe side.
func (u Usage) Give(ctx context.Context, owner string, amounts ...Amount) {
	neg := make([]Amount, len(amounts))
	var conds []string
	for i, a := range amounts {
		neg[i] = Amount{Counter: a.Counter, N: -a.N}
		conds = append(conds, fmt.Sprintf("#c%d >= :least%d", i, i))
	}
	in := u.update(owner, neg)
	for i, a := range amounts {
		in.ExpressionAttributeValues[":least"+strconv.Itoa(i)] = number(a.N)
	}
	in.ConditionExpression = aws.String(strings.Join(conds, " AND "))
	if _, err := u.DB.UpdateItem(ctx, in); err != nil {
		slog.WarnContext(ctx, "quota not given back", "owner", httpapi.OwnerHash(owner), "err", err)
	}
}

// Get reads an owner's counters; an owner without a usage item has none.
func (u Usage) Get(ctx context.Context, owner string) (map[string]int64, error) {
	out, err := u.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(u.Table), Key: key(owner), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("get usage: %w", err)
	}
	counts := map[string]int64{}
	for name, v := range out.Item {
		if n, ok := v.(*types.AttributeValueMemberN); ok {
			counts[name], _ = strconv.ParseInt(n.Value, 10, 64)
		}
	}
	return counts, nil
}

// Exceeded is the 409 of a write over a quota, naming the bounds.
func Exceeded(amounts []Amount) *httpapi.Error {
	var bounds []string
	for _, a := range amounts {
		if a.Max > 0 {
			bounds = append(bounds, fmt.Sprintf("%d %s", a.Max, labels[a.Counter]))
		}
	}
	return httpapi.Conflict(CodeExceeded, "this would exceed your quota of %s; delete some first", strings.Join(bounds, " and "))
}

func (u Usage) update(owner string, amounts []Amount) *dynamodb.UpdateItemInput {
	in := &dynamodb.UpdateItemInput{
		TableName:                 aws.String(u.Table),
		Key:                       key(owner),
		ExpressionAttributeNames:  map[string]string{},
		ExpressionAttributeValues: map[string]types.AttributeValue{},
	}
	var adds []string
	for i, a := range amounts {
		p := strconv.Itoa(i)
		in.ExpressionAttributeNames["#c"+p] = a.Counter
		in.ExpressionAttributeValues[":n"+p] = number(a.N)
		adds = append(adds, "#c"+p+" :n"+p)
	}
	in.UpdateExpression = aws.String("ADD " + strings.Join(adds, ", "))
	return in
}

func key(owner string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{schema.Usage.PartitionKey: &types.AttributeValueMemberS{Value: owner}}
}

func number(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// FromEnv reads a quota from the environment variable name: a positive
// integer, required.
func FromEnv(getenv func(string) string, name string) (int64, error) {
	raw := strings.TrimSpace(getenv(name))
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s %q: want a positive integer", name, raw)
	}
	return n, nil
}
