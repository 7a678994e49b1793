// Package edge provides Edge: one CloudFront distribution that serves a
// single-page app from a private S3 bucket and an HTTP API under /api/* on
// the same origin, with security headers, TLS 1.2, access logs and the
// app's files (and its generated runtime config) deployed with the stack.
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
// NewEdge:
// An app and its API on one origin, with a custom domain: viewers need TLS
// 1.2, the API is under /api/*, and the CSP lets the app reach one more
// origin.
//
//	app := awscdk.NewApp(nil)
//	stack := awscdk.NewStack(app, jsii.String("Web"), nil)
//	api := awsapigatewayv2.NewHttpApi(stack, jsii.String("Api"), nil)
//	cert := awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("Cert"),
//		jsii.String("arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"))
//
//	e := edge.NewEdge(stack, "Edge", &edge.Props{
//		API:            api,
//		ConnectSources: []*string{jsii.String("https://auth.example.com")},
//		DomainName:     "app.example.com",
//		Certificate:    cert,
//		JSONFiles:      map[string]any{"config.json": map[string]any{"apiPath": edge.APIPath}},
//	})
//	_ = e.Distribution // e.URL() is https://app.example.com
//
//	template := assertions.Template_FromStack(stack, nil)
//	for _, r := range *template.FindResources(jsii.String("AWS::CloudFront::Distribution"), nil) {
//		config := (*r)["Properties"].(map[string]any)["DistributionConfig"].(map[string]any)
//		fmt.Println(config["ViewerCertificate"].(map[string]any)["MinimumProtocolVersion"])
//		fmt.Println(config["CacheBehaviors"].([]any)[0].(map[string]any)["PathPattern"])
//		fmt.Println(config["HttpVersion"])
//	}
//	for _, r := range *template.FindResources(jsii.String("AWS::CloudFront::ResponseHeadersPolicy"), nil) {
//		headers := (*r)["Properties"].(map[string]any)["ResponseHeadersPolicyConfig"].(map[string]any)["SecurityHeadersConfig"]
//		csp, _ := json.Marshal(headers.(map[string]any)["ContentSecurityPolicy"])
//		fmt.Println(strings.Contains(string(csp), "connect-src 'self' https://auth.example.com;"))
//	}
//	// Output:
//	// TLSv1.2_2021
//	// /api/*
//	// http2and3
//	// true
package edge

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3deployment"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/golambda"
	"github.com/portcullis-cdk/portcullis/constructs/internal/nag"
)

// APIPath is the path prefix the API is served under on the app's origin.
// The prefix is removed before the request reaches the API (a CloudFront
// Function), so the API's routes stay as they are: GET /api/todos reaches
// the API's GET /todos.
const APIPath = "/api"

// Props configures an Edge.
type Props struct {
	// API is the HTTP API served under APIPath+"/*". Required.
	API awsapigatewayv2.IHttpApi
	// APIHost is the host the distribution sends API requests to: the
	// API's custom domain where its execute-api endpoint is disabled.
	// Default: the API's execute-api host.
	APIHost *string
	// ConnectSources are the origins, besides the app's own, the app may
	// fetch from (the CSP's connect-src): the Cognito-hosted domain, the
	// Cognito APIs, the photo bucket's presigned-URL host. Each is an
	// https origin, or a token (a resource's attribute) resolving to one.
	// Default: none, the app's own origin only.
	ConnectSources []*string
	// ImageSources are the origins, besides the app's own and data: URLs,
	// images may load from (the CSP's img-src), e.g. presigned GETs.
	// Default: none.
	ImageSources []*string
	// DomainName is the app's custom domain, e.g. "app.example.com", with
	// Certificate, an ACM certificate for it in us-east-1. Viewers then need
	// TLS 1.2 (TLSv1.2_2021). Default: none, the distribution's own
	// *.cloudfront.net name, where CloudFront allows TLSv1 (see README).
	DomainName  string
	Certificate awscertificatemanager.ICertificate
	// WebACLID is the ARN of an AWS WAF web ACL (CLOUDFRONT scope, made in
	// us-east-1) to attach. Default: none.
	WebACLID string
	// Sources are the app's files, deployed to the bucket's root, e.g.
	// awss3deployment.Source_Asset(dir). Default: none.
	Sources []awss3deployment.ISource
	// JSONFiles are JSON documents deployed next to the Sources, by key
	// ("config.json"); values may hold tokens, which CloudFormation
	// resolves at deploy time, so one build serves every stage. Default:
	// none.
	JSONFiles map[string]any
	// LogDays is how long access logs and the deployment's own logs are
	// kept; a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90,
	// ...). Default: 90.
	LogDays int
	// Ephemeral buckets are emptied and deleted with the stack. Default:
	// false (RETAIN).
	Ephemeral bool
}

