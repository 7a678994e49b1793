package devstack

import (
	"encoding/json"
	"fmt"
	"strings"
)

// gap is one row of the table of what the local stack does not emulate: a
// property of a resource type that no service reads from the template, and
// why the local stack runs without it. TestTemplateCoverage holds every
// property of both stages' templates to being read (internal/cfn records
// the reads) or covered by a row, and every row to covering a property of
// them; docs/local-stack.md shows the table (TestNotEmulatedDoc).
type gap struct {
	// Type is the resource type; "*" is every type.
	Type string
	// Property is a property path (internal/cfn): "LoggingConfiguration"
	// covers every property below it, "Schema[].Mutable" that of every
	// element; "" covers every property of the type.
	Property string
	Reason   string
	// AddedBy names what puts the property into a stage's template where
	// neither stage's template has it (a stage setting, a team's own
	// resources); empty for a row of the stages' templates.
	AddedBy string
	// banner, when set, is the banner's line for a resource of the type
	// (by logical id and properties), "" when its use changes nothing a
	// user would notice locally.
	banner func(id string, props map[string]json.RawMessage) string
}

// gaps is the table. Rows whose use a user of `make dev` would notice
// (threat protection, SES, custom domains, web ACLs) also name it in the
// banner.
var gaps = []gap{
	{Type: "*", Property: "Tags", Reason: "tags label and bill resources; nothing local reads them"},
	{Type: "*", Property: "UserPoolTags", Reason: "tags label and bill resources; nothing local reads them"},
	{Type: "*", Property: "IdentityPoolTags", Reason: "tags label and bill resources; nothing local reads them"},
	{Type: "*", Property: "ApiId", Reason: "the local stack has one HTTP API: every authorizer, integration, route and stage is its"},
	{Type: "*", Property: "UserPoolId", Reason: "the local stack has one user pool: every client, domain, group and resource server is its"},
	{Type: "*", Property: "ServiceToken", Reason: "custom resources run at deploy time; their effect is what the local stack reads (the photo bucket's CORS rules) or does itself"},

	{Type: "AWS::ApiGatewayV2::Api", Property: "Name", Reason: "a name in the console"},
	{Type: "AWS::ApiGatewayV2::Api", Property: "ProtocolType", Reason: "the local API is an HTTP API"},
	{Type: "AWS::ApiGatewayV2::Api", Property: "DisableExecuteApiEndpoint", Reason: "the local API is reached at its local address only"},
	{Type: "AWS::ApiGatewayV2::ApiMapping", Reason: "the API's custom domain: the local API is served at its local address"},
	{Type: "AWS::ApiGatewayV2::DomainName", Reason: "the API's custom domain and certificate: the local API is served at its local address"},
	{Type: "AWS::ApiGatewayV2::Authorizer", Property: "Name", Reason: "a name in the console"},
	{Type: "AWS::ApiGatewayV2::Authorizer", Property: "JwtConfiguration.Issuer", Reason: "the deployed pool's issuer URL; the local authorizer trusts the local pool's issuer"},
	{Type: "AWS::ApiGatewayV2::Route", Property: "AuthorizerId", Reason: "the template's one JWT authorizer authorizes every JWT route locally"},
	{Type: "AWS::ApiGatewayV2::Stage", Property: "AccessLogSettings", Reason: "access logs go to CloudWatch Logs; the local API writes none"},
	{Type: "AWS::ApiGatewayV2::Stage", Property: "DefaultRouteSettings", Reason: "throttling: the local API does not throttle"},
	{Type: "AWS::ApiGatewayV2::Stage", Property: "StageName", Reason: "the $default stage: the local API serves its routes at its root"},
	{Type: "AWS::ApiGatewayV2::Stage", Property: "AutoDeploy", Reason: "the local API serves the template as it is"},

	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.Aliases", Reason: "custom domain of the web app: the app is served at its local origin",
		banner: aliasesBanner},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.ViewerCertificate", Reason: "TLS at the edge: the local origin is plain HTTP on the loopback"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.WebACLId", Reason: "AWS WAF: no request is filtered locally",
		AddedBy: "the stage's Edge.WebACLARN", banner: webACLIDBanner},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.Origins", Reason: "the local origin serves the built web app itself and proxies the API prefix to the local API"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.DefaultCacheBehavior.TargetOriginId", Reason: "the local origin serves the built web app itself"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.CacheBehaviors[].TargetOriginId", Reason: "the API prefix goes to the local API"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.DefaultCacheBehavior.AllowedMethods", Reason: "the local origin answers GET and HEAD outside the API prefix, as the stage's default behaviour allows"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.CacheBehaviors[].AllowedMethods", Reason: "the local origin forwards every method under the API prefix, as the stage's API behaviour allows"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.CacheBehaviors[].OriginRequestPolicyId", Reason: "the local proxy forwards every header but Host, as the stage's AllViewerExceptHostHeader policy does"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.DefaultCacheBehavior.FunctionAssociations", Reason: "the SPA routing function is done in Go (spaRoute); TestRoutingMatchesTheFunctions runs the template's code against it"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.CacheBehaviors[].FunctionAssociations", Reason: "the API prefix strip is done in Go; TestRoutingMatchesTheFunctions runs the template's code against it"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.DefaultRootObject", Reason: "the SPA routing serves / as /index.html"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.DefaultCacheBehavior.CachePolicyId", Reason: "nothing is cached locally: every response is the origin's"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.CacheBehaviors[].CachePolicyId", Reason: "nothing is cached locally: every response is the origin's"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.DefaultCacheBehavior.Compress", Reason: "responses are not compressed locally"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.CacheBehaviors[].Compress", Reason: "responses are not compressed locally"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.DefaultCacheBehavior.ViewerProtocolPolicy", Reason: "the local origin is plain HTTP on the loopback"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.CacheBehaviors[].ViewerProtocolPolicy", Reason: "the local origin is plain HTTP on the loopback"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.HttpVersion", Reason: "the local origin speaks HTTP/1.1"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.IPV6Enabled", Reason: "the local origin listens on the loopback address it is given"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.Logging", Reason: "access logs go to the log bucket; the local origin writes none"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.PriceClass", Reason: "edge locations: one local origin"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.Comment", Reason: "a note in the console"},
	{Type: "AWS::CloudFront::Distribution", Property: "DistributionConfig.Enabled", Reason: "the local origin serves while make dev runs"},
	{Type: "AWS::CloudFront::Function", Reason: "the two functions' routing is done in Go by the local origin; TestRoutingMatchesTheFunctions runs their code against it"},
	{Type: "AWS::CloudFront::OriginAccessControl", Reason: "the local origin reads the web app's files itself; a missing one is the 403 S3 answers behind origin access control"},
	{Type: "AWS::CloudFront::ResponseHeadersPolicy", Property: "ResponseHeadersPolicyConfig.Name", Reason: "a name in the console"},
	{Type: "AWS::CloudFront::ResponseHeadersPolicy", Property: "ResponseHeadersPolicyConfig.Comment", Reason: "a note in the console"},
	{Type: "AWS::CloudFront::ResponseHeadersPolicy", Property: "ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.Override", Reason: "the local origin always replaces the header (Override true)"},
	{Type: "AWS::CloudFront::ResponseHeadersPolicy", Property: "ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentTypeOptions.Override", Reason: "the local origin always replaces the header (Override true)"},
	{Type: "AWS::CloudFront::ResponseHeadersPolicy", Property: "ResponseHeadersPolicyConfig.SecurityHeadersConfig.FrameOptions.Override", Reason: "the local origin always replaces the header (Override true)"},
	{Type: "AWS::CloudFront::ResponseHeadersPolicy", Property: "ResponseHeadersPolicyConfig.SecurityHeadersConfig.ReferrerPolicy.Override", Reason: "the local origin always replaces the header (Override true)"},
	{Type: "AWS::CloudFront::ResponseHeadersPolicy", Property: "ResponseHeadersPolicyConfig.SecurityHeadersConfig.StrictTransportSecurity.Override", Reason: "the local origin always replaces the header (Override true)"},

	{Type: "AWS::CloudWatch::Alarm", Reason: "alarms watch CloudWatch metrics, which the local stack does not emit"},
	{Type: "AWS::CloudWatch::Dashboard", Reason: "dashboards show CloudWatch metrics, which the local stack does not emit"},
	{Type: "AWS::SNS::Topic", Reason: "the alarms' topic: no alarm fires locally"},
	{Type: "AWS::SNS::TopicPolicy", Reason: "the alarms' topic: no alarm fires locally"},
	{Type: "AWS::KMS::Key", Reason: "encryption at rest: the local stores keep their data unencrypted on disk"},

	{Type: "AWS::Cognito::IdentityPool", Property: "AllowClassicFlow", Reason: "the local identity pool offers the enhanced flow only (GetId, GetCredentialsForIdentity)"},
	{Type: "AWS::Cognito::IdentityPool", Property: "CognitoIdentityProviders[].ProviderName", Reason: "the deployed pool's issuer; the local identity pool trusts the local pool's"},
	{Type: "AWS::Cognito::IdentityPoolRoleAttachment", Property: "IdentityPoolId", Reason: "the local stack has one identity pool"},
	{Type: "AWS::Cognito::UserPool", Property: "UserPoolAddOns", Reason: "threat protection: no adaptive authentication or compromised-credentials check, every sign-in is allowed",
		banner: threatProtectionBanner},
	{Type: "AWS::Cognito::UserPool", Property: "EmailConfiguration", Reason: "email through SES: codes are written to the log and served at /_dev/code, not sent",
		banner: sesBanner},
	{Type: "AWS::Cognito::UserPool", Property: "SmsConfiguration", Reason: "SMS through SNS: codes are written to the log and served at /_dev/code, not sent"},
	{Type: "AWS::Cognito::UserPool", Property: "EmailVerificationMessage", Reason: "message templates: the custom message trigger's text, or the local default, is used"},
	{Type: "AWS::Cognito::UserPool", Property: "EmailVerificationSubject", Reason: "message templates: the custom message trigger's text, or the local default, is used"},
	{Type: "AWS::Cognito::UserPool", Property: "SmsVerificationMessage", Reason: "message templates: the custom message trigger's text, or the local default, is used"},
	{Type: "AWS::Cognito::UserPool", Property: "VerificationMessageTemplate", Reason: "message templates: the custom message trigger's text, or the local default, is used"},
	{Type: "AWS::Cognito::UserPool", Property: "DeletionProtection", Reason: "the local pool is deleted with make dev-reset"},
	{Type: "AWS::Cognito::UserPool", Property: "UserPoolTier", Reason: "the feature plan: the local pool offers every feature it emulates"},
	{Type: "AWS::Cognito::UserPool", Property: "WebAuthnFactorConfiguration", Reason: "passkeys as MFA are not emulated; passkeys as a first factor are"},
	{Type: "AWS::Cognito::UserPool", Property: "Schema[].Mutable", Reason: "every custom attribute is mutable locally (as both stages' are)"},
	{Type: "AWS::Cognito::UserPool", Property: "Schema[].StringAttributeConstraints", Reason: "custom attributes' length limits are not enforced locally"},
	{Type: "AWS::Cognito::UserPoolClient", Property: "EnableTokenRevocation", Reason: "the local pool revokes the tokens of every client (both stages enable it)"},
	{Type: "AWS::Cognito::UserPoolClient", Property: "SupportedIdentityProviders", Reason: "the local pool is its own only identity provider (COGNITO)"},
	{Type: "AWS::Cognito::UserPoolDomain", Property: "CustomDomainConfig", Reason: "custom domain of the hosted UI: served at the local user pool's address",
		AddedBy: "a team's stack giving the hosted UI its own domain", banner: customDomainBanner},
	{Type: "AWS::Cognito::UserPoolResourceServer", Property: "Name", Reason: "a name in the console"},
	{Type: "AWS::Cognito::UserPoolResourceServer", Property: "Scopes[].ScopeDescription", Reason: "a description in the console"},

	{Type: "AWS::DynamoDB::Table", Property: "BillingMode", Reason: "dynalite enforces no capacity: every local table is on-demand and never throttles (throttling on demand at /_dev/faults)"},
	{Type: "AWS::DynamoDB::Table", Property: "ProvisionedThroughput", Reason: "dynalite enforces no capacity: every local table is on-demand and never throttles (throttling on demand at /_dev/faults)",
		AddedBy: "a table with BillingMode PROVISIONED"},
	{Type: "AWS::DynamoDB::Table", Property: "GlobalSecondaryIndexes[].ProvisionedThroughput", Reason: "dynalite enforces no capacity: every local index is on-demand and never throttles",
		AddedBy: "an index of a table with BillingMode PROVISIONED"},
	{Type: "AWS::DynamoDB::Table", Property: "TimeToLiveSpecification", Reason: "dynalite has no time to live: expired items are never deleted locally, and DescribeTimeToLive answers DISABLED"},
	{Type: "AWS::DynamoDB::Table", Property: "StreamSpecification", Reason: "dynalite has no streams: nothing reads a table's changes locally",
		AddedBy: "a table with a stream"},
	{Type: "AWS::DynamoDB::Table", Property: "PointInTimeRecoverySpecification", Reason: "backups: dynalite has none; the local state is a directory (.dev/state)"},
	{Type: "AWS::DynamoDB::Table", Property: "SSESpecification", Reason: "encryption at rest: dynalite keeps its data unencrypted on disk"},
	{Type: "AWS::DynamoDB::Table", Property: "DeletionProtectionEnabled", Reason: "the local tables are deleted with make dev-reset"},
	{Type: "AWS::S3::Bucket", Property: "BucketEncryption", Reason: "encryption at rest: the local stores keep their data unencrypted on disk"},
	{Type: "AWS::S3::Bucket", Property: "LifecycleConfiguration", Reason: "lifecycle rules: incomplete uploads and old objects are not expired locally"},
	{Type: "AWS::S3::Bucket", Property: "LoggingConfiguration", Reason: "server access logs: the local bucket writes none"},
	{Type: "AWS::S3::Bucket", Property: "OwnershipControls", Reason: "ACLs: the local gates authorize by IAM policy only"},
	{Type: "AWS::S3::Bucket", Property: "PublicAccessBlockConfiguration", Reason: "public access: the local gates refuse every unsigned request but a CORS preflight"},
	{Type: "AWS::S3::BucketPolicy", Reason: "bucket policies are not evaluated by the local gates (test/security_test.go evaluates the photo bucket's)"},
	{Type: "Custom::AWS", Property: "Update", Reason: "the same call as Create, which is read"},
	{Type: "Custom::AWS", Property: "InstallLatestAwsSdk", Reason: "the custom resource runs at deploy time"},
	{Type: "Custom::CDKBucketDeployment", Reason: "the site deployment: the local origin serves the built web app and its own config.json"},
	{Type: "Custom::S3AutoDeleteObjects", Reason: "empties a bucket when the stack is deleted; make dev-reset wipes the local state"},

	{Type: "AWS::IAM::Role", Property: "AssumeRolePolicyDocument", Reason: "the local stack gives each function its role's key and the identity pool its role, without AssumeRole"},
	{Type: "AWS::IAM::Role", Property: "ManagedPolicyArns", Reason: "the only one is AWS's for logs (AWSLambdaBasicExecutionRole), which grants nothing on DynamoDB or S3, all the local gates authorize"},
	{Type: "AWS::IAM::Role", Property: "Description", Reason: "a note in the console"},
	{Type: "AWS::IAM::Policy", Property: "PolicyName", Reason: "a name in the console; the local evaluator names a policy by its logical id"},
	{Type: "AWS::Lambda::Function", Property: "Architectures", Reason: "each function is built for this machine's architecture, with the bundle's build tag and link flags (without `-trimpath`, with cgo where the machine has it)"},
	{Type: "AWS::Lambda::Function", Property: "Code", Reason: "the bundled asset: each function is built locally from its package (golambda:package metadata)"},
	{Type: "AWS::Lambda::Function", Property: "Description", Reason: "a note in the console"},
	{Type: "AWS::Lambda::Function", Property: "Layers", Reason: "a layer of the site deployment's function, which does not run locally"},
	{Type: "AWS::Lambda::Function", Property: "LoggingConfig.SystemLogLevel", Reason: "the local Lambda writes its REPORT line whatever the level"},
	{Type: "AWS::Lambda::Function", Property: "TracingConfig", Reason: "X-Ray: the local Lambda passes an X-Amzn-Trace-Id but sends no traces"},
	{Type: "AWS::Lambda::LayerVersion", Reason: "a layer of the site deployment's function, which does not run locally"},
	{Type: "AWS::Lambda::Permission", Reason: "the local API and pool invoke the functions they read from the template; nothing else can"},
	{Type: "AWS::Logs::LogGroup", Property: "RetentionInDays", Reason: "function logs go to the local stack's log"},

	{Type: "AWS::WAFv2::WebACL", Reason: "AWS WAF: no request is filtered locally", AddedBy: "a team's stack defining its web ACL", banner: webACLBanner("AWS::WAFv2::WebACL")},
	{Type: "AWS::WAFv2::WebACLAssociation", Reason: "AWS WAF: no request is filtered locally", AddedBy: "a team's stack defining its web ACL", banner: webACLBanner("AWS::WAFv2::WebACLAssociation")},
	{Type: "AWS::WAF::WebACL", Reason: "AWS WAF: no request is filtered locally", AddedBy: "a team's stack defining its web ACL", banner: webACLBanner("AWS::WAF::WebACL")},
	{Type: "AWS::WAFRegional::WebACL", Reason: "AWS WAF: no request is filtered locally", AddedBy: "a team's stack defining its web ACL", banner: webACLBanner("AWS::WAFRegional::WebACL")},
}

