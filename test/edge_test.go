package test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/constructs/edge"
	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/contract/webconfig"
)

// Managed policies of CloudFront, by their fixed ids.
const (
	cachingDisabled           = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	cachingOptimized          = "658327ea-f89d-4fab-a63d-7e88639e58f6"
	allViewerExceptHostHeader = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
)

// distribution returns the stage's distribution config and logical id.
func distribution(t *testing.T, s *synthesized) (string, map[string]any) {
	t.Helper()
	id, r := s.template.at(t, "Edge/Distribution/Resource")
	cfg, _ := prop(r.Properties, "DistributionConfig").(map[string]any)
	return id, cfg
}

// originOf is the origin a behaviour targets.
func originOf(t *testing.T, cfg map[string]any, behavior any) map[string]any {
	t.Helper()
	target := prop(behavior, "TargetOriginId")
	for _, o := range asList(cfg["Origins"]) {
		if prop(o, "Id") == target {
			return o.(map[string]any)
		}
	}
	t.Fatalf("no origin %v", target)
	return nil
}

func TestEdgeSiteThroughOriginAccessControl(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		distID, cfg := distribution(t, s)
		if ids := s.template.ofType("AWS::CloudFront::CloudFrontOriginAccessIdentity"); len(ids) > 0 {
			t.Errorf("origin access identities %v: want origin access control only", ids)
		}
		oacs := s.template.ofType("AWS::CloudFront::OriginAccessControl")
		if len(oacs) != 1 {
			t.Fatalf("origin access controls %v: want one", oacs)
		}
		oac := prop(s.template.Resources[oacs[0]].Properties, "OriginAccessControlConfig")
		if prop(oac, "SigningBehavior") != "always" || prop(oac, "SigningProtocol") != "sigv4" || prop(oac, "OriginAccessControlOriginType") != "s3" {
			t.Errorf("origin access control = %s, want s3 origins signed (sigv4) always", js(oac))
		}
		site, bucket := s.template.at(t, "Edge/Site/Resource")
		origin := originOf(t, cfg, cfg["DefaultCacheBehavior"])
		if js(prop(origin, "DomainName")) != js(map[string]any{"Fn::GetAtt": []string{site, "RegionalDomainName"}}) {
			t.Errorf("default origin %s, want the site bucket", js(prop(origin, "DomainName")))
		}
		if js(prop(origin, "OriginAccessControlId")) != js(map[string]any{"Fn::GetAtt": []string{oacs[0], "Id"}}) ||
			prop(origin, "S3OriginConfig", "OriginAccessIdentity") != "" {
			t.Errorf("site origin %s: want the origin access control and no identity", js(origin))
		}
		bpa := prop(bucket.Properties, "PublicAccessBlockConfiguration")
		for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
			if prop(bpa, k) != true {
				t.Errorf("site bucket %s is not true", k)
			}
		}
		if prop(bucket.Properties, "BucketEncryption", "ServerSideEncryptionConfiguration") == nil {
			t.Error("site bucket is not encrypted")
		}
		// The bucket policy lets exactly this distribution read, and
		// refuses plain HTTP.
		_, policy := s.template.at(t, "Edge/Site/Policy/Resource")
		var cloudfront, tlsOnly bool
		for _, st := range asList(prop(policy.Properties, "PolicyDocument", "Statement")) {
			if prop(st, "Principal", "Service") == "cloudfront.amazonaws.com" {
				cloudfront = prop(st, "Effect") == "Allow" && prop(st, "Action") == "s3:GetObject" &&
					strings.Contains(js(prop(st, "Condition", "StringEquals", "AWS:SourceArn")), distID)
			}
			if prop(st, "Condition", "Bool", "aws:SecureTransport") == "false" && prop(st, "Effect") == "Deny" {
				tlsOnly = true
			}
		}
		if !cloudfront || !tlsOnly {
			t.Errorf("site bucket policy: distribution-only read %v, TLS only %v; want both:\n%s", cloudfront, tlsOnly, js(policy.Properties))
		}
	})
}

