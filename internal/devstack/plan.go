package devstack

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/portcullis-cdk/portcullis/lambdas/routes"
)

// Plan is what the local stack takes from a stage's synthesized template:
// the user pool, its app clients and who may call the API, the API's routes
// and CORS, and each function's environment. Reading the template, rather
// than restating the settings, keeps local and deployed from drifting.
type Plan struct {
	Pool    Pool
	Clients []Client
	// Audience are the construct paths of the clients the JWT authorizer accepts.
	Audience []string
	// IdentityClients are the clients whose ID tokens the identity pool accepts.
	IdentityClients []string
	CORS            CORS
	// Functions holds the environment of each API function.
	Functions map[routes.Function]Env
	// Triggers holds the environment of each user pool trigger, by the
	// LambdaConfig key that wires it ("PreSignUp", "PreTokenGenerationConfig").
	Triggers map[string]Env
	// FunctionRoles and TriggerRoles are the logical ids of each function's
	// and trigger's execution role; IdentityRole is the identity pool's
	// authenticated role.
	FunctionRoles map[routes.Function]string
	TriggerRoles  map[string]string
	IdentityRole  string
	// Roles holds the policies attached to each role, by logical id.
	Roles map[string][]RolePolicy
	// Tables and Buckets are the logical ids of the stack's tables and
	// buckets, which the functions' environments refer to.
	Tables, Buckets []string
}

// Pool is the user pool's sign-in configuration.
type Pool struct {
	UsernameAttributes     []string
	AutoVerifiedAttributes []string
	// KeepOriginal are the attributes (email, phone_number) whose old value
	// stays in effect until a changed one is verified.
	KeepOriginal       []string
	RequiredAttributes []string
	CustomAttributes   []string // "custom:company"
	MinLength          int
	RequireUppercase   bool
	RequireLowercase   bool
	RequireNumbers     bool
	RequireSymbols     bool
	TemporaryPassword  time.Duration
}

// Client is an app client of the pool.
type Client struct {
	// Path is the client's construct path below the stack, e.g. "Clients/SPA".
	Path              string
	LogicalID         string
	Secret            bool
	ExplicitAuthFlows []string
	Access, ID        time.Duration
	Refresh           time.Duration
	// ReadAttributes and WriteAttributes; empty means every attribute.
	ReadAttributes, WriteAttributes []string
}

// CORS is the API's CORS configuration.
type CORS struct {
	AllowOrigins, AllowHeaders, AllowMethods []string
	MaxAge                                   time.Duration
}

// Env is a function's environment: a literal per variable, a reference
// to another resource of the stack (a table, the bucket), by logical id, or
// a join of literals and references (a JSON value naming app clients).
type Env map[string]Value

// Value is one environment variable.
type Value struct {
	Literal string
	Ref     string // logical id, when the value is {"Ref": ...}
	// Join holds the parts of {"Fn::Join": ["", [...]]}, each a Literal or
	// a Ref.
	Join []Value
}

type cfnTemplate struct {
	Resources map[string]cfnResource `json:"Resources"`
}

type cfnResource struct {
	Type       string          `json:"Type"`
	Properties json.RawMessage `json:"Properties"`
	Metadata   struct {
		Path string `json:"aws:cdk:path"`
	} `json:"Metadata"`
}

