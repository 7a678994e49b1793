package devstack

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/portcullis-cdk/portcullis/contract/routes"
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
	// IdentityClients are the clients whose ID tokens the identity pool
	// accepts; IdentityTokenCheck is their ServerSideTokenCheck.
	IdentityClients    []string
	IdentityTokenCheck bool
	// IdentityPool is the identity pool's logical id, which functions'
	// environments refer to.
	IdentityPool string
	CORS         CORS
	// Functions are the functions behind the API's routes.
	Functions map[routes.Function]*Lambda
	// Triggers are the user pool's triggers, by the LambdaConfig key that
	// wires each ("PreSignUp", "PreTokenGenerationConfig").
	Triggers map[string]*Lambda
	// IdentityRole is the identity pool's authenticated role.
	IdentityRole string
	// Roles holds the policies attached to each role, by logical id.
	Roles map[string][]RolePolicy
	// Tables and Buckets are the logical ids of the stack's tables and
	// buckets, which the functions' environments refer to.
	Tables, Buckets []string
	// BucketCORS are the photo bucket's CORS rules.
	BucketCORS []s3types.CORSRule
	// Web is the distribution.
	Web Web
	// NotEmulated names what the template uses that the local stack runs
	// without (threat protection, SES, custom domains, WAF), one line each.
	NotEmulated []string
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
		// Package is a Go function's golambda.PackageMetadata.
		Package string `json:"golambda:package"`
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

// parsePlan reads the template: each service of the local stack reads its
// own resources, in the order of services.
func parsePlan(raw []byte) (*Plan, error) {
	var t cfnTemplate
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, err
	}
	p := &Plan{Functions: map[routes.Function]*Lambda{}, Triggers: map[string]*Lambda{}}
	for _, svc := range services {
		if svc.read == nil {
			continue
		}
		if err := svc.read(t, p); err != nil {
			return nil, err
		}
	}
	p.NotEmulated = readNotEmulated(t)
	return p, nil
}

// one is the template's only resource of a type.
func (t cfnTemplate) one(typ string) (string, cfnResource, error) {
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

// clientPath is the construct path of the app client with the logical id.
func (p *Plan) clientPath(logicalID string) (string, error) {
	for _, c := range p.Clients {
		if c.LogicalID == logicalID {
			return c.Path, nil
		}
	}
	return "", fmt.Errorf("%s is not an app client of the pool", logicalID)
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
