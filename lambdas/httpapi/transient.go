package httpapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// CodeUnavailable is the error code of a 503: a dependency (DynamoDB, S3)
// throttled, failed or did not answer in time. The request may be retried
// after Retry-After seconds; a POST with an Idempotency-Key is safe to retry.
const CodeUnavailable = "unavailable"

// Retry-After values, in seconds. A throttle clears as the caller's rate
// drops, so a short wait is enough; a dependency that failed or timed out
// after the SDK's own retries is given longer.
const (
	RetryAfterThrottled   = 1
	RetryAfterUnavailable = 2
)

// Budget bounds a request: every AWS call of a handler runs under the
// returned context.
const (
	// ResponseReserve is kept back from the Lambda invocation's deadline so
	// a handler whose calls ran out of time still answers with its JSON 503
	// before Lambda stops it (which API Gateway would turn into a bare
	// 503 of its own).
	ResponseReserve = time.Second
	// DefaultBudget bounds a request whose context has no deadline (a test,
	// a runtime that sets none): the default function timeout of
	// constructs/golambda (10 s) minus ResponseReserve.
	DefaultBudget = 9 * time.Second
)

// WithBudget derives the context a request's AWS calls run under: the
// invocation's deadline less ResponseReserve, or DefaultBudget from now when
// ctx has no deadline.
func WithBudget(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, dl.Add(-ResponseReserve))
	}
	return context.WithTimeout(ctx, DefaultBudget)
}

// throttles and retryables are the AWS SDK's own classification, the same
// the SDK's retryer applies to each attempt: what it retries is transient,
// so the same error after the last attempt still is.
var (
	throttles  = retry.IsErrorThrottles(retry.DefaultThrottles)
	retryables = retry.IsErrorRetryables(retry.DefaultRetryables)
)

// Transient classifies a failure from an AWS call: a throttle
// (ProvisionedThroughputExceededException, ThrottlingException,
// RequestLimitExceeded, S3 SlowDown, ...), a 5xx from the service, a
// connection failure or a timeout (the SDK's per-attempt timeout or the
// request's budget) is a 503 with Retry-After; it returns nil for anything
// else (a validation error, access denied, a bug), which stays a 500.
func Transient(err error) *Error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
			Message: "a dependency did not answer in time; retry later", RetryAfter: RetryAfterUnavailable}
	}
	if throttles.IsErrorThrottle(err) == aws.TrueTernary {
		return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
			Message: "the service is busy; retry later", RetryAfter: RetryAfterThrottled}
	}
	if retryables.IsErrorRetryable(err) == aws.TrueTernary {
		return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
			Message: "a dependency is unavailable; retry later", RetryAfter: RetryAfterUnavailable}
	}
	return nil
}