func TestEdgeAPIBehavior(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		_, cfg := distribution(t, s)
		var api any
		for _, b := range asList(cfg["CacheBehaviors"]) {
			if prop(b, "PathPattern") == webconfig.APIPath+"/*" {
				api = b
			}
		}
		if api == nil {
			t.Fatalf("no %s/* behaviour in %s", webconfig.APIPath, js(cfg["CacheBehaviors"]))
		}
		if prop(api, "CachePolicyId") != cachingDisabled || prop(api, "OriginRequestPolicyId") != allViewerExceptHostHeader {
			t.Errorf("api behaviour caches %v, forwards %v: want caching disabled and every viewer header (Authorization), query string and cookie but Host",
				prop(api, "CachePolicyId"), prop(api, "OriginRequestPolicyId"))
		}
		if got := strs(prop(api, "AllowedMethods")); len(got) != 7 {
			t.Errorf("api behaviour allows %v, want every method", got)
		}
		if prop(api, "ViewerProtocolPolicy") != "redirect-to-https" || prop(api, "Compress") != true {
			t.Errorf("api behaviour: viewer protocol %v, compress %v", prop(api, "ViewerProtocolPolicy"), prop(api, "Compress"))
		}
		origin := originOf(t, cfg, api)
		// With a domain, the API answers only on its own custom domain
		// (TestAPIOnlyThroughTheDistribution).
		apiID, _ := s.template.at(t, "Api/Api/Resource")
		if s.config.Web.Domain != "" {
			apiID, _ = s.template.at(t, "ApiDomain/Resource")
		}
		if !strings.Contains(js(prop(origin, "DomainName")), apiID) {
			t.Errorf("api origin %s does not name the API %s", js(prop(origin, "DomainName")), apiID)
		}
		custom := prop(origin, "CustomOriginConfig")
		if prop(custom, "OriginProtocolPolicy") != "https-only" || js(prop(custom, "OriginSSLProtocols")) != `["TLSv1.2"]` {
			t.Errorf("api origin %s: want HTTPS with TLS 1.2 only", js(custom))
		}
		fn := functionAt(t, s, api, "viewer-request")
		if fn != "Edge/StripAPIPrefix/Resource" {
			t.Errorf("api behaviour's viewer-request function is %q, want the prefix stripper", fn)
		}
	})
}

// functionAt is the construct path of the CloudFront Function a behaviour
// runs on event.
func functionAt(t *testing.T, s *synthesized, behavior any, event string) string {
	t.Helper()
	for _, a := range asList(prop(behavior, "FunctionAssociations")) {
		if prop(a, "EventType") == event {
			id, _ := asList(prop(a, "FunctionARN", "Fn::GetAtt"))[0].(string)
			return s.template.Resources[id].path()
		}
	}
	return ""
}

// runFunction runs a CloudFront Function's code on one viewer request in
// the pinned Node (the JavaScript the functions' runtime accepts is a
// subset of Node's) and returns the URI it passes on.
func runFunction(t *testing.T, code, uri string) string {
	t.Helper()
	node, err := filepath.Abs("../node_modules/.bin/node")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(node); err != nil {
		node = "node"
	}
	in, _ := json.Marshal(map[string]any{"request": map[string]any{"uri": uri, "method": "GET", "querystring": map[string]any{}, "headers": map[string]any{}}})
	script := code + "\nprocess.stdout.write(JSON.stringify(handler(" + string(in) + ")));"
	out, err := exec.Command(node, "-e", script).CombinedOutput()
	if err != nil {
		t.Fatalf("running the function on %q: %v\n%s", uri, err, out)
	}
	var req struct{ URI string }
	if err := json.Unmarshal(out, &req); err != nil {
		t.Fatalf("function output %q: %v", out, err)
	}
	return req.URI
}

