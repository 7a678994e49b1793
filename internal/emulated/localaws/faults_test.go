package localaws

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/portcullis-cdk/portcullis/contract/schema"
)

// TestFaults checks each fault against the SDK clients, one attempt per
// call so the SDK's retries do not hide what the gate answered: the error
// code and HTTP status AWS uses, a slowed call served late, a stopped
// service holding calls until the client gives up, and the endpoint.
func TestFaults(t *testing.T) {
	ctx := context.Background()
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	once := func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 }
	db := s.DynamoDB(nil)
	s3c := s3.NewFromConfig(s.Config(nil), func(o *s3.Options) {
		o.BaseEndpoint, o.UsePathStyle, o.RetryMaxAttempts = aws.String(s.S3Endpoint), true, 1
	})
	getItem := func(ctx context.Context) error {
		_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(schema.Profiles.Name),
			Key: map[string]ddbtypes.AttributeValue{schema.Profiles.PartitionKey: &ddbtypes.AttributeValueMemberS{Value: "x"}}}, once)
		return err
	}
	headObject := func(ctx context.Context) error {
		_, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(Bucket), Key: aws.String("k")})
		return err
	}
	putObject := func(ctx context.Context) error {
		_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(Bucket), Key: aws.String("k"), Body: strings.NewReader("x")})
		return err
	}
	tests := []struct {
		name    string
		service string
		faults  Faults
		call    func(context.Context) error
		status  int
		code    string // "" for HEAD, which has no body
	}{
		{"dynamodb throttled (on-demand)", "dynamodb", Faults{Throttle: 1}, getItem, 400, "ThrottlingException"},
		{"dynamodb throttled (provisioned)", "dynamodb", Faults{Throttle: 1, ThrottleCode: "ProvisionedThroughputExceededException"}, getItem, 400, "ProvisionedThroughputExceededException"},
		{"dynamodb fails 500", "dynamodb", Faults{Fail: 1, FailStatus: 500}, getItem, 500, "InternalServerError"},
		{"dynamodb fails 503", "dynamodb", Faults{Fail: 1}, getItem, 503, "ServiceUnavailable"},
		{"s3 SlowDown", "s3", Faults{Throttle: 1}, putObject, 503, "SlowDown"},
		{"s3 SlowDown on HEAD", "s3", Faults{Throttle: 1}, headObject, 503, ""},
		{"s3 fails 500", "s3", Faults{Fail: 1, FailStatus: 500}, putObject, 500, "InternalError"},
		{"s3 fails 503", "s3", Faults{Fail: 1}, putObject, 503, "ServiceUnavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.SetFaults(tt.service, tt.faults); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = s.SetFaults(tt.service, Faults{}) }()
			err := tt.call(ctx)
			var re *awshttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != tt.status {
				t.Fatalf("error %v, want HTTP %d", err, tt.status)
			}
			var api smithy.APIError
			if tt.code != "" && (!errors.As(err, &api) || api.ErrorCode() != tt.code) {
				t.Fatalf("error %v, want code %s", err, tt.code)
			}
			if n, _ := s.FaultCounts(tt.service); n.Throttled+n.Failed != 1 {
				t.Fatalf("counts %+v, want one call hit", n)
			}
		})
	}

	// Slow: served, late. Down: held until the client gives up.
	if err := s.SetFaults("dynamodb", Faults{Slow: 1, Delay: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := getItem(ctx); err != nil || time.Since(start) < 300*time.Millisecond {
		t.Fatalf("slowed call: %v after %v", err, time.Since(start))
	}
	if err := s.SetFaults("dynamodb", Faults{Down: true}); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := getItem(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("call to a stopped service: %v, want the client's deadline", err)
	}

	// The endpoint: set from the query, read, refuse nonsense, clear.
	endpoint := s.DynamoDBEndpoint + FaultsPath
	resp, err := http.PostForm(endpoint+"?throttle=0.5&delay=1s&slow=0.1", nil)
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Faults Faults }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 ||
		got.Faults != (Faults{Throttle: 0.5, Slow: 0.1, Delay: time.Second}) {
		t.Fatalf("POST faults: %d %+v %v", resp.StatusCode, got, err)
	}
	resp.Body.Close()
	if err := getItem(ctx); err != nil && !strings.Contains(err.Error(), "Throttling") {
		t.Fatalf("call under faults set by the endpoint: %v", err)
	}
	for _, bad := range []string{"throttle=2", "fail=x", "failStatus=404", "down=maybe", "bogus=1", "slow=0.5"} {
		resp, err := http.Post(endpoint+"?"+bad, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("POST faults?%s: %d, want 400", bad, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest(http.MethodDelete, endpoint, nil)
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for range 5 {
		if err := getItem(ctx); err != nil {
			t.Fatalf("call after DELETE faults: %v", err)
		}
	}
	if _, err := ParseFaults(url.Values{"down": {"true"}}); err != nil {
		t.Fatal(err)
	}
}
