package devstack

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/contract/webconfig"
	"github.com/portcullis-cdk/portcullis/internal/stackinfo"
)

func TestReadWebPlan(t *testing.T) {
	p, err := ReadPlan(golden)
	if err != nil {
		t.Fatal(err)
	}
	w := p.Web
	if w.APIPrefix != webconfig.APIPath {
		t.Errorf("API prefix %q, want %q", w.APIPrefix, webconfig.APIPath)
	}
	for k, v := range map[string]string{
		"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
		"X-Content-Type-Options":    "nosniff",
		"X-Frame-Options":           "DENY",
		"Referrer-Policy":           "no-referrer",
	} {
		if w.Headers[k] != v {
			t.Errorf("%s = %q, want %q", k, w.Headers[k], v)
		}
	}
	got := w.localCSP(map[cspService]string{hostedUI: "http://pool", userPoolAPI: "http://idp", identityAPI: "http://identity", bucketHost: "http://s3"})
	for _, want := range []string{
		"default-src 'self'",
		"connect-src 'self' http://pool http://idp http://identity http://s3",
		"img-src 'self' data: http://s3",
		"frame-ancestors 'none'",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("local CSP %q lacks %q", got, want)
		}
	}
	same := w.localCSP(map[cspService]string{hostedUI: "http://pool", userPoolAPI: "http://pool", identityAPI: "http://identity", bucketHost: "http://s3"})
	if !strings.Contains(same, "connect-src 'self' http://pool http://identity http://s3;") {
		t.Errorf("local CSP with one origin for the hosted UI and the pool API: %q", same)
	}
	if !slices.Contains(w.Scopes, "openid") || len(w.Scopes) < 4 {
		t.Errorf("SPA scopes %v", w.Scopes)
	}
}

// A CSP source the local stack cannot map is refused, not passed on.
func TestParseCSPRefusesUnknownSources(t *testing.T) {
	tpl := cfnTemplate{Resources: map[string]cfnResource{"Q": {Type: "AWS::SQS::Queue"}}}
	for _, raw := range []string{
		`{"Fn::Join":["",["connect-src 'self' https://",{"Fn::GetAtt":["Q","QueueName"]}]]}`,
		`{"Fn::Join":["",["connect-src https://",{"Ref":"Q"},".auth.",{"Ref":"AWS::Region"},".amazoncognito.com"]]}`,
		`{"Fn::Join":[",",["a","b"]]}`,
		`42`,
	} {
		if _, err := parseCSP(tpl, json.RawMessage(raw)); err == nil {
			t.Errorf("parseCSP(%s) accepted", raw)
		}
	}
	d, err := parseCSP(tpl, json.RawMessage(`"default-src 'self'; frame-ancestors 'none'"`))
	if err != nil || len(d) != 2 || d[1].Sources[0].Literal != "'none'" {
		t.Errorf("plain policy: %+v %v", d, err)
	}
}

// The local routing is the distribution's: the same URIs through the
// template's CloudFront Functions (run in node) and through spaRoute and
// the prefix strip agree.
func TestRoutingMatchesTheFunctions(t *testing.T) {
	raw, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	var tpl cfnTemplate
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	code := map[string]string{}
	for _, r := range tpl.Resources {
		if r.Type == "AWS::CloudFront::Function" {
			var fp struct{ FunctionCode string }
			_ = json.Unmarshal(r.Properties, &fp)
			code[strings.TrimSuffix(stackPath(r), "/Resource")] = fp.FunctionCode
		}
	}
	node, _ := filepath.Abs("../../node_modules/.bin/node")
	if _, err := os.Stat(node); err != nil {
		node = "node"
	}
	run := func(fn, uri string) string {
		in, _ := json.Marshal(map[string]any{"request": map[string]any{"uri": uri}})
		out, err := exec.Command(node, "-e", code[fn]+"\nprocess.stdout.write(handler("+string(in)+").uri)").CombinedOutput()
		if err != nil {
			t.Fatalf("%s on %s: %v %s", fn, uri, err, out)
		}
		return string(out)
	}
	for _, uri := range []string{"/", "/todos", "/callback", "/a/b/c", "/app.js", "/x/y.css", "/config.json", "/missing.png", "/index.html"} {
		if got, want := spaRoute(uri), run("Edge/SPARouting", uri); got != want {
			t.Errorf("local route of %s = %s, the function's %s", uri, got, want)
		}
	}
	for _, uri := range []string{"/api/todos", "/api/todos/t-1", "/api/", "/api/photos/p.jpg"} {
		local := strings.TrimPrefix(uri, webconfig.APIPath)
		if want := run("Edge/StripAPIPrefix", uri); local != want {
			t.Errorf("local API path of %s = %s, the function's %s", uri, local, want)
		}
	}
}