func TestEdgeSPAFallbackKeepsErrors(t *testing.T) {
	s := stages["dev"]
	_, cfg := distribution(t, s)
	if cfg["CustomErrorResponses"] != nil {
		t.Errorf("custom error responses %s: they would answer a missing asset or an API 404 with the app's page and 200", js(cfg["CustomErrorResponses"]))
	}
	if cfg["DefaultRootObject"] != "index.html" {
		t.Errorf("default root object %v", cfg["DefaultRootObject"])
	}
	code := func(path string) string {
		_, r := s.template.at(t, path)
		return prop(r.Properties, "FunctionCode").(string)
	}
	if fn := functionAt(t, s, cfg["DefaultCacheBehavior"], "viewer-request"); fn != "Edge/SPARouting/Resource" {
		t.Fatalf("default behaviour's viewer-request function is %q, want the SPA routing", fn)
	}
	for uri, want := range map[string]string{
		"/":                   "/index.html",
		"/todos":              "/index.html",
		"/callback":           "/index.html",
		"/photos/abc-123":     "/index.html",
		"/index.html":         "/index.html",
		"/app.js":             "/app.js",
		"/assets/missing.png": "/assets/missing.png",
		"/" + webconfig.File:  "/" + webconfig.File,
	} {
		if got := runFunction(t, code("Edge/SPARouting/Resource"), uri); got != want {
			t.Errorf("SPA routing of %s = %s, want %s", uri, got, want)
		}
	}
	for uri, want := range map[string]string{
		"/api/todos":        "/todos",
		"/api/todos/t-1":    "/todos/t-1",
		"/api/":             "/",
		"/api/photos/x.jpg": "/photos/x.jpg",
	} {
		if got := runFunction(t, code("Edge/StripAPIPrefix/Resource"), uri); got != want {
			t.Errorf("API prefix of %s = %s, want %s", uri, got, want)
		}
	}
	if edge.APIPath != webconfig.APIPath {
		t.Errorf("edge.APIPath %q, webconfig.APIPath %q: the config would send the app elsewhere", edge.APIPath, webconfig.APIPath)
	}
}

func TestEdgeHeadersPolicy(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		policyID, r := s.template.at(t, "Edge/Headers/Resource")
		_, cfg := distribution(t, s)
		behaviors := append([]any{cfg["DefaultCacheBehavior"]}, asList(cfg["CacheBehaviors"])...)
		for _, b := range behaviors {
			if js(prop(b, "ResponseHeadersPolicyId")) != ref(policyID) {
				t.Errorf("behaviour %v has headers policy %s", prop(b, "PathPattern"), js(prop(b, "ResponseHeadersPolicyId")))
			}
		}
		sec := prop(r.Properties, "ResponseHeadersPolicyConfig", "SecurityHeadersConfig")
		hsts := prop(sec, "StrictTransportSecurity")
		if prop(hsts, "AccessControlMaxAgeSec") != 63072000.0 || prop(hsts, "IncludeSubdomains") != true || prop(hsts, "Override") != true {
			t.Errorf("HSTS %s: want two years, subdomains, override", js(hsts))
		}
		if prop(sec, "ContentTypeOptions", "Override") != true {
			t.Error("no X-Content-Type-Options: nosniff")
		}
		if prop(sec, "FrameOptions", "FrameOption") != "DENY" || prop(sec, "ReferrerPolicy", "ReferrerPolicy") != "no-referrer" {
			t.Errorf("frame options %v, referrer policy %v", prop(sec, "FrameOptions"), prop(sec, "ReferrerPolicy"))
		}
		csp := prop(sec, "ContentSecurityPolicy", "ContentSecurityPolicy")
		directives := cspDirectives(renderJoin(csp))
		for name, want := range map[string][]string{
			"default-src":     {"'self'"},
			"script-src":      {"'self'"},
			"frame-ancestors": {"'none'"},
			"object-src":      {"'none'"},
			"base-uri":        {"'none'"},
			// The hosted UI and OAuth endpoints, the user pool and identity
			// pool APIs, and the presigned photo URLs: nothing else.
			"connect-src": {"'self'", "https://" + cmp.Or(s.config.DomainPrefix, s.config.StackName()) + ".auth.<AWS::Region>.amazoncognito.com",
				"https://cognito-idp.<AWS::Region>.<AWS::URLSuffix>", "https://cognito-identity.<AWS::Region>.<AWS::URLSuffix>",
				"https://<PhotosBucket.RegionalDomainName>"},
			"img-src": {"'self'", "data:", "https://<PhotosBucket.RegionalDomainName>"},
		} {
			got := directives[name]
			for i, v := range got {
				got[i] = logicalNames(s, v)
			}
			if !slices.Equal(got, want) {
				t.Errorf("CSP %s = %v, want %v", name, got, want)
			}
		}
		for _, d := range directives {
			for _, v := range d {
				if strings.Contains(v, "unsafe") || v == "*" || v == "https:" {
					t.Errorf("CSP allows %s", v)
				}
			}
		}
	})
}

