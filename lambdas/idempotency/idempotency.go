// Package idempotency makes a POST safe to retry: a request carrying an
// Idempotency-Key header runs once per owner, key and route, and a repeat
// within Window gets the first response again without a second write.
//
// It follows the IETF draft "The Idempotency-Key HTTP Header Field"
// (draft-ietf-httpapi-idempotency-key-header) and the idempotency utility of
// Powertools for AWS Lambda:
//   - the first request claims the key with a conditional PutItem (the
//     record is "in progress", with the request body's SHA-256);
//   - when the handler answers with a 2xx, the record becomes "completed"
//     and keeps that status and body; a repeat with the same body replays
//     them, marked Idempotent-Replayed: true;
//   - a repeat while the first is still running is a 409
//     (idempotency_in_progress, as the draft has it), retryable after
//     Retry-After;
//   - the same key with a different body is a 409 (idempotency_key_reused).
//     The draft suggests 422 for this; the API keeps 409, its status for
//     every request that conflicts with an earlier write, and tells the two
//     apart by the error code;
//   - a request that fails (4xx or 5xx) releases its key, so a retry runs
//     again, as Powertools deletes the record of a failed invocation; if
//     even that fails, the claim lapses at the invocation's deadline;
//   - records expire by the table's TTL attribute after Window.
//
// Keys are per owner (the partition key), so two users' keys never meet.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/lambdas/dynamo"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
)

const (
	// Header is the request header naming the key.
	Header = "Idempotency-Key"
	// ReplayedHeader marks a replayed response.
	ReplayedHeader = "Idempotent-Replayed"
	// MaxKeyLen bounds a key; a UUID (36) is the usual one.
	MaxKeyLen = 255
	// Window is how long a key is remembered: a client retrying a request
	// whose answer it lost does so within it, offline clients included.
	Window = 24 * time.Hour
)

// Error codes of the 409s.
const (
	CodeInProgress = "idempotency_in_progress"
	CodeKeyReused  = "idempotency_key_reused"
)

// DB is the part of the DynamoDB API the records need.
type DB interface {
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Store keeps the records in a table of schema.Idempotency's shape.
type Store struct {
	DB    DB
	Table string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

const (
	statusInProgress = "in_progress"
	statusCompleted  = "completed"
)

// record is a key's state as stored.
type record struct {
	Owner  string `dynamodbav:"owner"`
	Key    string `dynamodbav:"key"`
	Status string `dynamodbav:"status"`
	Hash   string `dynamodbav:"hash"`
	// ExpiresAt (epoch seconds) is the table's TTL attribute.
	ExpiresAt int64 `dynamodbav:"expiresAt"`
	// LockedUntil (epoch milliseconds) ends an in-progress claim: the
	// invocation that made it has stopped by then.
	LockedUntil    int64  `dynamodbav:"lockedUntil"`
	ResponseStatus int    `dynamodbav:"responseStatus,omitempty"`
	ResponseBody   string `dynamodbav:"responseBody,omitempty"`
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Key returns the request's Idempotency-Key ("" when none) or a 400 for one
// that is empty, too long or not visible ASCII.
func Key(r *httpapi.Request) (string, error) {
	k, ok := "", false
	for name, v := range r.Event.Headers {
		if strings.EqualFold(name, Header) {
			k, ok = v, true
			break
		}
	}
	if !ok {
		return "", nil
	}
	if k == "" || len(k) > MaxKeyLen {
		return "", httpapi.BadRequest("%s must have 1 to %d characters", Header, MaxKeyLen)
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return "", httpapi.BadRequest("%s must be visible ASCII characters without spaces", Header)
		}
	}
	return k, nil
}

// Wrap runs h at most once per owner, route and Idempotency-Key; requests
// without the header run h as they are.
func (s *Store) Wrap(h httpapi.HandlerFunc) httpapi.HandlerFunc {
	return func(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
		k, err := Key(r)
		if err != nil || k == "" {
			if err != nil {
				return httpapi.Response{}, err
			}
			return h(ctx, r)
		}
		body, err := r.Body()
		if err != nil {
			return httpapi.Response{}, err
		}
		sum := sha256.Sum256(body)
		rec := record{
			Owner: r.Owner,
			// The route is part of the key: the same key on another
			// route is another request.
			Key:    r.Route.Key() + " " + k,
			Status: statusInProgress,
			Hash:   hex.EncodeToString(sum[:]),
		}
		now := s.now()
		rec.ExpiresAt = now.Add(Window).Unix()
		locked := now.Add(httpapi.DefaultBudget)
		if dl, ok := ctx.Deadline(); ok {
			locked = dl
		}
		rec.LockedUntil = locked.Add(httpapi.ResponseReserve).UnixMilli()

		prior, err := s.claim(ctx, rec, now)
		if err != nil {
			return httpapi.Response{}, err
		}
		if prior != nil {
			return replay(*prior, rec.Hash)
		}

		resp, err := h(ctx, r)
		if err != nil || resp.Status < 200 || resp.Status > 299 {
			s.release(ctx, rec)
			return resp, err
		}
		if err := s.complete(ctx, rec, resp); err != nil {
			// The write is done and the caller gets its answer; a retry
			// after the claim lapses would run again, which the log
			// records.
			slog.WarnContext(ctx, "idempotency record not completed", "err", err)
		}
		return resp, nil
	}
}

func (s *Store) key(rec record) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		schema.Idempotency.PartitionKey: &types.AttributeValueMemberS{Value: rec.Owner},
		schema.Idempotency.SortKey:      &types.AttributeValueMemberS{Value: rec.Key},
	}
}

