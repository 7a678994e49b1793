package devstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/contract/webconfig"
	"github.com/portcullis-cdk/portcullis/internal/cfn"
	"github.com/portcullis-cdk/portcullis/internal/stackinfo"
)

// Web is the CloudFront distribution as the local origin serves it: the
// path prefix routed to the API, and the response headers policy's
// headers, whose Content-Security-Policy sources that name stack resources
// are mapped to the local services at start.
type Web struct {
	// APIPrefix is the path of the API's behaviour without "/*" ("/api").
	APIPrefix string
	// Headers are the policy's headers but the CSP, by canonical name.
	Headers map[string]string
	// CSP is the policy's Content-Security-Policy, directive by directive.
	CSP []CSPDirective
	// Scopes are the SPA client's AllowedOAuthScopes, for the local config.
	Scopes []string
}

// CSPDirective is one directive of the policy and its sources.
type CSPDirective struct {
	Name    string
	Sources []CSPSource
}

// CSPSource is a literal source ("'self'") or one naming a stack resource:
// Service says which local service stands for it.
type CSPSource struct {
	Literal string
	Service cspService
}

type cspService int

const (
	literal     cspService = iota
	hostedUI               // the user pool domain's base URL
	userPoolAPI            // https://cognito-idp.<region>.<suffix>
	identityAPI            // https://cognito-identity.<region>.<suffix>
	bucketHost             // https://<bucket>.s3.<region>.amazonaws.com (presigned URLs)
)

// web is the distribution: one local origin serving the app's files, the
// API under its prefix, config.json for the local stack and the
// distribution's response headers. It reads the distribution, its response
// headers policy and the SPA client's scopes (for config.json); it starts
// last, taking every other service's URL from the stack info. It writes
// nothing into the other services: the pool and the bucket take its
// origins (reserveWeb) when they start.
var web = service{read: readWeb, reserve: reserveWeb, start: startWeb}

func readWeb(t cfnTemplate, p *Plan) error {
	dist, err := t.One("AWS::CloudFront::Distribution")
	if err != nil {
		return err
	}
	var d struct {
		DistributionConfig struct {
			CacheBehaviors []struct {
				PathPattern             string
				ResponseHeadersPolicyID cfn.Expr `json:"ResponseHeadersPolicyId"`
			}
			DefaultCacheBehavior struct {
				ResponseHeadersPolicyID cfn.Expr `json:"ResponseHeadersPolicyId"`
			}
		}
	}
	if err := dist.Decode(&d); err != nil {
		return fmt.Errorf("distribution: %w", err)
	}
	for _, b := range d.DistributionConfig.CacheBehaviors {
		if prefix, ok := strings.CutSuffix(b.PathPattern, "/*"); ok && prefix == webconfig.APIPath {
			p.Web.APIPrefix = prefix
		}
	}
	if p.Web.APIPrefix == "" {
		return fmt.Errorf("distribution: no %s/* behaviour: synthesize again (`make synth`)", webconfig.APIPath)
	}
	policyID, err := refID(d.DistributionConfig.DefaultCacheBehavior.ResponseHeadersPolicyID)
	if err != nil {
		return fmt.Errorf("distribution's response headers policy: %w", err)
	}
	// The local origin puts one policy's headers on every response.
	for _, b := range d.DistributionConfig.CacheBehaviors {
		if id, _ := refID(b.ResponseHeadersPolicyID); id != policyID {
			return fmt.Errorf("distribution: behaviour %s has response headers policy %s, the default behaviour %s; the local origin applies one to every response",
				b.PathPattern, b.ResponseHeadersPolicyID.Raw, policyID)
		}
	}
	policy, err := t.Get(policyID, "AWS::CloudFront::ResponseHeadersPolicy")
	if err != nil {
		return err
	}
	if err := p.Web.readHeaders(t, policy); err != nil {
		return fmt.Errorf("response headers policy %s: %w", policyID, err)
	}
	return p.Web.readScopes(t)
}

// readScopes takes the SPA client's scopes, which the local config.json
// names.
func (w *Web) readScopes(t cfnTemplate) error {
	for _, c := range t.OfType("AWS::Cognito::UserPoolClient") {
		if strings.HasSuffix(c.Meta("aws:cdk:path"), "/"+contract.SPAClientPath+"/Resource") {
			var cp struct{ AllowedOAuthScopes []string }
			if err := c.Decode(&cp); err != nil {
				return fmt.Errorf("SPA client: %w", err)
			}
			w.Scopes = cp.AllowedOAuthScopes
		}
	}
	return nil
}

