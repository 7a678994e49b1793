package localaws

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
)

func TestServers(t *testing.T) {
	ctx := context.Background()
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pids := []int{}
	for _, p := range s.procs {
		pids = append(pids, p.process.Pid)
	}
	t.Cleanup(func() {
		// Close must leave no server behind.
		for _, pid := range pids {
			if err := syscall.Kill(pid, 0); err == nil {
				t.Errorf("server pid %d still running after Close", pid)
			}
		}
	})
	defer s.Close()

	rec := NewRecorder(nil)
	tables, err := s.DynamoDB(rec).ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range schema.Tables() {
		if !slices.Contains(tables.TableNames, tb.Name) {
			t.Errorf("table %s not created; have %v", tb.Name, tables.TableNames)
		}
	}
	if _, err := s.S3(rec).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(Bucket)}); err != nil {
		t.Errorf("bucket: %v", err)
	}
	want := []string{"dynamodb:ListTables", "s3:HEAD /" + Bucket}
	if got := rec.Calls(); !slices.Equal(got, want) {
		t.Errorf("recorded %q, want %q", got, want)
	}
	if got := rec.Ops(); !slices.Equal(got, []string{"dynamodb:ListTables", "s3:HEAD"}) {
		t.Errorf("ops %q", got)
	}
	t.Run("Attach", func(t *testing.T) { attach(t, s) })
	t.Run("LeadingKeysOfAnyTable", func(t *testing.T) { leadingKeysOfAnyTable(t, s) })
}

// attach: gates attached to s's processes reach the same bucket and close
// without stopping the processes.
func attach(t *testing.T, s *Servers) {
	ctx := context.Background()
	for _, bad := range []string{"", "http://127.0.0.1:1", "ftp://a http://b", "http://127.0.0.1:1 :"} {
		if _, err := Attach(bad); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) {
			t.Errorf("Attach(%q) error = %v, want one naming it", bad, err)
		}
	}
	a, err := Attach(s.Backends())
	if err != nil {
		t.Fatal(err)
	}
	if a.DynamoDBEndpoint == s.DynamoDBEndpoint || a.S3Endpoint == s.S3Endpoint {
		t.Errorf("attached gates %s, %s are the owner's", a.DynamoDBEndpoint, a.S3Endpoint)
	}
	key := "attached/object"
	if _, err := a.S3(nil).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(Bucket), Key: aws.String(key), Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("put through the attached gate: %v", err)
	}
	a.Close()
	if _, err := s.S3(nil).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(Bucket), Key: aws.String(key)}); err != nil {
		t.Errorf("the owner does not see the object after the attached gates closed: %v", err)
	}
	if _, err := a.DynamoDB(nil).ListTables(ctx, &dynamodb.ListTablesInput{}); err == nil {
		t.Error("a closed attached gate still answers")
	}
}

func TestS3ChecksSignatures(t *testing.T) {
	// The presigned-URL tests rely on s3rver refusing bad signatures.
	ctx := context.Background()
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bad := s3.NewFromConfig(s.Config(nil), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(s.S3Endpoint)
		o.UsePathStyle = true
		o.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: "wrong"}, nil
		})
	})
	_, err = bad.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(Bucket)})
	if err == nil {
		t.Fatal("s3rver accepted a request signed with the wrong secret")
	}
}

func TestMissingNodeModules(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/go.mod", []byte("module x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	_, err := Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "make deps") {
		t.Fatalf("Start without node_modules: %v, want a hint to run make deps", err)
	}
}

// TestGatesAnswerAsTheServices checks the errors S3 and DynamoDB give a
// refused signature, in their own formats, and that temporary credentials
// added to Credentials work with their session token only.
func TestGatesAnswerAsTheServices(t *testing.T) {
	ctx := context.Background()
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Credentials.Put(sigv4.Credential{AccessKeyID: "ASIATEMPORARY", SecretAccessKey: "temporary-secret", SessionToken: "the-token",
		Expiration: time.Now().Add(time.Hour), Principal: sigv4.Principal{Admin: true}})
	with := func(key, secret, token string) aws.Config {
		cfg := s.Config(nil)
		cfg.Credentials = credentials.NewStaticCredentialsProvider(key, secret, token)
		cfg.RetryMaxAttempts = 1
		return cfg
	}
	ddb := func(cfg aws.Config) error {
		_, err := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(s.DynamoDBEndpoint) }).
			ListTables(ctx, &dynamodb.ListTablesInput{})
		return err
	}
	list := func(cfg aws.Config) error {
		_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(s.S3Endpoint); o.UsePathStyle = true }).
			ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(Bucket)})
		return err
	}
	tests := []struct {
		name string
		call func(aws.Config) error
		cfg  aws.Config
		code string // "" for success; the API error code otherwise
	}{
		{"DynamoDB, temporary credentials", ddb, with("ASIATEMPORARY", "temporary-secret", "the-token"), ""},
		{"DynamoDB, wrong secret", ddb, with(AccessKeyID, "wrong", ""), "InvalidSignatureException"},
		{"DynamoDB, unknown key", ddb, with("AKIDNOBODY", "x", ""), "UnrecognizedClientException"},
		{"DynamoDB, no session token", ddb, with("ASIATEMPORARY", "temporary-secret", ""), "UnrecognizedClientException"},
		{"S3, temporary credentials", list, with("ASIATEMPORARY", "temporary-secret", "the-token"), ""},
		{"S3, foreign session token", list, with("ASIATEMPORARY", "temporary-secret", "another-token"), "InvalidToken"},
		{"S3, wrong secret", list, with(AccessKeyID, "wrong", ""), "SignatureDoesNotMatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(tt.cfg)
			var apiErr smithy.APIError
			switch {
			case tt.code == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.code != "" && err == nil:
				t.Fatal("accepted")
			case tt.code != "" && (!errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.code):
				t.Fatalf("error %v, want code %s", err, tt.code)
			}
		})
	}

	// Real S3 refuses a presigned PUT that carries an x-amz-* header the
	// signature does not cover.
	presigned, err := s3.NewPresignClient(s.S3(nil)).PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(Bucket), Key: aws.String("uploads/a/1")})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, presigned.URL, strings.NewReader("photo"))
	req.Header.Set("X-Amz-Acl", "public-read")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "<Code>AccessDenied</Code>") ||
		!strings.Contains(string(body), "<HeadersNotSigned>x-amz-acl</HeadersNotSigned>") {
		t.Errorf("presigned PUT with an unsigned x-amz-acl: %d %s", resp.StatusCode, body)
	}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPut, presigned.URL, strings.NewReader("photo"))
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("presigned PUT as signed: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
}