// renderJoin renders a Fn::Join with {"Ref": id} as <id> and
// {"Fn::GetAtt": [id, attr]} as <id.attr>.
func renderJoin(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if id, ok := prop(v, "Ref").(string); ok {
		return "<" + id + ">"
	}
	if ga := asList(prop(v, "Fn::GetAtt")); len(ga) == 2 {
		return "<" + ga[0].(string) + "." + ga[1].(string) + ">"
	}
	parts := asList(prop(v, "Fn::Join"))
	if len(parts) != 2 {
		return js(v)
	}
	var b strings.Builder
	for _, p := range asList(parts[1]) {
		switch {
		case prop(p, "Ref") != nil:
			b.WriteString("<" + prop(p, "Ref").(string) + ">")
		case prop(p, "Fn::GetAtt") != nil:
			ga := asList(prop(p, "Fn::GetAtt"))
			b.WriteString("<" + ga[0].(string) + "." + ga[1].(string) + ">")
		case prop(p, "Fn::Join") != nil:
			b.WriteString(renderJoin(p))
		default:
			if s, ok := p.(string); ok {
				b.WriteString(s)
			} else {
				b.WriteString(js(p))
			}
		}
	}
	return b.String()
}

// logicalNames replaces the logical ids of the user pool domain and the
// photo bucket in v by stable names.
func logicalNames(s *synthesized, v string) string {
	for id, r := range s.template.Resources {
		switch r.path() {
		case "Users/Pool/Domain/Resource":
			v = strings.ReplaceAll(v, "<"+id+">", "<UsersDomain>")
		case "Photos/Bucket/Resource":
			v = strings.ReplaceAll(v, "<"+id+".", "<PhotosBucket.")
		}
	}
	return v
}

// cspDirectives splits a policy into its directives' source lists.
func cspDirectives(csp string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[f[0]] = f[1:]
		}
	}
	return out
}

func TestEdgeTLSLoggingAndProtocols(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		distID, cfg := distribution(t, s)
		if cfg["HttpVersion"] != "http2and3" || cfg["IPV6Enabled"] != true {
			t.Errorf("HTTP version %v, IPv6 %v: want http2and3 and IPv6", cfg["HttpVersion"], cfg["IPV6Enabled"])
		}
		if prop(cfg, "DefaultCacheBehavior", "Compress") != true || prop(cfg, "DefaultCacheBehavior", "CachePolicyId") != cachingOptimized {
			t.Errorf("default behaviour: compress %v, cache policy %v", prop(cfg, "DefaultCacheBehavior", "Compress"), prop(cfg, "DefaultCacheBehavior", "CachePolicyId"))
		}
		logs, logBucket := s.template.at(t, "Edge/Logs/Resource")
		if js(prop(cfg, "Logging", "Bucket")) != js(map[string]any{"Fn::GetAtt": []string{logs, "RegionalDomainName"}}) || prop(cfg, "Logging", "Prefix") != "cloudfront/" {
			t.Errorf("logging %s: want the log bucket under cloudfront/", js(cfg["Logging"]))
		}
		if js(prop(logBucket.Properties, "OwnershipControls", "Rules")) != `[{"ObjectOwnership":"BucketOwnerPreferred"}]` {
			t.Errorf("log bucket ownership %s: CloudFront delivers standard logs with an ACL grant", js(prop(logBucket.Properties, "OwnershipControls")))
		}
		_, site := s.template.at(t, "Edge/Site/Resource")
		if js(prop(site.Properties, "LoggingConfiguration", "DestinationBucketName")) != ref(logs) {
			t.Errorf("site bucket access logs go to %s", js(prop(site.Properties, "LoggingConfiguration")))
		}
		cert := cfg["ViewerCertificate"]
		suppressed := strings.Contains(js(s.template.Resources[distID].Metadata), "AwsSolutions-CFR4")
		if s.config.Web.Domain == "" {
			// CloudFormation's default: the *.cloudfront.net certificate.
			if (cert != nil && prop(cert, "CloudFrontDefaultCertificate") != true) || !suppressed {
				t.Errorf("without a domain: certificate %s, CFR4 suppressed %v; want the default certificate and the suppression with its reason", js(cert), suppressed)
			}
			return
		}
		if prop(cert, "MinimumProtocolVersion") != "TLSv1.2_2021" || prop(cert, "SslSupportMethod") != "sni-only" ||
			prop(cert, "AcmCertificateArn") != s.config.Web.CertificateARN || suppressed {
			t.Errorf("with domain %s: certificate %s, CFR4 suppressed %v; want TLSv1.2_2021, SNI, the config's certificate, no suppression", s.config.Web.Domain, js(cert), suppressed)
		}
		if got := strs(cfg["Aliases"]); !slices.Equal(got, []string{s.config.Web.Domain}) {
			t.Errorf("aliases %v", got)
		}
	})
}