// ReadPlan reads a synthesized stage template.
func ReadPlan(path string) (*Plan, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the stage template (run `make synth` first): %w", err)
	}
	p, err := parsePlan(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

func parsePlan(raw []byte) (*Plan, error) {
	var t cfnTemplate
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, err
	}
	p := &Plan{Functions: map[routes.Function]Env{}, Triggers: map[string]Env{},
		FunctionRoles: map[routes.Function]string{}, TriggerRoles: map[string]string{}}
	one := func(typ string) (string, cfnResource, error) {
		var id string
		for k, r := range t.Resources {
			if r.Type == typ {
				if id != "" {
					return "", cfnResource{}, fmt.Errorf("more than one %s", typ)
				}
				id = k
			}
		}
		if id == "" {
			return "", cfnResource{}, fmt.Errorf("no %s", typ)
		}
		return id, t.Resources[id], nil
	}

	_, pool, err := one("AWS::Cognito::UserPool")
	if err != nil {
		return nil, err
	}
	var pp struct {
		UsernameAttributes     []string
		AutoVerifiedAttributes []string
		Policies               struct {
			PasswordPolicy struct {
				MinimumLength                 int
				RequireUppercase              bool
				RequireLowercase              bool
				RequireNumbers                bool
				RequireSymbols                bool
				TemporaryPasswordValidityDays int
			}
		}
		Schema []struct {
			Name              string
			AttributeDataType string
			Required          bool
		}
		LambdaConfig                map[string]json.RawMessage
		UserAttributeUpdateSettings struct {
			AttributesRequireVerificationBeforeUpdate []string
		}
	}
	if err := json.Unmarshal(pool.Properties, &pp); err != nil {
		return nil, fmt.Errorf("user pool: %w", err)
	}
	pw := pp.Policies.PasswordPolicy
	p.Pool = Pool{
		UsernameAttributes:     pp.UsernameAttributes,
		AutoVerifiedAttributes: pp.AutoVerifiedAttributes,
		KeepOriginal:           pp.UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate,
		MinLength:              pw.MinimumLength,
		RequireUppercase:       pw.RequireUppercase,
		RequireLowercase:       pw.RequireLowercase,
		RequireNumbers:         pw.RequireNumbers,
		RequireSymbols:         pw.RequireSymbols,
		TemporaryPassword:      time.Duration(pw.TemporaryPasswordValidityDays) * 24 * time.Hour,
	}
	for _, a := range pp.Schema {
		switch {
		case a.AttributeDataType != "":
			p.Pool.CustomAttributes = append(p.Pool.CustomAttributes, "custom:"+a.Name)
		case a.Required:
			p.Pool.RequiredAttributes = append(p.Pool.RequiredAttributes, a.Name)
		}
	}
	for key, v := range pp.LambdaConfig {
		if key == "PreTokenGenerationConfig" {
			var cfg struct {
				LambdaArn     json.RawMessage
				LambdaVersion string
			}
			if err := json.Unmarshal(v, &cfg); err != nil || cfg.LambdaVersion != "V2_0" {
				return nil, fmt.Errorf("user pool PreTokenGenerationConfig %s: want a version V2_0 trigger", v)
			}
			v = cfg.LambdaArn
		}
		fn, err := functionOfArn(t, v)
		if err != nil {
			return nil, fmt.Errorf("user pool LambdaConfig.%s: %w", key, err)
		}
		if p.Triggers[key], err = functionEnv(t, fn); err != nil {
			return nil, err
		}
		if p.TriggerRoles[key], err = functionRole(t, fn); err != nil {
			return nil, err
		}
	}

	for id, r := range t.Resources {
		if r.Type != "AWS::Cognito::UserPoolClient" {
			continue
		}
		var c struct {
			GenerateSecret                                             bool
			ExplicitAuthFlows                                          []string
			AccessTokenValidity, IdTokenValidity, RefreshTokenValidity float64
			TokenValidityUnits                                         map[string]string
			ReadAttributes, WriteAttributes                            []string
		}
		if err := json.Unmarshal(r.Properties, &c); err != nil {
			return nil, fmt.Errorf("client %s: %w", id, err)
		}
		for k, unit := range c.TokenValidityUnits {
			if unit != "minutes" {
				return nil, fmt.Errorf("client %s: %s validity in %s; the local pool reads minutes", id, k, unit)
			}
		}
		p.Clients = append(p.Clients, Client{
			Path:              strings.TrimSuffix(stackPath(r), "/Resource"),
			LogicalID:         id,
			Secret:            c.GenerateSecret,
			ExplicitAuthFlows: c.ExplicitAuthFlows,
			Access:            minutes(c.AccessTokenValidity),
			ID:                minutes(c.IdTokenValidity),
			Refresh:           minutes(c.RefreshTokenValidity),
			ReadAttributes:    c.ReadAttributes,
			WriteAttributes:   c.WriteAttributes,
		})
	}
	sort.Slice(p.Clients, func(i, j int) bool { return p.Clients[i].Path < p.Clients[j].Path })
	clientPath := func(logicalID string) (string, error) {
		for _, c := range p.Clients {
			if c.LogicalID == logicalID {
				return c.Path, nil
			}
		}
		return "", fmt.Errorf("%s is not an app client of the pool", logicalID)
	}

	_, authz, err := one("AWS::ApiGatewayV2::Authorizer")
	if err != nil {
		return nil, err
	}
	var az struct {
		JwtConfiguration struct{ Audience []json.RawMessage }
	}
	if err := json.Unmarshal(authz.Properties, &az); err != nil {
		return nil, fmt.Errorf("JWT authorizer: %w", err)
	}
	for _, a := range az.JwtConfiguration.Audience {
		path, err := refTo(a, clientPath)
		if err != nil {
			return nil, fmt.Errorf("JWT authorizer audience: %w", err)
		}
		p.Audience = append(p.Audience, path)
	}

	_, ip, err := one("AWS::Cognito::IdentityPool")
	if err != nil {
		return nil, err
	}
	var ipp struct {
		AllowUnauthenticatedIdentities bool
		CognitoIdentityProviders       []struct{ ClientId json.RawMessage }
	}
	if err := json.Unmarshal(ip.Properties, &ipp); err != nil {
		return nil, fmt.Errorf("identity pool: %w", err)
	}
	if ipp.AllowUnauthenticatedIdentities {
		return nil, errors.New("identity pool allows unauthenticated identities; the local one never does")
	}
	for _, prov := range ipp.CognitoIdentityProviders {
		path, err := refTo(prov.ClientId, clientPath)
		if err != nil {
			return nil, fmt.Errorf("identity pool provider: %w", err)
		}
		p.IdentityClients = append(p.IdentityClients, path)
	}

	_, api, err := one("AWS::ApiGatewayV2::Api")
	if err != nil {
		return nil, err
	}
	var ap struct {
		CorsConfiguration struct {
			AllowOrigins, AllowHeaders, AllowMethods []string
			MaxAge                                   int
		}
	}
	if err := json.Unmarshal(api.Properties, &ap); err != nil {
		return nil, fmt.Errorf("API: %w", err)
	}
	c := ap.CorsConfiguration
	p.CORS = CORS{AllowOrigins: c.AllowOrigins, AllowHeaders: c.AllowHeaders, AllowMethods: c.AllowMethods, MaxAge: time.Duration(c.MaxAge) * time.Second}

	if err := p.readRoutes(t); err != nil {
		return nil, err
	}
	if p.IdentityRole, err = identityRole(t); err != nil {
		return nil, err
	}
	if p.Roles, err = readRolePolicies(t); err != nil {
		return nil, err
	}
	for id, r := range t.Resources {
		switch r.Type {
		case "AWS::DynamoDB::Table":
			p.Tables = append(p.Tables, id)
		case "AWS::S3::Bucket":
			p.Buckets = append(p.Buckets, id)
		}
	}
	sort.Strings(p.Tables)
	sort.Strings(p.Buckets)
	return p, nil
}