func TestEdgeHandler(t *testing.T) {
	var seen *http.Request
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Clone(r.Context())
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Frame-Options", "SAMEORIGIN") // overridden, as the policy says
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message":"Not Found"}`)
	}))
	defer api.Close()
	apiURL, _ := url.Parse(api.URL)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><title>app</title>"), 0o644)
	os.WriteFile(filepath.Join(dir, "app.js"), []byte("console.log(1)"), 0o644)
	cfg := webconfig.Config{Region: Region, UserPoolID: "pool", ClientID: "client", APIPath: webconfig.APIPath}
	h, err := newEdgeHandler(edgeConfig{
		Dir: dir, APIPrefix: webconfig.APIPath, API: apiURL, Config: cfg,
		Headers: map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"},
		CSP:     "default-src 'self'",
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	for _, c := range []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/", 200, "<title>app</title>"},
		{"GET", "/todos/t-1", 200, "<title>app</title>"},
		{"GET", "/app.js", 200, "console.log"},
		{"GET", "/missing.js", 403, "AccessDenied"},
		{"GET", "/../../etc/passwd.txt", 403, "AccessDenied"},
		{"GET", "/" + webconfig.File, 200, `"userPoolId": "pool"`},
		{"POST", "/todos", 405, ""},
		{"GET", "/api/todos/missing?x=1", 404, "Not Found"},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		req.Header.Set("Authorization", "Bearer t")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(body), c.body) {
			t.Errorf("%s %s = %d %q, want %d with %q", c.method, c.path, resp.StatusCode, body, c.status, c.body)
		}
		if resp.Header.Get("Content-Security-Policy") != "default-src 'self'" || resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s %s: headers %v, want the policy's", c.method, c.path, resp.Header)
		}
	}
	if seen == nil {
		t.Fatal("the API saw no request")
	}
	if seen.URL.Path != "/todos/missing" || seen.URL.RawQuery != "x=1" || seen.Header.Get("Authorization") != "Bearer t" || seen.Host != apiURL.Host {
		t.Errorf("API saw %s %s?%s host %s auth %q: want the prefix removed, the query and Authorization kept, its own Host",
			seen.Method, seen.URL.Path, seen.URL.RawQuery, seen.Host, seen.Header.Get("Authorization"))
	}
	if _, err := newEdgeHandler(edgeConfig{Dir: filepath.Join(dir, "nope")}); err == nil {
		t.Error("a missing web directory was accepted")
	}
}

// The local config.json offers the sign-in choices of the stage's pool:
// its template's AllowedFirstAuthFactors (Cognito's password alone where
// it has none), less the one-time codes where make dev requires MFA, as
// Cognito allows none then.
func TestLocalConfigFirstAuthFactors(t *testing.T) {
	for _, tc := range []struct {
		name, template, mfa string
		without             []string
	}{
		{"dev", golden, "", nil},
		{"prod", prodGolden, "", nil},
		{"dev with MFA=required", golden, "required", []string{"EMAIL_OTP", "SMS_OTP"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := templateFirstAuthFactors(t, tc.template)
			want = slices.DeleteFunc(want, func(f string) bool { return slices.Contains(tc.without, f) })
			p, err := ReadPlan(tc.template)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Pool.overrideMFA(tc.mfa); err != nil {
				t.Fatal(err)
			}
			got := localWebConfig(p, &stackinfo.Info{}).FirstAuthFactors
			if !slices.Equal(got, want) || !slices.Contains(got, "PASSWORD") {
				t.Errorf("config.json firstAuthFactors %v, want %v", got, want)
			}
		})
	}
}

// templateFirstAuthFactors reads the user pool's AllowedFirstAuthFactors
// from the template file, apart from the plan's reading.
func templateFirstAuthFactors(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Resources map[string]struct {
			Type       string
			Properties json.RawMessage
		}
	}
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	for _, r := range tpl.Resources {
		if r.Type != "AWS::Cognito::UserPool" {
			continue
		}
		var pool struct {
			Policies struct {
				SignInPolicy *struct{ AllowedFirstAuthFactors []string }
			}
		}
		if err := json.Unmarshal(r.Properties, &pool); err != nil {
			t.Fatal(err)
		}
		if sp := pool.Policies.SignInPolicy; sp != nil {
			return sp.AllowedFirstAuthFactors
		}
		return []string{"PASSWORD"}
	}
	t.Fatalf("%s has no user pool", path)
	return nil
}