// TestEdgeAppURLRegistered: the SPA client returns to the app's own URL
// after sign-in and sign-out, and the photo bucket accepts its uploads.
func TestEdgeAppURLRegistered(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		distID, _ := distribution(t, s)
		_, spa := s.template.at(t, contract.SPAClientPath+"/Resource")
		want := func(path string) string {
			if d := s.config.Web.Domain; d != "" {
				return "https://" + d + path
			}
			return "https://<" + distID + ".DomainName>" + path
		}
		for key, path := range map[string]string{"CallbackURLs": webconfig.CallbackPath, "LogoutURLs": webconfig.LogoutPath} {
			var got []string
			for _, u := range asList(spa.Properties[key]) {
				got = append(got, renderJoin(u))
			}
			if !slices.Contains(got, want(path)) {
				t.Errorf("SPA client %s = %v, want %s among them", key, got, want(path))
			}
		}
		// The photo bucket's CORS rule names the app: in the bucket with a
		// domain, else set once the distribution exists (no cycle).
		_, photos := s.template.at(t, "Photos/Bucket/Resource")
		rules := prop(photos.Properties, "CorsConfiguration", "CorsRules")
		if d := s.config.Web.Domain; d != "" {
			if origins := strs(prop(asList(rules)[0], "AllowedOrigins")); !slices.Contains(origins, "https://"+d) {
				t.Errorf("photo bucket CORS origins %v, want https://%s", origins, d)
			}
			return
		}
		if rules != nil {
			t.Errorf("photo bucket has CORS rules %s in the template; the custom resource owns them", js(rules))
		}
		_, cr := s.template.at(t, "PhotoCors/Resource/Default")
		create := renderJoin(cr.Properties["Create"])
		origins := append(slices.Clone(s.config.Origins()), "https://<"+distID+".DomainName>")
		wantOrigins := `"AllowedOrigins":["` + strings.Join(origins, `","`) + `"]`
		if !strings.Contains(create, `"action":"putBucketCors"`) || !strings.Contains(create, wantOrigins) ||
			!strings.Contains(create, `"AllowedMethods":["PUT","GET","HEAD"]`) || renderJoin(cr.Properties["Update"]) != create {
			t.Errorf("photo CORS custom resource creates %s, want putBucketCors with %s", create, wantOrigins)
		}
	})
}

