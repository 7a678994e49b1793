package stage

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3deployment"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/portcullis-cdk/portcullis/constructs/edge"
	"github.com/portcullis-cdk/portcullis/constructs/golambda"
	"github.com/portcullis-cdk/portcullis/constructs/storage"
	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/contract/webconfig"
	"github.com/portcullis-cdk/portcullis/web"
)

// Web is a stage's distribution: its custom domain, if any.
type Web struct {
	// Domain is the app's host name, e.g. "app.example.com", served with
	// CertificateARN, an ACM certificate in us-east-1 covering it; viewers
	// then need TLS 1.2. The SPA client's callback and logout URLs and the
	// API's and the photo bucket's CORS origins include https://<Domain>.
	// Default: none, the distribution's own *.cloudfront.net name (see
	// addEdge for how that one is registered).
	Domain         string
	CertificateARN string
	// With a Domain, the API is reached only through the distribution:
	// it answers on its own custom domain, APIDomain, with
	// APICertificateARN (an ACM certificate for it in the stage's region),
	// and its execute-api endpoint is disabled. Identity-pool callers sign
	// their /iam requests for that domain. Point APIDomain's DNS at the
	// domain name's regional target (the ApiDomain resource). Default for
	// APIDomain: "api." + Domain; APICertificateARN is required with a
	// Domain.
	APIDomain         string
	APICertificateARN string
	// WebACLARN attaches an AWS WAF web ACL (CLOUDFRONT scope). Default: none.
	WebACLARN string
}

// apiDomain is the API's custom domain, or "" without a Domain.
func (w Web) apiDomain() string {
	switch {
	case w.Domain == "":
		return ""
	case w.APIDomain != "":
		return w.APIDomain
	}
	return "api." + w.Domain
}

// appOrigin is the origin the stage's config names for the app, or "".
func (c Config) appOrigin() string {
	if c.Web.Domain == "" {
		return ""
	}
	return "https://" + c.Web.Domain
}

// addEdge serves the app and the API on one origin (constructs/edge) and
// deploys the app's runtime config next to its files.
//
// The app's own URL reaches the SPA client's callback and logout URLs
// without a circular dependency either way: with Web.Domain it is a plain
// string from the config (also in the API's and the photo bucket's CORS
// origins, through Config.Origins); without one it is the distribution's
// domain name, which the SPA client may reference (the client feeds
// nothing the distribution needs), and so may the pool, whose passkey
// relying party it is (the CSP spells the hosted UI from its prefix). The
// API needs no CORS for its own origin (the app calls /api on the origin
// it was loaded from).
func (s *Stack) addEdge() error {
	cfg := s.Config
	region := s.Stack.Region()
	regional := func(service string) *string {
		return awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://" + service + "."), region, jsii.String("."), s.Stack.UrlSuffix()})
	}
	userPoolAPI, identityAPI := regional("cognito-idp"), regional("cognito-identity")
	// The photos function presigns virtual-hosted-style URLs:
	// https://<bucket>.s3.<region>.amazonaws.com/<key>.
	photos := awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://"), s.Photos.Bucket.BucketRegionalDomainName()})
	// Spelled from the prefix, not the domain resource, so the distribution
	// does not depend on the pool, which names the distribution's domain
	// as its passkey relying party.
	cspHostedUI := awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://" + cfg.domainPrefix() + ".auth."), region, jsii.String(".amazoncognito.com")})
	hostedUI := s.Users.Domain.BaseUrl(nil)

	props := &edge.Props{
		API:            s.API.API,
		APIHost:        s.apiHost(),
		ConnectSources: []*string{cspHostedUI, userPoolAPI, identityAPI, photos},
		ImageSources:   []*string{photos},
		DomainName:     cfg.Web.Domain,
		WebACLID:       cfg.Web.WebACLARN,
		JSONFiles:      map[string]any{webconfig.File: s.webConfig(hostedUI, userPoolAPI, identityAPI)},
		LogDays:        cfg.LogRetentionDays,
		Ephemeral:      s.ephemeral(),
	}
	if cfg.Web.CertificateARN != "" {
		props.Certificate = awscertificatemanager.Certificate_FromCertificateArn(s.Stack, jsii.String("Certificate"), jsii.String(cfg.Web.CertificateARN))
	}
	site, err := siteSource(s.Stack)
	if err != nil {
		return err
	}
	props.Sources = []awss3deployment.ISource{site}
	s.Edge = edge.NewEdge(s.Stack, "Edge", props)

	spa := s.Clients.SPA.Node().DefaultChild().(awscognito.CfnUserPoolClient)
	url := func(path string) *string {
		if o := cfg.appOrigin(); o != "" {
			return jsii.String(o + path)
		}
		return awscdk.Fn_Join(jsii.String(""), &[]*string{s.Edge.URL(), jsii.String(path)})
	}
	spa.SetCallbackUrLs(appendURL(spa.CallbackUrLs(), url(webconfig.CallbackPath)))
	spa.SetLogoutUrLs(appendURL(spa.LogoutUrLs(), url(webconfig.LogoutPath)))
	if cfg.Web.Domain == "" {
		s.photoCORS()
		// Passkeys belong to the domain the app is served from.
		pool := s.Users.Pool.Node().DefaultChild().(awscognito.CfnUserPool)
		pool.SetWebAuthnRelyingPartyId(s.Edge.Distribution.DistributionDomainName())
	}
	s.output(contract.OutputAppURL, "The app's URL (CloudFront)", s.Edge.URL())
	return nil
}

