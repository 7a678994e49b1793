package localaws

import (
	"context"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/portcullis-cdk/portcullis/lambdas/schema"
)

func TestServers(t *testing.T) {
	ctx := context.Background()
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pids := []int{}
	for _, p := range s.procs {
		pids = append(pids, p.pid)
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
