package storage_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/storage"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/cdktest"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// An upload bucket a browser at app.example.com may PUT presigned uploads to.
func ExampleNewBucket() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)

	uploads := storage.NewBucket(stack, "Uploads", &storage.BucketProps{CORSOrigins: []string{"https://app.example.com"}})
	_ = uploads.Bucket // grant with uploads.Bucket.GrantPut(fn, "private/*"), ...

	for _, b := range cdktest.Resources(stack, "AWS::S3::Bucket") {
		p := b.Properties
		if p["CorsConfiguration"] == nil {
			continue // the access-log bucket
		}
		fmt.Println(cdktest.JSON(p["PublicAccessBlockConfiguration"]))
		fmt.Println(cdktest.JSON(p["BucketEncryption"]))
		fmt.Println(cdktest.JSON(p["LifecycleConfiguration"]))
		fmt.Println(cdktest.JSON(p["CorsConfiguration"].(map[string]any)["CorsRules"].([]any)[0].(map[string]any)["AllowedOrigins"]))
	}
	// Output:
	// {"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":true}
	// {"ServerSideEncryptionConfiguration":[{"ServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}
	// {"Rules":[{"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":1},"Id":"abort-incomplete-uploads","Status":"Enabled"}]}
	// ["https://app.example.com"]
}

func TestBucketPolicyRequiresTLS(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("S"), nil)
	storage.NewBucket(stack, "B", nil)
	policies := cdktest.Resources(stack, "AWS::S3::BucketPolicy")
	if len(policies) != 2 {
		t.Fatalf("%d bucket policies, want one per bucket", len(policies))
	}
	for id, p := range policies {
		doc := cdktest.JSON(p.Properties["PolicyDocument"])
		if !strings.Contains(doc, `"aws:SecureTransport":"false"`) || !strings.Contains(doc, `"Effect":"Deny"`) {
			t.Errorf("%s does not deny plain HTTP: %s", id, doc)
		}
	}
}

func TestBucketPropsValidate(t *testing.T) {
	for _, c := range []struct {
		props storage.BucketProps
		want  string
	}{
		{storage.BucketProps{CORSOrigins: []string{"https://app.example.com/path"}}, "has no path"},
		{storage.BucketProps{CORSOrigins: []string{"http://app.example.com"}}, "want https"},
		{storage.BucketProps{IncompleteUploadDays: -1}, "IncompleteUploadDays -1"},
	} {
		if err := c.props.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%+v) = %v, want %q", c.props, err, c.want)
		}
	}
}