func (w *Web) readHeaders(t cfnTemplate, policy *cfnResource) error {
	var hp struct {
		ResponseHeadersPolicyConfig struct {
			SecurityHeadersConfig struct {
				ContentSecurityPolicy *struct {
					ContentSecurityPolicy json.RawMessage
				}
				ContentTypeOptions      *struct{}
				FrameOptions            *struct{ FrameOption string }
				ReferrerPolicy          *struct{ ReferrerPolicy string }
				StrictTransportSecurity *struct {
					AccessControlMaxAgeSec int
					IncludeSubdomains      bool
					Preload                bool
				}
				XSSProtection *struct {
					Protection bool
					ModeBlock  bool
					ReportURI  string `json:"ReportUri"`
				}
			}
			CustomHeadersConfig struct {
				Items []struct{ Header, Value string }
			}
		}
	}
	if err := policy.Decode(&hp); err != nil {
		return err
	}
	sec := hp.ResponseHeadersPolicyConfig.SecurityHeadersConfig
	w.Headers = map[string]string{}
	if sec.ContentTypeOptions != nil {
		w.Headers["X-Content-Type-Options"] = "nosniff"
	}
	if f := sec.FrameOptions; f != nil {
		w.Headers["X-Frame-Options"] = f.FrameOption
	}
	if r := sec.ReferrerPolicy; r != nil {
		w.Headers["Referrer-Policy"] = r.ReferrerPolicy
	}
	if s := sec.StrictTransportSecurity; s != nil {
		v := "max-age=" + strconv.Itoa(s.AccessControlMaxAgeSec)
		if s.IncludeSubdomains {
			v += "; includeSubDomains"
		}
		if s.Preload {
			v += "; preload"
		}
		w.Headers["Strict-Transport-Security"] = v
	}
	if x := sec.XSSProtection; x != nil {
		v := "0"
		if x.Protection {
			v = "1"
			if x.ModeBlock {
				v += "; mode=block"
			} else if x.ReportURI != "" {
				v += "; report=" + x.ReportURI
			}
		}
		w.Headers["X-XSS-Protection"] = v
	}
	for _, h := range hp.ResponseHeadersPolicyConfig.CustomHeadersConfig.Items {
		w.Headers[http.CanonicalHeaderKey(h.Header)] = h.Value
	}
	if sec.ContentSecurityPolicy != nil {
		csp, err := parseCSP(t, sec.ContentSecurityPolicy.ContentSecurityPolicy)
		if err != nil {
			return fmt.Errorf("Content-Security-Policy: %w", err)
		}
		w.CSP = csp
	}
	return nil
}

// placeholder stands for the n-th intrinsic of a joined CSP while it is
// split into sources.
func placeholder(n int) string { return "\x00" + strconv.Itoa(n) + "\x00" }

var placeholders = regexp.MustCompile("\x00([0-9]+)\x00")

// parseCSP splits the policy, a string or {"Fn::Join": ["", [...]]} of
// literals and references, into directives, and recognizes each source
// that names a resource. A source the local stack cannot stand in for is
// an error, so local and deployed cannot drift silently.
func parseCSP(t cfnTemplate, raw json.RawMessage) ([]CSPDirective, error) {
	v, err := cfn.ParseValue(raw)
	if err != nil {
		return nil, err
	}
	if j, ok := v.(cfn.Join); ok && j.Sep != "" {
		return nil, errors.New(`not a Fn::Join with "" of parts`)
	}
	var intrinsics []cfn.Value
	text, err := cfn.Render(v, func(part cfn.Value) string {
		intrinsics = append(intrinsics, part)
		return placeholder(len(intrinsics) - 1)
	})
	if err != nil {
		return nil, err
	}
	var out []CSPDirective
	for _, d := range strings.Split(text, ";") {
		fields := strings.Fields(d)
		if len(fields) == 0 {
			continue
		}
		dir := CSPDirective{Name: fields[0]}
		for _, f := range fields[1:] {
			src, err := cspSource(t, f, intrinsics)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", dir.Name, err)
			}
			dir.Sources = append(dir.Sources, src)
		}
		out = append(out, dir)
	}
	return out, nil
}

