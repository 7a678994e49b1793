package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
)

// sdkError wraps err the way an SDK operation returns it after its last
// attempt: an OperationError around the retryer's MaxAttemptsError.
func sdkError(service, op string, err error) error {
	return &smithy.OperationError{ServiceID: service, OperationName: op, Err: &retry.MaxAttemptsError{Attempt: 3, Err: err}}
}

func apiError(status int, code string) error {
	resp := &smithyhttp.Response{Response: &http.Response{StatusCode: status, Header: http.Header{}}}
	return &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: resp, Err: &smithy.GenericAPIError{Code: code, Message: code}},
	}
}

func TestTransient(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	tests := []struct {
		name       string
		err        error
		retryAfter int // 0: not transient, a 500
	}{
		{"DynamoDB provisioned throughput", sdkError("DynamoDB", "PutItem", apiError(400, "ProvisionedThroughputExceededException")), httpapi.RetryAfterThrottled},
		{"DynamoDB throttling", sdkError("DynamoDB", "Query", apiError(400, "ThrottlingException")), httpapi.RetryAfterThrottled},
		{"DynamoDB request limit", sdkError("DynamoDB", "GetItem", apiError(400, "RequestLimitExceeded")), httpapi.RetryAfterThrottled},
		{"S3 SlowDown", sdkError("S3", "CopyObject", apiError(503, "SlowDown")), httpapi.RetryAfterThrottled},
		{"S3 service unavailable", sdkError("S3", "HeadObject", apiError(503, "ServiceUnavailable")), httpapi.RetryAfterUnavailable},
		{"DynamoDB internal error", sdkError("DynamoDB", "PutItem", apiError(500, "InternalServerError")), httpapi.RetryAfterUnavailable},
		{"connection refused", sdkError("DynamoDB", "PutItem", &smithy.OperationError{Err: refused}), httpapi.RetryAfterUnavailable},
		{"request budget spent", fmt.Errorf("put todo: %w", sdkError("DynamoDB", "PutItem", context.DeadlineExceeded)), httpapi.RetryAfterUnavailable},
		{"validation", sdkError("DynamoDB", "PutItem", apiError(400, "ValidationException")), 0},
		{"access denied", sdkError("S3", "CopyObject", apiError(403, "AccessDenied")), 0},
		{"a bug", errors.New("marshal todo: unsupported type"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := httpapi.Transient(tt.err)
			if tt.retryAfter == 0 {
				if got != nil {
					t.Fatalf("Transient(%v) = %v, want nil (a 500)", tt.err, got)
				}
				return
			}
			if got == nil || got.Status != 503 || got.Code != httpapi.CodeUnavailable || got.RetryAfter != tt.retryAfter {
				t.Fatalf("Transient(%v) = %+v, want 503 unavailable, Retry-After %d", tt.err, got, tt.retryAfter)
			}

			// The router answers it as a JSON 503 with Retry-After.
			rt := todosRouter(t, func(context.Context, *httpapi.Request) (httpapi.Response, error) { return httpapi.Response{}, tt.err })
			resp, err := rt.Handle(context.Background(), httpapitest.Event(httpapitest.User("u"), "GET /todos", nil, nil, ""))
			if err != nil {
				t.Fatal(err)
			}
			var body httpapi.ErrorBody
			if resp.StatusCode != 503 || json.Unmarshal([]byte(resp.Body), &body) != nil || body.Error != "unavailable" ||
				resp.Headers["Retry-After"] != fmt.Sprint(tt.retryAfter) || resp.Headers["Content-Type"] != "application/json" {
				t.Fatalf("response %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
			}
		})
	}
}

func TestBudget(t *testing.T) {
	var got time.Duration
	rt := todosRouter(t, func(ctx context.Context, _ *httpapi.Request) (httpapi.Response, error) {
		dl, ok := ctx.Deadline()
		if !ok {
			return httpapi.Response{}, errors.New("no deadline")
		}
		got = time.Until(dl)
		return httpapi.NoContent(), nil
	})
	ev := httpapitest.Event(httpapitest.User("u"), "GET /todos", nil, nil, "")

	// Lambda's context carries the invocation deadline: the handler keeps
	// ResponseReserve of it to answer.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if resp, _ := rt.Handle(ctx, ev); resp.StatusCode != 204 {
		t.Fatalf("status %d %s", resp.StatusCode, resp.Body)
	}
	if want := 10*time.Second - httpapi.ResponseReserve; got > want || got < want-time.Second {
		t.Fatalf("budget %v under a 10 s invocation, want about %v", got, want)
	}
	// Without a deadline, DefaultBudget applies.
	if resp, _ := rt.Handle(context.Background(), ev); resp.StatusCode != 204 {
		t.Fatalf("status %d %s", resp.StatusCode, resp.Body)
	}
	if got > httpapi.DefaultBudget || got < httpapi.DefaultBudget-time.Second {
		t.Fatalf("budget %v without a deadline, want about %v", got, httpapi.DefaultBudget)
	}
}