var (
	hostName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	source   = regexp.MustCompile(`^https://([a-z0-9*]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:[0-9]{1,5})?$`)
	jsonKey  = regexp.MustCompile(`^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$`)
)

// Validate reports every problem with the props.
func (p *Props) Validate() error {
	var errs []error
	if p.API == nil {
		errs = append(errs, errors.New("API: required"))
	}
	for _, list := range []struct {
		field string
		srcs  []*string
	}{{"ConnectSources", p.ConnectSources}, {"ImageSources", p.ImageSources}} {
		for _, s := range list.srcs {
			switch {
			case s == nil:
				errs = append(errs, fmt.Errorf("%s: nil source", list.field))
			case *awscdk.Token_IsUnresolved(s):
			case !source.MatchString(*s):
				errs = append(errs, fmt.Errorf("%s %q: want an https origin such as https://example.com", list.field, *s))
			}
		}
	}
	if (p.DomainName == "") != (p.Certificate == nil) {
		errs = append(errs, fmt.Errorf("DomainName %q and Certificate: give both or neither", p.DomainName))
	}
	if p.DomainName != "" && !hostName.MatchString(p.DomainName) {
		errs = append(errs, fmt.Errorf("DomainName %q: want a lower-case host name such as app.example.com", p.DomainName))
	}
	if p.WebACLID != "" && !strings.HasPrefix(p.WebACLID, "arn:") {
		errs = append(errs, fmt.Errorf("WebACLID %q: want the web ACL's ARN (WAFv2)", p.WebACLID))
	}
	for k := range p.JSONFiles {
		if !jsonKey.MatchString(k) {
			errs = append(errs, fmt.Errorf("JSONFiles key %q: want a relative object key such as config.json", k))
		}
	}
	if p.LogDays != 0 {
		if _, err := golambda.RetentionDays(p.LogDays); err != nil {
			errs = append(errs, fmt.Errorf("LogDays: %w", err))
		}
	}
	return errors.Join(errs...)
}

// Edge is the distribution and what serves it.
type Edge struct {
	// Construct groups the resources below; pass it where a scope is wanted.
	Construct constructs.Construct
	// Distribution serves the app and the API.
	Distribution awscloudfront.Distribution
	// Site is the private bucket of the app's files (Origin Access Control:
	// only this distribution may read it).
	Site awss3.Bucket
	// Logs receives the distribution's access logs (under cloudfront/) and
	// the site bucket's server access logs (under s3/).
	Logs awss3.Bucket
	// Headers is the response headers policy of every behaviour.
	Headers awscloudfront.ResponseHeadersPolicy
	// SPARouting rewrites the app's client routes to /index.html;
	// StripAPIPrefix removes APIPath before the API sees the request.
	SPARouting, StripAPIPrefix awscloudfront.Function
	// Deployment copies Sources and JSONFiles to Site; nil without any.
	Deployment awss3deployment.BucketDeployment

	domain string
}

// URL is the app's origin: "https://" and the custom domain, or the
// distribution's own domain name (a token).
func (e *Edge) URL() *string {
	return awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://"), e.DomainName()})
}