// cspSource recognizes one source: the text with placeholders rendered as
// "{Ref X}" / "{X.Attr}" and matched against the shapes the stage builds.
func cspSource(t cfnTemplate, f string, intrinsics []cfn.Value) (CSPSource, error) {
	if !strings.Contains(f, "\x00") {
		return CSPSource{Literal: f}, nil
	}
	var typ string
	shape := placeholders.ReplaceAllStringFunc(f, func(m string) string {
		n, _ := strconv.Atoi(strings.Trim(m, "\x00"))
		switch in := intrinsics[n].(type) {
		case cfn.Ref:
			if in.Name == "AWS::Region" || in.Name == "AWS::URLSuffix" {
				return "{" + in.Name + "}"
			}
			typ = t.Resources[in.Name].Type
			return "{resource}"
		case cfn.GetAtt:
			typ = t.Resources[in.Resource].Type
			return "{resource." + in.Attribute + "}"
		}
		return "{" + intrinsics[n].Func() + "}"
	})
	switch {
	case typ == "AWS::Cognito::UserPoolDomain" && shape == "https://{resource}.auth.{AWS::Region}.amazoncognito.com",
		typ == "" && isPoolDomain(t, shape):
		return CSPSource{Service: hostedUI}, nil
	case typ == "AWS::S3::Bucket" && shape == "https://{resource.RegionalDomainName}":
		return CSPSource{Service: bucketHost}, nil
	case shape == "https://cognito-idp.{AWS::Region}.{AWS::URLSuffix}":
		return CSPSource{Service: userPoolAPI}, nil
	case shape == "https://cognito-identity.{AWS::Region}.{AWS::URLSuffix}":
		return CSPSource{Service: identityAPI}, nil
	}
	return CSPSource{}, fmt.Errorf("source %q (%s) names nothing the local stack serves", strings.ReplaceAll(shape, "\x00", ""), typ)
}

// isPoolDomain reports whether shape is the hosted UI of a Cognito domain
// of the template spelled from its prefix, as the stage spells it so that
// the distribution does not depend on the pool.
func isPoolDomain(t cfnTemplate, shape string) bool {
	prefix, ok := strings.CutPrefix(shape, "https://")
	if prefix, ok = strings.CutSuffix(prefix, ".auth.{AWS::Region}.amazoncognito.com"); !ok {
		return false
	}
	for _, r := range t.OfType("AWS::Cognito::UserPoolDomain") {
		var p struct{ Domain string }
		if r.Decode(&p) == nil && p.Domain == prefix {
			return true
		}
	}
	return false
}

// localCSP renders the policy with the local services' origins.
func (w *Web) localCSP(origins map[cspService]string) string {
	var dirs []string
	for _, d := range w.CSP {
		parts := []string{d.Name}
		for _, s := range d.Sources {
			v := s.Literal
			if s.Service != literal {
				v = origins[s.Service]
			}
			// Locally the hosted UI and the user pool API share an origin.
			if !slices.Contains(parts[1:], v) {
				parts = append(parts, v)
			}
		}
		dirs = append(dirs, strings.Join(parts, " "))
	}
	return strings.Join(dirs, "; ")
}

// origin is the scheme and host of a URL: "http://127.0.0.1:9229".
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Scheme + "://" + u.Host
}

// reserveWeb opens the web app's listener before the services start: the
// pool and the bucket allow its origins.
func reserveWeb(w *wiring) error {
	l, err := w.listen(w.opts.WebPort)
	if err != nil {
		return err
	}
	base := "http://" + l.Addr().String()
	if w.opts.WebHost != "" {
		_, port, _ := strings.Cut(l.Addr().String(), ":")
		base = "http://" + w.opts.WebHost + ":" + port
	}
	w.webListener, w.appOrigins = l, []string{base}
	if local := "http://" + l.Addr().String(); local != base {
		w.appOrigins = append(w.appOrigins, local)
	}
	return nil
}

func startWeb(_ context.Context, w *wiring) error {
	info := w.info
	cfg := localWebConfig(w.plan, info)
	csp := w.plan.Web.localCSP(map[cspService]string{
		hostedUI:    origin(cfg.CognitoDomain),
		userPoolAPI: origin(info.CognitoEndpoint),
		identityAPI: origin(info.IdentityEndpoint),
		bucketHost:  origin(info.S3Endpoint),
	})
	api, err := url.Parse(info.APIURL)
	if err != nil {
		return fmt.Errorf("local API URL %q: %w", info.APIURL, err)
	}
	h, err := newEdgeHandler(edgeConfig{
		Dir:       w.opts.WebDir,
		APIPrefix: w.plan.Web.APIPrefix,
		API:       api,
		Config:    cfg,
		Headers:   w.plan.Web.Headers,
		CSP:       csp,
	})
	if err != nil {
		return err
	}
	w.stack.serve(w.webListener, h)
	info.AppURL = w.appOrigins[0] + "/"
	return nil
}