// TestEdgeDeploysGeneratedConfig: the site deployment carries config.json,
// whose values are the stack's (resolved by the deployment's markers).
func TestEdgeDeploysGeneratedConfig(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		var deploy resource
		for _, id := range s.template.ofType("Custom::CDKBucketDeployment") {
			deploy = s.template.Resources[id]
		}
		if deploy.Type == "" {
			t.Fatal("no bucket deployment")
		}
		site, _ := s.template.at(t, "Edge/Site/Resource")
		if js(deploy.Properties["DestinationBucketName"]) != ref(site) {
			t.Errorf("deployment goes to %s, want the site bucket", js(deploy.Properties["DestinationBucketName"]))
		}
		distID, _ := distribution(t, s)
		if js(deploy.Properties["DistributionId"]) != ref(distID) || js(deploy.Properties["DistributionPaths"]) != `["/*"]` {
			t.Errorf("deployment invalidates %s %s, want the distribution, /*", js(deploy.Properties["DistributionId"]), js(deploy.Properties["DistributionPaths"]))
		}
		// Find the config among the deployment's sources: an asset
		// directory in the assembly holding config.json.
		var raw []byte
		var markers map[string]any
		for i, key := range asList(deploy.Properties["SourceObjectKeys"]) {
			hash := strings.TrimSuffix(key.(string), ".zip")
			b, err := os.ReadFile(filepath.Join(assembly, "asset."+hash, webconfig.File))
			if err == nil {
				raw = b
				markers, _ = asList(deploy.Properties["SourceMarkers"])[i].(map[string]any)
			}
		}
		if raw == nil {
			t.Fatalf("no source of the deployment holds %s", webconfig.File)
		}
		// The app itself (web.Build) is the other source: the same files
		// for every stage.
		builds := 0
		for _, key := range asList(deploy.Properties["SourceObjectKeys"]) {
			dir := filepath.Join(assembly, "asset."+strings.TrimSuffix(key.(string), ".zip"))
			if _, err := os.Stat(filepath.Join(dir, "index.html")); err == nil {
				builds++
				if _, err := os.Stat(filepath.Join(dir, webconfig.File)); err == nil {
					t.Errorf("the app's build carries a %s of its own", webconfig.File)
				}
			}
		}
		if builds != 1 || len(asList(deploy.Properties["SourceObjectKeys"])) != 2 {
			t.Errorf("deployment sources %s: want the app's build and the generated config", js(deploy.Properties["SourceObjectKeys"]))
		}
		var c webconfig.Config
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("%s: %v\n%s", webconfig.File, err, raw)
		}
		resolve := func(v string) string {
			for marker, value := range markers {
				v = strings.ReplaceAll(v, marker, renderJoin(value))
			}
			return logicalNames(s, v)
		}
		pool := mustAt(t, s.config.Name, "Users/Pool/Resource")
		for field, want := range map[string]string{
			"region":           "<AWS::Region>",
			"userPoolId":       "<" + pool + ">",
			"clientId":         "<" + mustAt(t, s.config.Name, contract.SPAClientPath+"/Resource") + ">",
			"cognitoDomain":    "https://<UsersDomain>.auth.<AWS::Region>.amazoncognito.com",
			"userPoolEndpoint": "https://cognito-idp.<AWS::Region>.<AWS::URLSuffix>",
			"apiPath":          webconfig.APIPath,
			"callbackPath":     webconfig.CallbackPath,
		} {
			var m map[string]any
			_ = json.Unmarshal(raw, &m)
			got, _ := m[field].(string)
			if r := resolve(got); r != want {
				t.Errorf("%s %s = %q (%s), want %s", webconfig.File, field, got, r, want)
			}
		}
		if got := resolve(c.Issuer); got != "https://<"+pool+".ProviderName>" {
			t.Errorf("issuer %s, want the pool's", got)
		}
		if got := resolve(c.IdentityPoolID); got != "<"+mustAt(t, s.config.Name, "Identity/Pool")+">" {
			t.Errorf("identity pool id %s, want the stack's", got)
		}
		_, spa := s.template.at(t, contract.SPAClientPath+"/Resource")
		if want := strs(spa.Properties["AllowedOAuthScopes"]); !slices.Contains(c.Scopes, "openid") || !slices.Equal(c.Scopes, want) {
			t.Errorf("scopes %v: want the SPA client's %v", c.Scopes, want)
		}
		// The sign-in page offers the pool's first factors and no other:
		// a code button in a stage whose pool sends none would only fail.
		_, userPool := s.template.at(t, "Users/Pool/Resource")
		factors := strs(prop(userPool.Properties, "Policies", "SignInPolicy", "AllowedFirstAuthFactors"))
		if len(factors) == 0 {
			factors = []string{"PASSWORD"} // Cognito's default
		}
		if !slices.Equal(c.FirstAuthFactors, factors) {
			t.Errorf("firstAuthFactors %v: want the pool's AllowedFirstAuthFactors %v", c.FirstAuthFactors, factors)
		}
	})
}