// readRoutes checks the template's routes against the route table the
// handlers and the local gateway use, and collects each function's
// environment from its integration's target.
func (p *Plan) readRoutes(t cfnTemplate) error {
	want := map[string]routes.Route{}
	for _, r := range routes.All() {
		want[r.Key()] = r
	}
	fnOf := map[routes.Function]string{} // function -> logical id
	seen := map[string]bool{}
	for id, r := range t.Resources {
		if r.Type != "AWS::ApiGatewayV2::Route" {
			continue
		}
		var rp struct {
			RouteKey            string
			AuthorizationType   string
			AuthorizationScopes []string
			Target              struct {
				Join []json.RawMessage `json:"Fn::Join"`
			}
		}
		if err := json.Unmarshal(r.Properties, &rp); err != nil {
			return fmt.Errorf("route %s: %w", id, err)
		}
		route, ok := want[rp.RouteKey]
		if !ok {
			return fmt.Errorf("route %q is deployed but not in lambdas/routes: synthesize again (`make synth`)", rp.RouteKey)
		}
		seen[rp.RouteKey] = true
		wantAuth, wantScopes := "JWT", []string{routes.FullScope(route.Scope)}
		if route.Auth == routes.IAM {
			wantAuth, wantScopes = "AWS_IAM", nil
		}
		if rp.AuthorizationType != wantAuth || !slices.Equal(rp.AuthorizationScopes, wantScopes) {
			return fmt.Errorf("route %q: template authorizes by %s %v, lambdas/routes by %s %v: synthesize again",
				rp.RouteKey, rp.AuthorizationType, rp.AuthorizationScopes, wantAuth, wantScopes)
		}
		fn, err := integrationFunction(t, rp.Target.Join)
		if err != nil {
			return fmt.Errorf("route %q: %w", rp.RouteKey, err)
		}
		if prev, ok := fnOf[route.Function]; ok && prev != fn {
			return fmt.Errorf("function %q is served by both %s and %s", route.Function, prev, fn)
		}
		fnOf[route.Function] = fn
	}
	for key := range want {
		if !seen[key] {
			return fmt.Errorf("route %q is in lambdas/routes but not in the template: synthesize again (`make synth`)", key)
		}
	}
	for name, fn := range fnOf {
		env, err := functionEnv(t, fn)
		if err != nil {
			return err
		}
		p.Functions[name] = env
		if p.FunctionRoles[name], err = functionRole(t, fn); err != nil {
			return err
		}
	}
	return nil
}