// DomainName is the custom domain, or the distribution's domain name.
func (e *Edge) DomainName() *string {
	if e.domain != "" {
		return jsii.String(e.domain)
	}
	return e.Distribution.DistributionDomainName()
}

// CSP is the Content-Security-Policy the headers policy sends, built from
// the props' sources (which may be tokens). default-src 'self' and no
// 'unsafe-inline' anywhere: the app's scripts and styles are files.
func CSP(connect, images []*string) *string {
	part := func(s string) *string { return jsii.String(s) }
	parts := []*string{part("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:")}
	for _, s := range images {
		parts = append(parts, part(" "), s)
	}
	parts = append(parts, part("; connect-src 'self'"))
	for _, s := range connect {
		parts = append(parts, part(" "), s)
	}
	parts = append(parts, part("; font-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"))
	return awscdk.Fn_Join(jsii.String(""), &parts)
}

// The viewer-request functions (cloudfront-js-2.0). spaRouting sends a path
// whose last segment has no extension (/todos, /callback) to the app's
// index.html; a path with one (/app.js, /missing.png) goes to the bucket
// as it is, so a missing asset stays an error, not the app's page.
var (
	spaRoutingCode = `function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}`
	stripPrefixCode = `function handler(event) {
  var request = event.request;
  request.uri = request.uri.substring(` + strconv.Itoa(len(APIPath)) + `) || '/';
  return request;
}`
)

// NewEdge creates the distribution, its buckets, policies and functions. It
// panics if props do not validate; call props.Validate first to handle the
// error.
func NewEdge(scope constructs.Construct, id string, props *Props) *Edge {
	if props == nil {
		props = &Props{}
	}
	if err := props.Validate(); err != nil {
		panic(fmt.Errorf("edge.NewEdge %q: %w", id, err))
	}
	p := *props
	if p.LogDays == 0 {
		p.LogDays = 90
	}
	this := constructs.NewConstruct(scope, jsii.String(id))
	e := &Edge{Construct: this, domain: p.DomainName}
	removal := awscdk.RemovalPolicy_RETAIN
	if p.Ephemeral {
		removal = awscdk.RemovalPolicy_DESTROY
	}
	e.addBuckets(p, removal)
	e.addHeaders(p)
	e.addFunctions()
	e.addDistribution(p)
	e.addDeployment(p, removal)
	return e
}