// claim writes the in-progress record unless a live one holds the key, in
// which case it returns that one.
func (s *Store) claim(ctx context.Context, rec record, now time.Time) (*record, error) {
	av, err := attributevalue.MarshalMap(rec)
	if err != nil {
		return nil, fmt.Errorf("marshal idempotency record: %w", err)
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.Table),
		Item:      av,
		// A key is free when it was never used, when its record outlived
		// the window (TTL deletes within days, not at once), or when the
		// invocation that claimed it has stopped without finishing.
		ConditionExpression: aws.String("attribute_not_exists(#key) OR #expiresAt < :now OR (#status = :inProgress AND #lockedUntil < :nowMs)"),
		ExpressionAttributeNames: map[string]string{
			"#key": schema.Idempotency.SortKey, "#expiresAt": schema.Idempotency.TTL,
			"#status": "status", "#lockedUntil": "lockedUntil",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now":        &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)},
			":nowMs":      &types.AttributeValueMemberN{Value: strconv.FormatInt(now.UnixMilli(), 10)},
			":inProgress": &types.AttributeValueMemberS{Value: statusInProgress},
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	failed, ok := dynamo.ConditionFailed(err)
	if !ok {
		if err != nil {
			return nil, fmt.Errorf("claim idempotency key: %w", err)
		}
		return nil, nil
	}
	item := failed.Item
	if item == nil {
		// DynamoDB returns the item with the failure; servers that do
		// not (dynalite) cost one read, on this path only.
		out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: s.key(rec), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return nil, fmt.Errorf("read idempotency record: %w", err)
		}
		if item = out.Item; item == nil {
			// Released between the two calls: the caller may retry now.
			return nil, &httpapi.Error{Status: http.StatusConflict, Code: CodeInProgress,
				Message: "a request with this " + Header + " just finished without a result; retry", RetryAfter: 1}
		}
	}
	var prior record
	if err := attributevalue.UnmarshalMap(item, &prior); err != nil {
		return nil, fmt.Errorf("unmarshal idempotency record: %w", err)
	}
	return &prior, nil
}

// replay answers a repeat from the record the key holds.
func replay(prior record, hash string) (httpapi.Response, error) {
	switch {
	case prior.Hash != hash:
		return httpapi.Response{}, httpapi.Conflict(CodeKeyReused, "this %s was used with a different request body; use a new key for a new request", Header)
	case prior.Status != statusCompleted:
		return httpapi.Response{}, &httpapi.Error{Status: http.StatusConflict, Code: CodeInProgress,
			Message: "a request with this " + Header + " is still in progress; retry later", RetryAfter: 1}
	}
	out := httpapi.Response{Status: prior.ResponseStatus, Headers: map[string]string{ReplayedHeader: "true"}}
	if prior.ResponseBody != "" {
		out.Body = json.RawMessage(prior.ResponseBody)
	}
	return out, nil
}

// complete stores the response with the key.
func (s *Store) complete(ctx context.Context, rec record, resp httpapi.Response) error {
	body := ""
	if resp.Body != nil {
		b, err := httpapi.EncodeBody(resp.Body)
		if err != nil {
			return fmt.Errorf("marshal response: %w", err)
		}
		body = string(b)
	}
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.Table),
		Key:                 s.key(rec),
		UpdateExpression:    aws.String("SET #status = :completed, #responseStatus = :rs, #responseBody = :rb"),
		ConditionExpression: aws.String("#hash = :hash AND #status = :inProgress"),
		ExpressionAttributeNames: map[string]string{
			"#status": "status", "#responseStatus": "responseStatus", "#responseBody": "responseBody", "#hash": "hash",
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":completed":  &types.AttributeValueMemberS{Value: statusCompleted},
			":inProgress": &types.AttributeValueMemberS{Value: statusInProgress},
			":rs":         &types.AttributeValueMemberN{Value: strconv.Itoa(resp.Status)},
			":rb":         &types.AttributeValueMemberS{Value: body},
			":hash":       &types.AttributeValueMemberS{Value: rec.Hash},
		},
	})
	return err
}

// release frees the key of a request that did not succeed, so a retry runs
// again. It runs even when the request's budget is spent.
func (s *Store) release(ctx context.Context, rec record) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), httpapi.ResponseReserve/2)
	defer cancel()
	_, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       s.key(rec),
		ConditionExpression:       aws.String("#hash = :hash AND #status = :inProgress"),
		ExpressionAttributeNames:  map[string]string{"#hash": "hash", "#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":hash": &types.AttributeValueMemberS{Value: rec.Hash}, ":inProgress": &types.AttributeValueMemberS{Value: statusInProgress}},
	})
	if err != nil {
		slog.WarnContext(ctx, "idempotency key not released; it lapses at the invocation's deadline", "err", err)
	}
}