// apiHost is the API's custom domain, where it has one (nil otherwise).
func (s *Stack) apiHost() *string {
	if s.API.Domain == nil {
		return nil
	}
	return s.API.Domain.Name()
}

// sites are the app's builds, one per cloud assembly directory: stages of
// one app share it.
var sites sync.Map // outdir -> *siteBuild

type siteBuild struct {
	once sync.Once
	dir  string
	err  error
}

// siteSource builds the app (web.Build) into the cloud assembly directory,
// as golambda does its bundles, and returns it as the deployment's source.
// The build is the same bytes for the same sources, so the asset's hash
// changes only when the app does.
func siteSource(scope constructs.Construct) (awss3deployment.ISource, error) {
	outdir := *awscdk.Stage_Of(scope).Outdir()
	v, _ := sites.LoadOrStore(outdir, &siteBuild{})
	b := v.(*siteBuild)
	b.once.Do(func() {
		b.dir = filepath.Join(outdir, ".web")
		b.err = web.Build(b.dir)
	})
	if b.err != nil {
		return nil, fmt.Errorf("building the web app: %w", b.err)
	}
	return awss3deployment.Source_Asset(jsii.String(b.dir), nil), nil
}

// photoCORSOrigins are the photo bucket's CORS origins in its template
// properties: none without Web.Domain, where photoCORS owns the rule.
func (c Config) photoCORSOrigins() []string {
	if c.Web.Domain == "" {
		return nil
	}
	return c.Origins()
}

// photoCORS sets the photo bucket's CORS rule, with the stage's origins and
// the distribution's, once the distribution exists. The bucket cannot name
// the distribution in its own properties: the distribution's CSP names the
// bucket, so CloudFormation would see a cycle. The rule is the one
// storage.Bucket writes, and this resource owns it alone (the bucket's
// template has none), so a stack update never puts back a rule without
// the app's origin.
func (s *Stack) photoCORS() {
	origins := []*string{}
	for _, o := range s.Config.Origins() {
		origins = append(origins, jsii.String(o))
	}
	origins = append(origins, s.Edge.URL())
	bucket := s.Photos.Bucket
	call := &customresources.AwsSdkCall{
		Service: jsii.String("S3"),
		Action:  jsii.String("putBucketCors"),
		Parameters: map[string]any{
			"Bucket": bucket.BucketName(),
			"CORSConfiguration": map[string]any{"CORSRules": []any{map[string]any{
				"AllowedMethods": storage.CORSMethods,
				"AllowedOrigins": origins,
				"AllowedHeaders": storage.CORSAllowedHeaders,
				"ExposeHeaders":  storage.CORSExposedHeaders,
				"MaxAgeSeconds":  storage.CORSMaxAgeSeconds,
			}}},
		},
		PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String("photo-bucket-cors")),
	}
	retention, _ := golambda.RetentionDays(s.Config.LogRetentionDays)
	removal := awscdk.RemovalPolicy_RETAIN
	if s.ephemeral() {
		removal = awscdk.RemovalPolicy_DESTROY
	}
	cr := customresources.NewAwsCustomResource(s.Stack, jsii.String("PhotoCors"), &customresources.AwsCustomResourceProps{
		OnCreate: call,
		OnUpdate: call,
		// Deleting it (the stage gained a Web.Domain) leaves the rule: the
		// bucket's own CorsConfiguration takes over in the same update.
		Policy: customresources.AwsCustomResourcePolicy_FromStatements(&[]awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("s3:PutBucketCORS"),
				Resources: &[]*string{bucket.BucketArn()},
			}),
		}),
		InstallLatestAwsSdk: jsii.Bool(false),
		LogGroup:            awslogs.NewLogGroup(s.Stack, jsii.String("PhotoCorsLogs"), &awslogs.LogGroupProps{Retention: retention, RemovalPolicy: removal}),
	})
	cr.Node().AddDependency(s.Photos.Bucket)
	// The handler is the CDK's singleton for every AwsCustomResource of
	// the stack, beside the resource, not below it.
	handler := s.Stack.Node().FindChild(jsii.String("AWS" + strings.ReplaceAll(*customresources.AwsCustomResource_PROVIDER_FUNCTION_UUID(), "-", "")))
	cdknag.NagSuppressions_AddResourceSuppressions(handler, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM4"),
		AppliesTo: &[]any{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
		Reason: jsii.String("The CDK's AwsCustomResource handler (it sets the photo bucket's CORS rule) writes its own CloudWatch Logs with the " +
			"AWS managed basic execution policy, which grants nothing beyond creating its log group and stream and putting events."),
	}}, jsii.Bool(true))
}