// readNotEmulated names what the stage's template uses that the local
// stack runs without, so that `make dev STAGE=prod` says what it leaves
// out instead of pretending to be the deployed stage: the table's rows
// with a banner line, for each resource using them. The stack starts
// regardless: none of these changes what a request gets locally.
func readNotEmulated(t cfnTemplate) []string {
	var out []string
	for _, id := range t.IDs("") {
		r := t.Resources[id]
		var p map[string]json.RawMessage
		if len(r.Properties) > 0 && json.Unmarshal(r.Properties, &p) != nil {
			continue
		}
		for _, g := range gaps {
			if g.banner == nil || g.Type != r.Type {
				continue
			}
			if line := g.banner(id, p); line != "" {
				out = append(out, line)
			}
		}
	}
	return out
}

func threatProtectionBanner(_ string, p map[string]json.RawMessage) string {
	var addOns struct{ AdvancedSecurityMode string }
	if json.Unmarshal(p["UserPoolAddOns"], &addOns) != nil || addOns.AdvancedSecurityMode == "" || addOns.AdvancedSecurityMode == "OFF" {
		return ""
	}
	return fmt.Sprintf("threat protection (UserPoolAddOns AdvancedSecurityMode %s): no adaptive authentication or compromised-credentials check, every sign-in is allowed", addOns.AdvancedSecurityMode)
}