// integrationFunction follows a route's target, "integrations/<id>", to the
// Lambda function the integration invokes.
func integrationFunction(t cfnTemplate, join []json.RawMessage) (string, error) {
	var parts []json.RawMessage
	if len(join) != 2 || json.Unmarshal(join[1], &parts) != nil || len(parts) != 2 {
		return "", errors.New("target is not integrations/<integration>")
	}
	var ref struct{ Ref string }
	if err := json.Unmarshal(parts[1], &ref); err != nil || ref.Ref == "" {
		return "", errors.New("target does not reference an integration")
	}
	in, ok := t.Resources[ref.Ref]
	if !ok || in.Type != "AWS::ApiGatewayV2::Integration" {
		return "", fmt.Errorf("integration %s not found", ref.Ref)
	}
	var ip struct{ IntegrationUri json.RawMessage }
	if err := json.Unmarshal(in.Properties, &ip); err != nil {
		return "", err
	}
	return getAttArn(ip.IntegrationUri)
}

// functionEnv is the environment of the Lambda function with logical id fn.
func functionEnv(t cfnTemplate, fn string) (Env, error) {
	r, ok := t.Resources[fn]
	if !ok || r.Type != "AWS::Lambda::Function" {
		return nil, fmt.Errorf("function %s not found", fn)
	}
	var fp struct {
		Environment struct{ Variables map[string]json.RawMessage }
	}
	if err := json.Unmarshal(r.Properties, &fp); err != nil {
		return nil, fmt.Errorf("function %s: %w", fn, err)
	}
	env := Env{}
	for k, raw := range fp.Environment.Variables {
		var lit string
		if json.Unmarshal(raw, &lit) == nil {
			env[k] = Value{Literal: lit}
			continue
		}
		var ref struct{ Ref string }
		if json.Unmarshal(raw, &ref) == nil && ref.Ref != "" {
			env[k] = Value{Ref: ref.Ref}
			continue
		}
		if parts, ok := joinParts(raw); ok {
			env[k] = Value{Join: parts}
			continue
		}
		return nil, fmt.Errorf("function %s: %s = %s is neither a literal, a Ref nor a join of them", fn, k, raw)
	}
	return env, nil
}

