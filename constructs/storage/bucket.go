// Package storage provides Bucket, a private S3 bucket for user uploads
// reached only through presigned URLs or per-user IAM grants.
//
// The logical ids of the resources this package makes, and the properties
// whose change would replace a stateful one, stay the same in every release
// that CHANGELOG.md does not mark breaking, so such an upgrade never
// replaces a resource of your stack: testdata/logical-ids.json records them
// and a test fails on any change. A breaking release (a new major version;
// before v1, a new minor) names each resource it changes.
//
// # Examples
//
// NewBucket:
// An upload bucket a browser at app.example.com may PUT presigned uploads to.
//
//	app := awscdk.NewApp(nil)
//	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)
//
//	uploads := storage.NewBucket(stack, "Uploads", &storage.BucketProps{CORSOrigins: []string{"https://app.example.com"}})
//	_ = uploads.Bucket // grant with uploads.Bucket.GrantPut(fn, "private/*"), ...
//
//	template := assertions.Template_FromStack(stack, nil)
//	for _, r := range *template.FindResources(jsii.String("AWS::S3::Bucket"), nil) {
//		bucket := (*r)["Properties"].(map[string]any)
//		if bucket["CorsConfiguration"] == nil {
//			continue // the access-log bucket
//		}
//		for _, key := range []string{"PublicAccessBlockConfiguration", "BucketEncryption", "LifecycleConfiguration"} {
//			value, _ := json.Marshal(bucket[key])
//			fmt.Println(string(value))
//		}
//		rule := bucket["CorsConfiguration"].(map[string]any)["CorsRules"].([]any)[0]
//		origins, _ := json.Marshal(rule.(map[string]any)["AllowedOrigins"])
//		fmt.Println(string(origins))
//	}
//	// Output:
//	// {"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":true}
//	// {"ServerSideEncryptionConfiguration":[{"ServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}
//	// {"Rules":[{"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":1},"Id":"abort-incomplete-uploads","Status":"Enabled"}]}
//	// ["https://app.example.com"]
//
// NewBucket (existing):
// A bucket the team already has is wrapped, not recreated: grants go
// through Bucket as they would for a new one.
//
//	app := awscdk.NewApp(nil)
//	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)
//	existing := awss3.Bucket_FromBucketName(stack, jsii.String("Legacy"), jsii.String("acme-legacy-uploads"))
//
//	uploads := storage.NewBucket(stack, "Uploads", &storage.BucketProps{Existing: existing})
//
//	template := assertions.Template_FromStack(stack, nil)
//	fmt.Println(*uploads.Bucket.BucketName(), len(*template.FindResources(jsii.String("AWS::S3::Bucket"), nil)), uploads.AccessLogs == nil)
//	// Output: acme-legacy-uploads 0 true
package storage

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/internal/nag"
	"github.com/portcullis-cdk/portcullis/constructs/internal/override"
	"github.com/portcullis-cdk/portcullis/constructs/internal/weburl"
)

const accessLogPrefix = "access/"

// The CORS rule of a bucket with CORSOrigins, exported for a caller that
// sets the same rule after the bucket exists (an origin not known when
// the bucket is created): browsers may PUT (presigned uploads), GET and
// HEAD, send Content-Type and x-amz-server-side-encryption (the presigned
// PUT may sign both) and read ETag.
var (
	CORSMethods        = []string{"PUT", "GET", "HEAD"}
	CORSAllowedHeaders = []string{"content-type", "x-amz-server-side-encryption"}
	CORSExposedHeaders = []string{"etag"}
	CORSMaxAgeSeconds  = 600.0
)

// BucketProps configures a Bucket: either Existing, or the props of a new one.
type BucketProps struct {
	// Existing is a bucket made elsewhere, used as it is. Default: none (a
	// new bucket and its access-log bucket are created). When set, no other
	// prop may be.
	Existing awss3.IBucket
	// CORSOrigins may PUT (presigned uploads) and GET from a browser.
	// Default: none, so browsers cannot upload directly.
	CORSOrigins []string
	// IncompleteUploadDays after which unfinished multipart uploads are
	// aborted (they are billed but invisible). Default: 1.
	IncompleteUploadDays int
	// AccessLogDays is how long server access logs are kept. Default: 90.
	AccessLogDays int
	// Expirations delete objects under a key prefix some days after they
	// are written, e.g. uploads nobody completed. Default: none.
	Expirations []Expiration
	// Ephemeral buckets are emptied and deleted with the stack. Default:
	// false (RETAIN: the objects outlive the stack).
	Ephemeral bool
	// BucketOverrides are L2 props the construct does not set itself (for
	// example Versioned or EventBridgeEnabled), merged into the ones it makes: the escape hatch
	// for what it does not decide. Setting one it does set panics, naming
	// it. Default: nil.
	BucketOverrides *awss3.BucketProps
}

// Expiration deletes the objects under Prefix Days after their creation.
type Expiration struct {
	Prefix string
	Days   int
}

// Bucket is a private bucket: public access blocked, TLS required,
// server-side encryption, ACLs disabled, server access logs kept.
type Bucket struct {
	// Construct groups the resources below; pass it where a scope is wanted.
	Construct constructs.Construct
	// Bucket is the new or the existing bucket.
	Bucket awss3.IBucket
	// Created is the new bucket (the same as Bucket); nil with Existing.
	Created awss3.Bucket
	// AccessLogs receives the bucket's server access logs; nil for Existing.
	AccessLogs awss3.Bucket
}