// appendURL adds u to list unless it is there already.
func appendURL(list *[]*string, u *string) *[]*string {
	var out []*string
	if list != nil {
		out = slices.Clone(*list)
	}
	if !slices.ContainsFunc(out, func(v *string) bool { return *v == *u }) {
		out = append(out, u)
	}
	return &out
}

var (
	hostName               = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	certificateARN         = regexp.MustCompile(`^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]{36}$`)
	regionalCertificateARN = regexp.MustCompile(`^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$`)
	webACLARN              = regexp.MustCompile(`^arn:aws[a-z-]*:wafv2:us-east-1:[0-9]{12}:global/webacl/.+$`)
)

func (w Web) validate() error {
	var errs []error
	if (w.Domain == "") != (w.CertificateARN == "") {
		errs = append(errs, fmt.Errorf("Web.Domain %q and Web.CertificateARN %q: give both or neither", w.Domain, w.CertificateARN))
	}
	if w.Domain != "" && !hostName.MatchString(w.Domain) {
		errs = append(errs, fmt.Errorf("Web.Domain %q: want a lower-case host name such as app.example.com", w.Domain))
	}
	if w.CertificateARN != "" && !certificateARN.MatchString(w.CertificateARN) {
		errs = append(errs, fmt.Errorf("Web.CertificateARN %q: want an ACM certificate ARN in us-east-1 (CloudFront reads certificates only there)", w.CertificateARN))
	}
	if w.Domain != "" && w.APICertificateARN == "" {
		errs = append(errs, fmt.Errorf("Web.APICertificateARN: required with Web.Domain %q: the API then answers only on %s, which needs a certificate in the stage's region", w.Domain, w.apiDomain()))
	}
	if w.APICertificateARN != "" && !regionalCertificateARN.MatchString(w.APICertificateARN) {
		errs = append(errs, fmt.Errorf("Web.APICertificateARN %q: want an ACM certificate ARN", w.APICertificateARN))
	}
	if w.APIDomain != "" && (w.Domain == "" || !hostName.MatchString(w.APIDomain)) {
		errs = append(errs, fmt.Errorf("Web.APIDomain %q: want a lower-case host name, and a Web.Domain", w.APIDomain))
	}
	if w.WebACLARN != "" && !webACLARN.MatchString(w.WebACLARN) {
		errs = append(errs, fmt.Errorf("Web.WebACLARN %q: want a WAFv2 web ACL ARN of CLOUDFRONT scope (us-east-1, global/webacl/...)", w.WebACLARN))
	}
	return errors.Join(errs...)
}

// webConfig is the app's config.json: the stack's values as tokens, which
// the deployment resolves.
func (s *Stack) webConfig(hostedUI, userPoolAPI, identityAPI *string) map[string]any {
	// Exactly the scopes the SPA client may request, so the hosted UI never
	// refuses the app's request (and make dev reads the same list).
	var scopes []string
	if list := s.Clients.SPA.Node().DefaultChild().(awscognito.CfnUserPoolClient).AllowedOAuthScopes(); list != nil {
		for _, sc := range *list {
			scopes = append(scopes, *sc)
		}
	}
	c := webconfig.Config{
		Region:           *s.Stack.Region(),
		UserPoolID:       *s.Users.Pool.UserPoolId(),
		ClientID:         *s.Clients.SPA.UserPoolClientId(),
		Issuer:           *s.Users.IssuerURL(),
		CognitoDomain:    *hostedUI,
		UserPoolEndpoint: *userPoolAPI,
		IdentityPoolID:   *s.Identity.IdentityPoolID(),
		IdentityEndpoint: *identityAPI,
		APIPath:          webconfig.APIPath,
		Scopes:           scopes,
		CallbackPath:     webconfig.CallbackPath,
		LogoutPath:       webconfig.LogoutPath,
		FirstAuthFactors: s.Users.FirstAuthFactors,
	}
	// Through JSON so the keys are the contract's; the token strings
	// survive the round trip unchanged.
	raw, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Errorf("web config: %w", err))
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		panic(fmt.Errorf("web config: %w", err))
	}
	return m
}
