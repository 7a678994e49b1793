package devstack

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/contract/schema"
)

// golden is the dev stage's template as the snapshot test keeps it.
var golden = filepath.Join("..", "..", "test", "testdata", "portcullis-dev.template.json")

func TestReadPlan(t *testing.T) {
	p, err := ReadPlan(golden)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, c := range p.Clients {
		paths = append(paths, c.Path)
		// The CLI client signs in with the password itself, the others by SRP.
		flow := "ALLOW_USER_SRP_AUTH"
		if c.Path == contract.CLIClientPath {
			flow = "ALLOW_USER_PASSWORD_AUTH"
		}
		if !slices.Contains(c.ExplicitAuthFlows, flow) || c.Access < 5*time.Minute || c.AuthSession != 10*time.Minute {
			t.Errorf("client %s: flows %v, access %v", c.Path, c.ExplicitAuthFlows, c.Access)
		}
	}
	if !slices.Equal(paths, []string{"Clients/CLI", "Clients/SPA", "Clients/Server"}) {
		t.Errorf("clients %v", paths)
	}
	if !slices.Equal(p.Audience, []string{"Clients/SPA", "Clients/Server", "Clients/CLI"}) || !slices.Equal(p.IdentityClients, []string{"Clients/SPA"}) {
		t.Errorf("audience %v, identity clients %v", p.Audience, p.IdentityClients)
	}
	if p.Pool.MinLength < 12 || !p.Pool.RequireSymbols || !slices.Contains(p.Pool.CustomAttributes, "custom:company") {
		t.Errorf("pool %+v", p.Pool)
	}
	for _, key := range []string{"PreSignUp", "CustomMessage", "PostConfirmation", "PreTokenGenerationConfig"} {
		if _, ok := p.Triggers[key]; !ok {
			t.Errorf("no %s trigger", key)
		}
	}
	for _, fn := range routes.Functions() {
		if _, ok := p.Functions[fn]; !ok {
			t.Errorf("no function for %s", fn)
		}
	}
	if v := p.Functions[routes.Todos].Env[schema.Todos.Env]; v.Ref == "" {
		t.Errorf("%s = %+v, want a reference to the table", schema.Todos.Env, v)
	}
	for key, l := range p.lambdas() {
		if !strings.HasPrefix(l.Package, "./lambdas/cmd/") || l.Role == "" || l.MemoryMB < 128 || l.Timeout <= 0 ||
			l.LogFormat != "JSON" || !strings.HasPrefix(l.Name, "portcullis-dev-") || !strings.HasPrefix(l.LogGroup, "portcullis-dev-") {
			t.Errorf("function %s: %+v", key, l)
		}
	}
	env, err := p.Triggers["PreTokenGenerationConfig"].Env.resolve(func(string) string { return "" }, p.localRefs())
	if err != nil {
		t.Fatal(err)
	}
	scopes := env[schema.ClientScopesEnv]
	for _, c := range p.Clients {
		if !strings.Contains(scopes, `"`+clientID(c.Path)+`":[`) || !strings.Contains(scopes, routes.FullScope(routes.TodosRead)) {
			t.Errorf("%s = %s, want the scopes of local client %s", schema.ClientScopesEnv, scopes, clientID(c.Path))
		}
	}
	for _, c := range p.Clients {
		if !slices.Contains(c.WriteAttributes, "custom:company") || !slices.Contains(c.WriteAttributes, "custom:role_name") || slices.Contains(c.WriteAttributes, "email_verified") || !slices.Contains(c.ReadAttributes, "custom:role_name") {
			t.Errorf("client %s read %v, write %v", c.Path, c.ReadAttributes, c.WriteAttributes)
		}
	}
	if !slices.Equal(p.Pool.AccountRecovery, []string{"verified_email", "verified_phone_number"}) || p.Pool.MFA != "OPTIONAL" {
		t.Errorf("pool recovery %v, MFA %q", p.Pool.AccountRecovery, p.Pool.MFA)
	}
	for _, c := range p.Clients {
		if c.LegacyUserExistenceErrors {
			t.Errorf("client %s reveals whether a user exists", c.Path)
		}
	}
	if !slices.Contains(p.Pool.KeepOriginal, "email") {
		t.Errorf("pool keeps no original email until a new one is verified: %v", p.Pool.KeepOriginal)
	}
	if !slices.Contains(p.CORS.AllowHeaders, "authorization") || len(p.CORS.AllowOrigins) == 0 {
		t.Errorf("CORS %+v", p.CORS)
	}
}

// TestPlanRefusesDrift: a template whose routes differ from contract/routes
// (an old synth) is refused, naming the route and what to do.
func TestPlanRefusesDrift(t *testing.T) {
	raw, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, old, new, want string
	}{
		{"scope changed", `"portcullis/todos.read"`, `"portcullis/photos.read"`, `route "GET /todos"`},
		{"route renamed", `"RouteKey": "GET /random"`, `"RouteKey": "GET /dice"`, `route "GET /dice" is deployed but not in contract/routes`},
		{"IAM route opened", `"AuthorizationType": "AWS_IAM"`, `"AuthorizationType": "NONE"`, "synthesize again"},
	}
	for _, c := range cases {
		if !strings.Contains(string(raw), c.old) {
			t.Fatalf("%s: the template has no %s", c.name, c.old)
		}
		_, err := parsePlan([]byte(strings.Replace(string(raw), c.old, c.new, 1)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := ReadPlan(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "make synth") {
		t.Errorf("missing template: %v", err)
	}
}
