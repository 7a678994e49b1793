package stage

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/edge"
	"github.com/portcullis-cdk/portcullis/contract"
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
	// WebACLARN attaches an AWS WAF web ACL (CLOUDFRONT scope). Default: none.
	WebACLARN string
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
// nothing the distribution needs). The API needs no CORS for its own
// origin (the app calls /api on the origin it was loaded from).
func (s *Stack) addEdge() {
	cfg := s.Config
	region := s.Stack.Region()
	regional := func(service string) *string {
		return awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://" + service + "."), region, jsii.String("."), s.Stack.UrlSuffix()})
	}
	userPoolAPI, identityAPI := regional("cognito-idp"), regional("cognito-identity")
	// The photos function presigns virtual-hosted-style URLs:
	// https://<bucket>.s3.<region>.amazonaws.com/<key>.
	photos := awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://"), s.Photos.Bucket.BucketRegionalDomainName()})
	hostedUI := s.Users.Domain.BaseUrl(nil)

	props := &edge.Props{
		API:            s.API.API,
		ConnectSources: []*string{hostedUI, userPoolAPI, identityAPI, photos},
		ImageSources:   []*string{photos},
		DomainName:     cfg.Web.Domain,
		WebACLID:       cfg.Web.WebACLARN,
		JSONFiles:      map[string]any{contract.WebConfigFile: s.webConfig(hostedUI, userPoolAPI, identityAPI)},
		LogDays:        cfg.LogRetentionDays,
		Ephemeral:      s.ephemeral(),
	}
	if cfg.Web.CertificateARN != "" {
		props.Certificate = awscertificatemanager.Certificate_FromCertificateArn(s.Stack, jsii.String("Certificate"), jsii.String(cfg.Web.CertificateARN))
	}
	s.Edge = edge.NewEdge(s.Stack, "Edge", props)

	spa := s.Clients.SPA.Node().DefaultChild().(awscognito.CfnUserPoolClient)
	url := func(path string) *string {
		if o := cfg.appOrigin(); o != "" {
			return jsii.String(o + path)
		}
		return awscdk.Fn_Join(jsii.String(""), &[]*string{s.Edge.URL(), jsii.String(path)})
	}
	spa.SetCallbackUrLs(appendURL(spa.CallbackUrLs(), url(contract.CallbackPath)))
	spa.SetLogoutUrLs(appendURL(spa.LogoutUrLs(), url(contract.LogoutPath)))
	s.output(contract.OutputAppURL, "The app's URL (CloudFront)", s.Edge.URL())
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
	hostName       = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	certificateARN = regexp.MustCompile(`^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]{36}$`)
	webACLARN      = regexp.MustCompile(`^arn:aws[a-z-]*:wafv2:us-east-1:[0-9]{12}:global/webacl/.+$`)
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
	if w.WebACLARN != "" && !webACLARN.MatchString(w.WebACLARN) {
		errs = append(errs, fmt.Errorf("Web.WebACLARN %q: want a WAFv2 web ACL ARN of CLOUDFRONT scope (us-east-1, global/webacl/...)", w.WebACLARN))
	}
	return errors.Join(errs...)
}

// webConfig is the app's config.json: the stack's values as tokens, which
// the deployment resolves.
func (s *Stack) webConfig(hostedUI, userPoolAPI, identityAPI *string) map[string]any {
	scopes := []string{"openid", "email", "profile"}
	for _, g := range s.Clients.Grants() {
		if *g.ClientID == *s.Clients.SPA.UserPoolClientId() {
			scopes = append(scopes, g.Scopes...)
		}
	}
	c := contract.WebConfig{
		Region:           *s.Stack.Region(),
		UserPoolID:       *s.Users.Pool.UserPoolId(),
		ClientID:         *s.Clients.SPA.UserPoolClientId(),
		Issuer:           *s.Users.IssuerURL(),
		CognitoDomain:    *hostedUI,
		UserPoolEndpoint: *userPoolAPI,
		IdentityPoolID:   *s.Identity.IdentityPoolID(),
		IdentityEndpoint: *identityAPI,
		APIPath:          contract.APIPath,
		Scopes:           scopes,
		CallbackPath:     contract.CallbackPath,
		LogoutPath:       contract.LogoutPath,
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
