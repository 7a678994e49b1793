package devstack

import (
	"fmt"
	"os"
	"strings"
	"time"

	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/internal/cfn"
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
	// Tables are the stack's tables, as the local DynamoDB creates them;
	// TodosTable is the logical id of the one the stack outputs for
	// identity-pool callers.
	Tables     []Table
	TodosTable string
	// Buckets are the logical ids of the stack's buckets, which the
	// functions' environments refer to.
	Buckets []string
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

// cfnTemplate and cfnResource are the template as the services read it
// (internal/cfn): each service decodes the properties it reads, which the
// template records for the coverage test.
type (
	cfnTemplate = cfn.Template
	cfnResource = cfn.Resource
)

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
	t, err := cfn.Parse(raw)
	if err != nil {
		return nil, err
	}
	return readPlan(*t)
}

func readPlan(t cfnTemplate) (*Plan, error) {
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

// clientOf is the construct path of the app client a value refers to.
func (p *Plan) clientOf(ref cfn.Expr) (string, error) {
	logicalID, err := refID(ref)
	if err != nil {
		return "", err
	}
	for _, c := range p.Clients {
		if c.LogicalID == logicalID {
			return c.Path, nil
		}
	}
	return "", fmt.Errorf("%s is not an app client of the pool", logicalID)
}

// functionEnv reads a function's environment: literals, references and
// joins of them.
func functionEnv(fn *cfnResource) (Env, error) {
	var fp struct {
		Environment struct{ Variables map[string]cfn.Expr }
	}
	if err := fn.Decode(&fp); err != nil {
		return nil, fmt.Errorf("function %s: %w", fn.ID(), err)
	}
	env := Env{}
	for k, e := range fp.Environment.Variables {
		v, ok := envValue(e.Value)
		if j, isJoin := e.Value.(cfn.Join); isJoin && j.Sep == "" {
			v, ok = Value{Join: []Value{}}, true
			for _, part := range j.Parts {
				pv, partOK := envValue(part)
				v.Join, ok = append(v.Join, pv), ok && partOK
			}
		}
		if !ok {
			return nil, fmt.Errorf("function %s: %s = %s is neither a literal, a Ref nor a join of them", fn.ID(), k, e.Raw)
		}
		env[k] = v
	}
	return env, nil
}

// envValue is a literal string or a Ref of the stack.
func envValue(v cfn.Value) (Value, bool) {
	switch v := v.(type) {
	case cfn.String:
		return Value{Literal: string(v)}, true
	case cfn.Ref:
		return Value{Ref: v.Name}, v.Name != ""
	}
	return Value{}, false
}

// functionOfArn is the logical id of the function a trigger ARN names:
// {"Fn::GetAtt": [id, "Arn"]}, or an ARN joined from the partition, region
// and account that ends in ":function:<name>" of a function with that
// FunctionName.
func functionOfArn(t cfnTemplate, arn cfn.Expr) (string, error) {
	if id, err := arnOf(arn); err == nil {
		return id, nil
	}
	text, err := cfn.Render(arn.Value, func(cfn.Value) string { return "\x00" })
	if err != nil {
		return "", fmt.Errorf("%s is not the ARN of a function of the stack", arn.Raw)
	}
	i := strings.LastIndex(text, ":function:")
	name := text[i+len(":function:"):]
	if i < 0 || name == "" || strings.Contains(name, "\x00") {
		return "", fmt.Errorf("%s is not a Lambda function ARN", arn.Raw)
	}
	for _, fn := range t.OfType("AWS::Lambda::Function") {
		var fp struct{ FunctionName string }
		if fn.Decode(&fp) == nil && fp.FunctionName == name {
			return fn.ID(), nil
		}
	}
	return "", fmt.Errorf("no function of the stack is named %q", name)
}

// arnOf reads {"Fn::GetAtt": [id, "Arn"]} and returns id.
func arnOf(e cfn.Expr) (string, error) {
	if g, ok := e.Value.(cfn.GetAtt); ok && g.Attribute == "Arn" {
		return g.Resource, nil
	}
	return "", fmt.Errorf("%s is not the ARN of a resource of the stack", e.Raw)
}

// refID reads {"Ref": id} and returns id.
func refID(e cfn.Expr) (string, error) {
	if r, ok := e.Value.(cfn.Ref); ok && r.Name != "" {
		return r.Name, nil
	}
	return "", fmt.Errorf("%s is not a reference", e.Raw)
}

// stackPath is a resource's construct path without the stack's name.
func stackPath(r cfnResource) string { return r.Path() }

func minutes(m float64) time.Duration { return time.Duration(m * float64(time.Minute)) }
