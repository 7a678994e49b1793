package localaws

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// Recorder counts the AWS API calls made through the clients it is
// attached to: DynamoDB calls by operation name (from X-Amz-Target), S3
// calls by method and path.
type Recorder struct {
	mu    sync.Mutex
	calls []string
	next  aws.HTTPClient
}

// NewRecorder records calls sent through next (the SDK's default client
// when nil).
func NewRecorder(next aws.HTTPClient) *Recorder {
	if next == nil {
		next = awshttp.NewBuildableClient()
	}
	return &Recorder{next: next}
}

// Do implements aws.HTTPClient.
func (r *Recorder) Do(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.calls = append(r.calls, callName(req))
	r.mu.Unlock()
	return r.next.Do(req)
}

func callName(req *http.Request) string {
	if target := req.Header.Get("X-Amz-Target"); target != "" {
		// "DynamoDB_20120810.Query" -> "dynamodb:Query"
		_, op, _ := strings.Cut(target, ".")
		return "dynamodb:" + op
	}
	return fmt.Sprintf("s3:%s %s", req.Method, req.URL.Path)
}

// Calls returns the calls recorded since the last Reset, in order.
func (r *Recorder) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// Reset forgets the recorded calls.
func (r *Recorder) Reset() {
	r.mu.Lock()
	r.calls = nil
	r.mu.Unlock()
}

// Ops returns the recorded calls without S3 paths ("dynamodb:Query",
// "s3:HEAD"), which is what call-count assertions compare.
func (r *Recorder) Ops() []string {
	var out []string
	for _, c := range r.Calls() {
		if name, _, ok := strings.Cut(c, " "); ok {
			c = name
		}
		out = append(out, c)
	}
	return out
}
