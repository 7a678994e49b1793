package platform

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

var existing = Existing{
	UserPoolID:   "eu-west-1_AbCdEf123",
	APIID:        "a1b2c3d4e5",
	APIEndpoint:  "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
	FunctionName: "orders",
}

type resource struct {
	Type       string
	Properties map[string]any
}

// synth runs the app as `cdk synth` would and reads the stack's template.
func synth(t *testing.T) map[string]resource {
	t.Helper()
	dir := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(dir)})
	NewStack(app, "orders", existing)
	app.Synth(nil)
	raw, err := os.ReadFile(filepath.Join(dir, "orders.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct{ Resources map[string]resource }
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	return tpl.Resources
}

func ofType(rs map[string]resource, typ string) []resource {
	var out []resource
	for _, r := range rs {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// The constructs add to what the team has and make nothing it already has.
func TestStackAroundExistingPoolAndAPI(t *testing.T) {
	rs := synth(t)
	for typ, want := range map[string]int{
		"AWS::Cognito::UserPool": 0, "AWS::ApiGatewayV2::Api": 0, "AWS::ApiGatewayV2::Stage": 0,
		"AWS::Cognito::UserPoolDomain": 1, "AWS::Cognito::UserPoolClient": 2, "AWS::Cognito::UserPoolResourceServer": 1,
		"AWS::ApiGatewayV2::Route": 1, "AWS::ApiGatewayV2::Authorizer": 1, "AWS::DynamoDB::Table": 1,
	} {
		if got := len(ofType(rs, typ)); got != want {
			t.Errorf("%d %s, want %d", got, typ, want)
		}
	}
	for _, typ := range []string{"AWS::Cognito::UserPoolDomain", "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolResourceServer"} {
		for _, r := range ofType(rs, typ) {
			if r.Properties["UserPoolId"] != existing.UserPoolID {
				t.Errorf("%s in pool %v, want the existing %s", typ, r.Properties["UserPoolId"], existing.UserPoolID)
			}
		}
	}
	for _, r := range ofType(rs, "AWS::ApiGatewayV2::Route") {
		if r.Properties["ApiId"] != existing.APIID || r.Properties["RouteKey"] != "GET /orders" ||
			js(r.Properties["AuthorizationScopes"]) != `["orders/read"]` {
			t.Errorf("route %s", js(r.Properties))
		}
	}
	for _, r := range ofType(rs, "AWS::ApiGatewayV2::Authorizer") {
		issuer := js(r.Properties["JwtConfiguration"].(map[string]any)["Issuer"])
		if !strings.Contains(issuer, "https://cognito-idp.") || !strings.Contains(issuer, "/"+existing.UserPoolID) {
			t.Errorf("authorizer issuer %s, want the existing pool's", issuer)
		}
	}
}

// Requiring the library kept this module on go 1.24 and on the library's
// floor versions: go mod tidy (make tidy-check runs it here) would rewrite
// go.mod otherwise, since the go line and each version it writes are the
// highest of the module graph.
func TestGoModNotRaised(t *testing.T) {
	mine := readMod(t, "go.mod")
	lib := readMod(t, filepath.Join("..", "..", "constructs", "go.mod"))
	if mine.goLine != "1.24" {
		t.Errorf("go %s, want 1.24", mine.goLine)
	}
	if !atMost(lib.goLine, 1, 24) {
		t.Errorf("the library requires go %s, more than 1.24", lib.goLine)
	}
	for path, v := range mine.require {
		if floor, ok := lib.require[path]; ok && v != floor {
			t.Errorf("%s %s, want the library's floor %s", path, v, floor)
		}
		if strings.Contains(path, "cdk-nag") || strings.HasPrefix(path, "github.com/rhysd/") {
			t.Errorf("requires %s, which the library must not bring", path)
		}
	}
	if mine.require["github.com/aws/aws-cdk-go/awscdk/v2"] == "" {
		t.Error("aws-cdk-go is not required at all")
	}
}

type goMod struct {
	goLine  string
	require map[string]string // module path -> version
}

// readMod reads the go line and the requirements of a go.mod.
func readMod(t *testing.T, path string) goMod {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := goMod{require: map[string]string{}}
	block := false
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(strings.TrimSpace(strings.SplitN(line, "//", 2)[0]))
		switch {
		case len(f) == 2 && f[0] == "go":
			m.goLine = f[1]
		case len(f) == 2 && f[0] == "require" && f[1] == "(":
			block = true
		case len(f) == 1 && f[0] == ")":
			block = false
		case len(f) == 3 && f[0] == "require":
			m.require[f[1]] = f[2]
		case block && len(f) == 2:
			m.require[f[0]] = f[1]
		}
	}
	return m
}

// atMost reports whether the Go version v ("1.23.0", "1.24") is at most
// major.minor.
func atMost(v string, major, minor int) bool {
	var ma, mi int
	if _, err := fmt.Sscanf(v, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma < major || ma == major && mi <= minor
}