// localWebConfig is the local config.json: the stack's endpoints from
// info, the rest as the template has it.
func localWebConfig(plan *Plan, info *stackinfo.Info) webconfig.Config {
	// The hosted UI and OAuth endpoints are the local user pool's.
	cognitoDomain := info.CognitoDomainURL
	if cognitoDomain == "" {
		cognitoDomain = info.CognitoEndpoint
	}
	return webconfig.Config{
		Region:           info.Region,
		UserPoolID:       info.UserPoolID,
		ClientID:         info.SPAClientID,
		Issuer:           info.Issuer,
		CognitoDomain:    cognitoDomain,
		UserPoolEndpoint: info.CognitoEndpoint,
		IdentityPoolID:   info.IdentityPoolID,
		IdentityEndpoint: info.IdentityEndpoint,
		APIPath:          plan.Web.APIPrefix,
		Scopes:           plan.Web.Scopes,
		CallbackPath:     webconfig.CallbackPath,
		LogoutPath:       webconfig.LogoutPath,
		FirstAuthFactors: plan.Pool.FirstAuthFactors,
	}
}

// edgeConfig is what the local origin serves.
type edgeConfig struct {
	// Dir holds the app's built files; empty serves no files (config.json
	// and the API only).
	Dir       string
	APIPrefix string
	API       *url.URL
	Config    webconfig.Config
	Headers   map[string]string
	CSP       string
}

// newEdgeHandler serves what the distribution does: the API under
// APIPrefix with the prefix removed (the StripAPIPrefix function),
// extension-less paths as /index.html (the SPARouting function), files as
// they are, and the response headers policy's headers on every response
// (override: the origin's own are replaced).
func newEdgeHandler(c edgeConfig) (http.Handler, error) {
	if c.Dir != "" {
		if st, err := os.Stat(c.Dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("web files %q: not a directory (build the app first)", c.Dir)
		}
	}
	configJSON, err := json.MarshalIndent(c.Config, "", "  ")
	if err != nil {
		return nil, err
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(c.API)
			// AllViewerExceptHostHeader: the API sees its own host.
			r.Out.Host = c.API.Host
			r.Out.URL.Path = strings.TrimPrefix(r.In.URL.Path, c.APIPrefix)
			if r.Out.URL.Path == "" {
				r.Out.URL.Path = "/"
			}
			r.Out.URL.RawPath = ""
		},
		ModifyResponse: func(resp *http.Response) error {
			setHeaders(resp.Header, c)
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			setHeaders(w.Header(), c)
			http.Error(w, "502 Bad Gateway: the local API did not answer: "+err.Error(), http.StatusBadGateway)
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, c.APIPrefix+"/") {
			proxy.ServeHTTP(w, r)
			return
		}
		setHeaders(w.Header(), c)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			// The default behaviour allows GET and HEAD only.
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
			return
		}
		uri := spaRoute(r.URL.Path)
		w.Header().Set("Cache-Control", "no-cache")
		if uri == "/"+webconfig.File {
			w.Header().Set("Content-Type", "application/json")
			http.ServeContent(w, r, webconfig.File, time.Time{}, strings.NewReader(string(configJSON)))
			return
		}
		file := ""
		if c.Dir != "" {
			file = filepath.Join(c.Dir, filepath.FromSlash(path.Clean(uri)))
		}
		f, err := os.Open(file)
		if err == nil {
			defer f.Close()
			if st, err := f.Stat(); err == nil && !st.IsDir() {
				http.ServeContent(w, r, st.Name(), st.ModTime(), f)
				return
			}
		}
		// S3 behind origin access control, without s3:ListBucket, answers
		// a missing key with 403 AccessDenied, and CloudFront passes it on.
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")
	}), nil
}

// spaRoute is the SPARouting function: a path whose last segment has no
// extension is a client route of the app.
func spaRoute(uri string) string {
	last := uri[strings.LastIndexByte(uri, '/')+1:]
	if !strings.Contains(last, ".") {
		return "/index.html"
	}
	return uri
}

func setHeaders(h http.Header, c edgeConfig) {
	for k, v := range c.Headers {
		h.Set(k, v)
	}
	if c.CSP != "" {
		h.Set("Content-Security-Policy", c.CSP)
	}
}
