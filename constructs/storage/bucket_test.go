package storage_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/internal/cdktest"
	"github.com/portcullis-cdk/portcullis/constructs/storage"
)

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