// Validate reports every problem with the props.
func (p *BucketProps) Validate() error {
	var errs []error
	if p.Existing != nil && (p.CORSOrigins != nil || p.IncompleteUploadDays != 0 || p.AccessLogDays != 0 || p.Expirations != nil || p.Ephemeral || p.BucketOverrides != nil) {
		return errors.New("Existing is set: give either an existing bucket or the props of a new one, not both")
	}
	for _, o := range p.CORSOrigins {
		if err := weburl.ValidateOrigin(o); err != nil {
			errs = append(errs, fmt.Errorf("CORSOrigins: %w", err))
		}
	}
	if p.IncompleteUploadDays < 0 {
		errs = append(errs, fmt.Errorf("IncompleteUploadDays %d: want a positive number", p.IncompleteUploadDays))
	}
	if p.AccessLogDays < 0 {
		errs = append(errs, fmt.Errorf("AccessLogDays %d: want a positive number", p.AccessLogDays))
	}
	for _, e := range p.Expirations {
		if e.Prefix == "" || e.Days < 1 {
			errs = append(errs, fmt.Errorf("expiration %+v: want a key prefix and at least one day (an empty prefix would expire every object)", e))
		}
	}
	return errors.Join(errs...)
}

// NewBucket creates the bucket, or wraps props.Existing. It panics if props
// do not validate; call props.Validate first to handle the error.
func NewBucket(scope constructs.Construct, id string, props *BucketProps) *Bucket {
	if props == nil {
		props = &BucketProps{}
	}
	if err := props.Validate(); err != nil {
		panic(fmt.Errorf("storage.NewBucket %q: %w", id, err))
	}
	this := constructs.NewConstruct(scope, jsii.String(id))
	if props.Existing != nil {
		return &Bucket{Construct: this, Bucket: props.Existing}
	}
	p := *props
	if p.IncompleteUploadDays == 0 {
		p.IncompleteUploadDays = 1
	}
	if p.AccessLogDays == 0 {
		p.AccessLogDays = 90
	}
	removal := awscdk.RemovalPolicy_RETAIN
	if p.Ephemeral {
		removal = awscdk.RemovalPolicy_DESTROY
	}
	private := func(id string, extra, overrides *awss3.BucketProps) awss3.Bucket {
		extra.BlockPublicAccess = awss3.BlockPublicAccess_BLOCK_ALL()
		extra.Encryption = awss3.BucketEncryption_S3_MANAGED
		extra.EnforceSSL = jsii.Bool(true)
		extra.MinimumTLSVersion = jsii.Number(1.2)
		extra.ObjectOwnership = awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED
		extra.RemovalPolicy = removal
		// Without it CloudFormation cannot delete a bucket that holds objects.
		extra.AutoDeleteObjects = jsii.Bool(p.Ephemeral)
		if err := override.Merge(extra, overrides); err != nil {
			panic(fmt.Errorf("storage.NewBucket: BucketOverrides: %w", err))
		}
		return awss3.NewBucket(this, jsii.String(id), extra)
	}

	logs := private("AccessLogs", &awss3.BucketProps{
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:         jsii.String("expire-access-logs"),
			Expiration: awscdk.Duration_Days(jsii.Number(float64(p.AccessLogDays))),
		}},
	}, nil)
	nag.Suppress(logs, []nag.Suppression{{
		ID:     "AwsSolutions-S1",
		Reason: "This is the server access log bucket of the data bucket; logging its own access would log every log delivery, endlessly.",
	}}, false)

	bucket := private("Bucket", &awss3.BucketProps{Cors: corsRules(p), LifecycleRules: lifecycleRules(p)}, p.BucketOverrides)
	// Log delivery by bucket policy, set here rather than through
	// ServerAccessLogsBucket, whose ACL-or-policy choice depends on a feature
	// flag of the app this construct is used in.
	bucket.Node().DefaultChild().(awss3.CfnBucket).SetLoggingConfiguration(&awss3.CfnBucket_LoggingConfigurationProperty{
		DestinationBucketName: logs.BucketName(),
		LogFilePrefix:         jsii.String(accessLogPrefix),
	})
	logs.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logging.s3.amazonaws.com"), nil)},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  &[]*string{logs.ArnForObjects(jsii.String(accessLogPrefix + "*"))},
		Conditions: &map[string]any{
			"ArnLike":      map[string]any{"aws:SourceArn": bucket.BucketArn()},
			"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Stack_Of(this).Account()},
		},
	}))
	return &Bucket{Construct: this, Bucket: bucket, Created: bucket, AccessLogs: logs}
}

// corsRules let browsers at CORSOrigins use presigned URLs; nil without any.
func corsRules(p BucketProps) *[]*awss3.CorsRule {
	if len(p.CORSOrigins) == 0 {
		return nil
	}
	methods := make([]awss3.HttpMethods, len(CORSMethods))
	for i, m := range CORSMethods {
		methods[i] = awss3.HttpMethods(m)
	}
	return &[]*awss3.CorsRule{{
		AllowedMethods: &methods,
		AllowedOrigins: jsii.Strings(p.CORSOrigins...),
		AllowedHeaders: jsii.Strings(CORSAllowedHeaders...),
		ExposedHeaders: jsii.Strings(CORSExposedHeaders...),
		MaxAge:         jsii.Number(CORSMaxAgeSeconds),
	}}
}

// lifecycleRules abort incomplete multipart uploads and expire the
// Expirations' prefixes.
func lifecycleRules(p BucketProps) *[]*awss3.LifecycleRule {
	rules := []*awss3.LifecycleRule{{
		Id:                                  jsii.String("abort-incomplete-uploads"),
		AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(float64(p.IncompleteUploadDays))),
	}}
	for _, e := range p.Expirations {
		rules = append(rules, &awss3.LifecycleRule{
			Id:         jsii.String("expire-" + strings.Trim(e.Prefix, "/")),
			Prefix:     jsii.String(e.Prefix),
			Expiration: awscdk.Duration_Days(jsii.Number(float64(e.Days))),
		})
	}
	return &rules
}