// addBuckets makes the access-log bucket and the private site bucket, which
// logs its access into it.
func (e *Edge) addBuckets(p Props, removal awscdk.RemovalPolicy) {
	this := e.Construct
	// CloudFront standard logs are delivered with an ACL grant to the
	// awslogsdelivery account, so this bucket keeps ACLs (bucket owner
	// preferred); public access stays blocked.
	e.Logs = awss3.NewBucket(this, jsii.String("Logs"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(1.2),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_PREFERRED,
		RemovalPolicy:     removal,
		AutoDeleteObjects: jsii.Bool(p.Ephemeral),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:         jsii.String("expire-access-logs"),
			Expiration: awscdk.Duration_Days(jsii.Number(float64(p.LogDays))),
		}},
	})
	nag.Suppress(e.Logs, []nag.Suppression{{
		ID:     "AwsSolutions-S1",
		Reason: "This is the access log bucket of the distribution and the site bucket; logging its own access would log every log delivery, endlessly.",
	}}, false)

	e.Site = awss3.NewBucket(this, jsii.String("Site"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(1.2),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		RemovalPolicy:     removal,
		AutoDeleteObjects: jsii.Bool(p.Ephemeral),
	})
	// Server access logs by bucket policy (as storage.Bucket does), not
	// through ServerAccessLogsBucket, whose ACL-or-policy choice depends on
	// a feature flag of the app.
	e.Site.Node().DefaultChild().(awss3.CfnBucket).SetLoggingConfiguration(&awss3.CfnBucket_LoggingConfigurationProperty{
		DestinationBucketName: e.Logs.BucketName(),
		LogFilePrefix:         jsii.String("s3/"),
	})
	e.Logs.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logging.s3.amazonaws.com"), nil)},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  &[]*string{e.Logs.ArnForObjects(jsii.String("s3/*"))},
		Conditions: &map[string]any{
			"ArnLike":      map[string]any{"aws:SourceArn": e.Site.BucketArn()},
			"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Stack_Of(this).Account()},
		},
	}))
}

// addHeaders makes the response headers policy of every behaviour.
func (e *Edge) addHeaders(p Props) {
	this := e.Construct
	e.Headers = awscloudfront.NewResponseHeadersPolicy(this, jsii.String("Headers"), &awscloudfront.ResponseHeadersPolicyProps{
		Comment: jsii.String("Security headers of the app and its API"),
		SecurityHeadersBehavior: &awscloudfront.ResponseSecurityHeadersBehavior{
			ContentSecurityPolicy: &awscloudfront.ResponseHeadersContentSecurityPolicy{
				ContentSecurityPolicy: CSP(p.ConnectSources, p.ImageSources),
				Override:              jsii.Bool(true),
			},
			StrictTransportSecurity: &awscloudfront.ResponseHeadersStrictTransportSecurity{
				AccessControlMaxAge: awscdk.Duration_Days(jsii.Number(730)),
				IncludeSubdomains:   jsii.Bool(true),
				Override:            jsii.Bool(true),
			},
			ContentTypeOptions: &awscloudfront.ResponseHeadersContentTypeOptions{Override: jsii.Bool(true)},
			FrameOptions: &awscloudfront.ResponseHeadersFrameOptions{
				FrameOption: awscloudfront.HeadersFrameOption_DENY,
				Override:    jsii.Bool(true),
			},
			ReferrerPolicy: &awscloudfront.ResponseHeadersReferrerPolicy{
				ReferrerPolicy: awscloudfront.HeadersReferrerPolicy_NO_REFERRER,
				Override:       jsii.Bool(true),
			},
		},
	})
}

// addFunctions makes the CloudFront Functions of the two behaviours.
func (e *Edge) addFunctions() {
	this := e.Construct
	function := func(id, comment, code string) awscloudfront.Function {
		return awscloudfront.NewFunction(this, jsii.String(id), &awscloudfront.FunctionProps{
			Code:    awscloudfront.FunctionCode_FromInline(jsii.String(code)),
			Comment: jsii.String(comment),
			Runtime: awscloudfront.FunctionRuntime_JS_2_0(),
		})
	}
	e.SPARouting = function("SPARouting", "Client routes (no file extension) get the app's index.html", spaRoutingCode)
	e.StripAPIPrefix = function("StripAPIPrefix", "Removes "+APIPath+" before the request reaches the API", stripPrefixCode)
}

// addDistribution puts the site bucket (through Origin Access Control) and
// the API under APIPath behind one distribution.
func (e *Edge) addDistribution(p Props) {
	this := e.Construct
	// The API's host: its endpoint is https://<id>.execute-api.<region>.amazonaws.com.
	apiHost := p.APIHost
	if apiHost == nil {
		apiHost = awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), p.API.ApiEndpoint(), nil))
	}
	apiBehavior := &awscloudfront.BehaviorOptions{
		Origin: awscloudfrontorigins.NewHttpOrigin(apiHost, &awscloudfrontorigins.HttpOriginProps{
			ProtocolPolicy:     awscloudfront.OriginProtocolPolicy_HTTPS_ONLY,
			OriginSslProtocols: &[]awscloudfront.OriginSslPolicy{awscloudfront.OriginSslPolicy_TLS_V1_2},
		}),
		ViewerProtocolPolicy: awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
		AllowedMethods:       awscloudfront.AllowedMethods_ALLOW_ALL(),
		CachePolicy:          awscloudfront.CachePolicy_CACHING_DISABLED(),
		// Every viewer header (Authorization among them), cookie and query
		// string, except Host: API Gateway routes by its own host name.
		OriginRequestPolicy:   awscloudfront.OriginRequestPolicy_ALL_VIEWER_EXCEPT_HOST_HEADER(),
		ResponseHeadersPolicy: e.Headers,
		Compress:              jsii.Bool(true),
		FunctionAssociations: &[]*awscloudfront.FunctionAssociation{{
			EventType: awscloudfront.FunctionEventType_VIEWER_REQUEST,
			Function:  e.StripAPIPrefix,
		}},
	}

	dp := &awscloudfront.DistributionProps{
		Comment: jsii.String(*awscdk.Stack_Of(this).StackName() + " app and API"),
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			Origin:                awscloudfrontorigins.S3BucketOrigin_WithOriginAccessControl(e.Site, nil),
			ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
			AllowedMethods:        awscloudfront.AllowedMethods_ALLOW_GET_HEAD(),
			CachePolicy:           awscloudfront.CachePolicy_CACHING_OPTIMIZED(),
			ResponseHeadersPolicy: e.Headers,
			Compress:              jsii.Bool(true),
			FunctionAssociations: &[]*awscloudfront.FunctionAssociation{{
				EventType: awscloudfront.FunctionEventType_VIEWER_REQUEST,
				Function:  e.SPARouting,
			}},
		},
		AdditionalBehaviors: &map[string]*awscloudfront.BehaviorOptions{APIPath + "/*": apiBehavior},
		DefaultRootObject:   jsii.String("index.html"),
		HttpVersion:         awscloudfront.HttpVersion_HTTP2_AND_3,
		PriceClass:          awscloudfront.PriceClass_PRICE_CLASS_100,
		EnableIpv6:          jsii.Bool(true),
		EnableLogging:       jsii.Bool(true),
		LogBucket:           e.Logs,
		LogFilePrefix:       jsii.String("cloudfront/"),
	}
	if p.DomainName != "" {
		dp.DomainNames = jsii.Strings(p.DomainName)
		dp.Certificate = p.Certificate
		dp.MinimumProtocolVersion = awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2021
		dp.SslSupportMethod = awscloudfront.SSLMethod_SNI
	}
	if p.WebACLID != "" {
		dp.WebAclId = jsii.String(p.WebACLID)
	}
	e.Distribution = awscloudfront.NewDistribution(this, jsii.String("Distribution"), dp)
	suppressDistributionFindings(e, p)
}

// suppressDistributionFindings accepts the distribution's findings that
// hold by design or by the props (no WAF ACL, no custom domain).
func suppressDistributionFindings(e *Edge, p Props) {
	exempt := []nag.Suppression{{
		ID: "AwsSolutions-CFR1",
		Reason: "The app serves its users wherever they are; sign-in and the API authenticate every request, " +
			"so there is no country to restrict by law or licence.",
	}}
	if p.WebACLID == "" {
		exempt = append(exempt, nag.Suppression{
			ID: "AwsSolutions-CFR2",
			Reason: "No WAF web ACL is attached (WebACLID unset): the site is static files, the API throttles per stage " +
				"and authorizes every route, and Cognito rate-limits sign-in; attach a CLOUDFRONT-scope web ACL through WebACLID where required.",
		})
	}
	if p.DomainName == "" {
		exempt = append(exempt, nag.Suppression{
			ID: "AwsSolutions-CFR4",
			Reason: "No custom domain is configured, so the distribution uses the default *.cloudfront.net certificate, " +
				"with which CloudFront fixes the viewer policy at TLSv1 whatever is asked; browsers negotiate TLS 1.2 or 1.3 anyway. " +
				"With DomainName and Certificate set the minimum is TLSv1.2_2021 and this suppression is not added.",
		})
	}
	nag.Suppress(e.Distribution, exempt, false)
}

// addDeployment copies Sources and JSONFiles to the site bucket, if any.
func (e *Edge) addDeployment(p Props, removal awscdk.RemovalPolicy) {
	this := e.Construct
	var sources []awss3deployment.ISource
	sources = append(sources, p.Sources...)
	keys := make([]string, 0, len(p.JSONFiles))
	for k := range p.JSONFiles {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		sources = append(sources, awss3deployment.Source_JsonData(jsii.String(k), p.JSONFiles[k], nil))
	}
	if len(sources) > 0 {
		retention, _ := golambda.RetentionDays(p.LogDays)
		logs := awslogs.NewLogGroup(this, jsii.String("DeployLogs"), &awslogs.LogGroupProps{
			Retention:     retention,
			RemovalPolicy: removal,
		})
		e.Deployment = awss3deployment.NewBucketDeployment(this, jsii.String("Deploy"), &awss3deployment.BucketDeploymentProps{
			DestinationBucket: e.Site,
			Sources:           &sources,
			// The app's shell, its config and its bundles are small and
			// change together: browsers revalidate each (ETag), and the
			// deployment invalidates the distribution's copies.
			CacheControl:      &[]awss3deployment.CacheControl{awss3deployment.CacheControl_NoCache()},
			Distribution:      e.Distribution,
			DistributionPaths: jsii.Strings("/*"),
			Prune:             jsii.Bool(true),
			MemoryLimit:       jsii.Number(512),
			LogGroup:          logs,
		})
		suppressDeploymentFindings(e)
	}
}

// suppressDeploymentFindings accepts the findings on the CDK's deployment
// handler (a singleton function of the stack, whose role the deployment
// grants to), each by its exact finding.
func suppressDeploymentFindings(e *Edge) {
	stack := awscdk.Stack_Of(e.Construct)
	site := *stack.GetLogicalId(e.Site.Node().DefaultChild().(awscdk.CfnElement))
	// The asset bucket's name holds the qualifier of the bootstrap the
	// stack deploys through (its synthesizer's), which a construct cannot
	// read back, so the finding is named by its shape: that bucket, any
	// qualifier `cdk bootstrap` accepts.
	assets := nag.Regex(`/^Resource::arn:<AWS::Partition>:s3:::cdk-[A-Za-z0-9_-]{1,10}-assets-<AWS::AccountId>-<AWS::Region>\/\*$/`)
	handler := e.Deployment.HandlerRole().Node().Scope()
	nag.Suppress(handler, []nag.Suppression{
		{
			ID:        "AwsSolutions-IAM4",
			AppliesTo: []any{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
			Reason: "The CDK's bucket deployment handler writes its own CloudWatch Logs with the AWS managed basic execution policy, " +
				"which grants nothing beyond creating its log group and stream and putting events.",
		},
		{
			ID: "AwsSolutions-IAM5",
			AppliesTo: []any{"Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*", "Action::s3:DeleteObject*", "Action::s3:Abort*",
				assets, "Resource::<" + site + ".Arn>/*"},
			Reason: "The deployment handler reads the app's asset zip from the CDK asset bucket and replaces every object of the site bucket " +
				"(pruning removed files), so it reads and writes objects by prefix; the wildcards are the CDK's grantRead/grantReadWrite " +
				"action groups on exactly these two buckets.",
		},
		{
			ID:        "AwsSolutions-IAM5",
			AppliesTo: []any{"Resource::*"},
			Reason: "cloudfront:CreateInvalidation and cloudfront:GetInvalidation, so each deployment clears the distribution's cached copies " +
				"of the replaced files; the CDK grants them on * to its deployment handler, which one stack shares between all its deployments.",
		},
		{
			ID: "AwsSolutions-L1",
			Reason: "The CDK's bucket deployment handler runs on the Python runtime the pinned aws-cdk-lib version ships it for " +
				"(its AWS CLI layer is built for it); it moves to a newer runtime with the CDK upgrade, not by configuration.",
		},
	}, true)
}
