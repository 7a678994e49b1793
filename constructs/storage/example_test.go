package storage_test

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/storage"
)

// An upload bucket a browser at app.example.com may PUT presigned uploads to.
func ExampleNewBucket() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)

	uploads := storage.NewBucket(stack, "Uploads", &storage.BucketProps{CORSOrigins: []string{"https://app.example.com"}})
	_ = uploads.Bucket // grant with uploads.Bucket.GrantPut(fn, "private/*"), ...

	template := assertions.Template_FromStack(stack, nil)
	for _, r := range *template.FindResources(jsii.String("AWS::S3::Bucket"), nil) {
		bucket := (*r)["Properties"].(map[string]any)
		if bucket["CorsConfiguration"] == nil {
			continue // the access-log bucket
		}
		for _, key := range []string{"PublicAccessBlockConfiguration", "BucketEncryption", "LifecycleConfiguration"} {
			value, _ := json.Marshal(bucket[key])
			fmt.Println(string(value))
		}
		rule := bucket["CorsConfiguration"].(map[string]any)["CorsRules"].([]any)[0]
		origins, _ := json.Marshal(rule.(map[string]any)["AllowedOrigins"])
		fmt.Println(string(origins))
	}
	// Output:
	// {"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":true}
	// {"ServerSideEncryptionConfiguration":[{"ServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}
	// {"Rules":[{"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":1},"Id":"abort-incomplete-uploads","Status":"Enabled"}]}
	// ["https://app.example.com"]
}

// A bucket the team already has is wrapped, not recreated: grants go
// through Bucket as they would for a new one.
func ExampleNewBucket_existing() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)
	existing := awss3.Bucket_FromBucketName(stack, jsii.String("Legacy"), jsii.String("acme-legacy-uploads"))

	uploads := storage.NewBucket(stack, "Uploads", &storage.BucketProps{Existing: existing})

	template := assertions.Template_FromStack(stack, nil)
	fmt.Println(*uploads.Bucket.BucketName(), len(*template.FindResources(jsii.String("AWS::S3::Bucket"), nil)), uploads.AccessLogs == nil)
	// Output: acme-legacy-uploads 0 true
}