// joinParts reads {"Fn::Join": ["", [part, ...]]} whose parts are literals
// and {"Ref": id}.
func joinParts(raw json.RawMessage) ([]Value, bool) {
	var j struct {
		Join []json.RawMessage `json:"Fn::Join"`
	}
	var sep string
	var items []json.RawMessage
	if json.Unmarshal(raw, &j) != nil || len(j.Join) != 2 || json.Unmarshal(j.Join[0], &sep) != nil || sep != "" ||
		json.Unmarshal(j.Join[1], &items) != nil {
		return nil, false
	}
	parts := make([]Value, 0, len(items))
	for _, it := range items {
		var lit string
		var ref struct{ Ref string }
		switch {
		case json.Unmarshal(it, &lit) == nil:
			parts = append(parts, Value{Literal: lit})
		case json.Unmarshal(it, &ref) == nil && ref.Ref != "":
			parts = append(parts, Value{Ref: ref.Ref})
		default:
			return nil, false
		}
	}
	return parts, true
}

// functionOfArn is the logical id of the function a trigger ARN names:
// {"Fn::GetAtt": [id, "Arn"]}, or an ARN joined from the partition, region
// and account that ends in ":function:<name>" of a function with that
// FunctionName.
func functionOfArn(t cfnTemplate, raw json.RawMessage) (string, error) {
	if id, err := getAttArn(raw); err == nil {
		return id, nil
	}
	parts, ok := joinParts(raw)
	if !ok || len(parts) == 0 || parts[len(parts)-1].Literal == "" {
		return "", fmt.Errorf("%s is not the ARN of a function of the stack", raw)
	}
	_, name, found := strings.Cut(parts[len(parts)-1].Literal, ":function:")
	if !found || name == "" {
		return "", fmt.Errorf("%s is not a Lambda function ARN", raw)
	}
	for id, r := range t.Resources {
		if r.Type != "AWS::Lambda::Function" {
			continue
		}
		var fp struct{ FunctionName string }
		if json.Unmarshal(r.Properties, &fp) == nil && fp.FunctionName == name {
			return id, nil
		}
	}
	return "", fmt.Errorf("no function of the stack is named %q", name)
}

// getAttArn reads {"Fn::GetAtt": [id, "Arn"]} and returns id.
func getAttArn(raw json.RawMessage) (string, error) {
	var v struct {
		GetAtt []string `json:"Fn::GetAtt"`
	}
	if err := json.Unmarshal(raw, &v); err != nil || len(v.GetAtt) != 2 || v.GetAtt[1] != "Arn" {
		return "", fmt.Errorf("%s is not the ARN of a resource of the stack", raw)
	}
	return v.GetAtt[0], nil
}

// refTo reads {"Ref": id} and maps id with to.
func refTo(raw json.RawMessage, to func(string) (string, error)) (string, error) {
	var ref struct{ Ref string }
	if err := json.Unmarshal(raw, &ref); err != nil || ref.Ref == "" {
		return "", fmt.Errorf("%s is not a reference", raw)
	}
	return to(ref.Ref)
}

// stackPath is a resource's construct path without the stack's name.
func stackPath(r cfnResource) string {
	_, rest, _ := strings.Cut(r.Metadata.Path, "/")
	return rest
}

func minutes(m float64) time.Duration { return time.Duration(m * float64(time.Minute)) }