func sesBanner(_ string, p map[string]json.RawMessage) string {
	var email struct{ EmailSendingAccount, From string }
	if json.Unmarshal(p["EmailConfiguration"], &email) != nil || email.EmailSendingAccount != "DEVELOPER" {
		return ""
	}
	return fmt.Sprintf("email through SES (EmailSendingAccount DEVELOPER, From %q): codes are written to the log and served at /_dev/code, not sent", email.From)
}

func customDomainBanner(_ string, p map[string]json.RawMessage) string {
	if _, ok := p["CustomDomainConfig"]; !ok {
		return ""
	}
	return fmt.Sprintf("custom domain %s of the hosted UI (CustomDomainConfig): served at the local user pool's address", templateString(p["Domain"]))
}

func aliasesBanner(_ string, p map[string]json.RawMessage) string {
	var dc struct {
		Aliases           []string
		ViewerCertificate struct{ AcmCertificateArn json.RawMessage }
	}
	if json.Unmarshal(p["DistributionConfig"], &dc) != nil || len(dc.Aliases) == 0 {
		return ""
	}
	line := fmt.Sprintf("custom domain %s of the web app", strings.Join(dc.Aliases, ", "))
	if len(dc.ViewerCertificate.AcmCertificateArn) > 0 {
		line += " and its ACM certificate"
	}
	return line + ": the app is served at its local origin, which the local pool registers as a callback URL"
}

func webACLIDBanner(_ string, p map[string]json.RawMessage) string {
	var dc struct{ WebACLId json.RawMessage }
	if json.Unmarshal(p["DistributionConfig"], &dc) != nil || len(dc.WebACLId) == 0 {
		return ""
	}
	return fmt.Sprintf("the distribution's web ACL (WebACLId %s): no request is filtered locally", templateString(dc.WebACLId))
}

func webACLBanner(typ string) func(string, map[string]json.RawMessage) string {
	return func(id string, _ map[string]json.RawMessage) string {
		return fmt.Sprintf("web ACL %s (%s): no request is filtered locally", id, typ)
	}
}

// templateString is a template value as a string: itself when it is one, its
// JSON (an intrinsic function) otherwise.
func templateString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}
