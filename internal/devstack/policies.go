package devstack

import (
	"encoding/json"
	"fmt"

	"github.com/portcullis-cdk/portcullis/internal/cfn"
	"github.com/portcullis-cdk/portcullis/internal/protocol/iam"
)

// RolePolicy is a policy document attached to a role in the template, its
// intrinsic functions unresolved.
type RolePolicy struct {
	Name     string
	Document json.RawMessage
}

// readRolePolicies collects, by role logical id, the AWS::IAM::Policy
// documents attached to each role and the role's inline policies.
// Managed policies (AWS's own, for logs) are left out: they grant nothing
// on DynamoDB or S3, which is all the local stack authorizes.
func readRolePolicies(t cfnTemplate) (map[string][]RolePolicy, error) {
	out := map[string][]RolePolicy{}
	for _, r := range t.OfType("AWS::IAM::Role") {
		var rp struct {
			Policies []struct {
				PolicyName     string
				PolicyDocument json.RawMessage
			}
		}
		if err := r.Decode(&rp); err != nil {
			return nil, fmt.Errorf("role %s: %w", r.ID(), err)
		}
		if _, ok := out[r.ID()]; !ok {
			out[r.ID()] = nil // a role without policies is still a role
		}
		for _, p := range rp.Policies {
			out[r.ID()] = append(out[r.ID()], RolePolicy{Name: r.ID() + "/" + p.PolicyName, Document: p.PolicyDocument})
		}
	}
	for _, r := range t.OfType("AWS::IAM::Policy") {
		var pp struct {
			PolicyDocument json.RawMessage
			Roles          []cfn.Expr
		}
		if err := r.Decode(&pp); err != nil {
			return nil, fmt.Errorf("policy %s: %w", r.ID(), err)
		}
		for _, role := range pp.Roles {
			id, err := refID(role)
			if err != nil {
				return nil, fmt.Errorf("policy %s: role %s is not a reference to a role of the stack", r.ID(), role.Raw)
			}
			out[id] = append(out[id], RolePolicy{Name: r.ID(), Document: pp.PolicyDocument})
		}
	}
	return out, nil
}

// functionRole is the logical id of a Lambda function's execution role.
func functionRole(fn *cfnResource) (string, error) {
	var fp struct{ Role cfn.Expr }
	if err := fn.Decode(&fp); err != nil {
		return "", fmt.Errorf("function %s: %w", fn.ID(), err)
	}
	role, err := arnOf(fp.Role)
	if err != nil {
		return "", fmt.Errorf("function %s role: %w", fn.ID(), err)
	}
	return role, nil
}

// identityRole is the logical id of the identity pool's authenticated role.
func identityRole(t cfnTemplate) (string, error) {
	for _, r := range t.OfType("AWS::Cognito::IdentityPoolRoleAttachment") {
		// Only the authenticated role: the local identity pool refuses
		// unauthenticated identities (readIdentityPool).
		var ra struct {
			Roles struct {
				Authenticated cfn.Expr `json:"authenticated"`
			}
		}
		if err := r.Decode(&ra); err != nil {
			return "", fmt.Errorf("identity pool roles %s: %w", r.ID(), err)
		}
		return arnOf(ra.Roles.Authenticated)
	}
	return "", fmt.Errorf("no AWS::Cognito::IdentityPoolRoleAttachment")
}

// Names resolves the template's intrinsic functions to local values.
type Names struct {
	Region, AccountID string
	// Tables and Buckets give the local name of each table and bucket, by
	// logical id.
	Tables, Buckets map[string]string
	// Refs gives the value of Ref for any other logical id (an OIDC
	// provider's ARN, say).
	Refs map[string]string
}

// RoleARN is the local ARN of the role with a logical id.
func (n Names) RoleARN(logicalID string) string {
	return "arn:aws:iam::" + n.AccountID + ":role/" + logicalID
}

// Policies resolves the policies of a role into what the evaluator reads.
// A statement whose values cannot be resolved is kept, marked as not
// understood, so it denies every request its actions cover.
func (n Names) Policies(docs []RolePolicy) ([]iam.Policy, error) {
	table := n.table()
	var out []iam.Policy
	for _, d := range docs {
		v, err := cfn.ParseValue(d.Document)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", d.Name, err)
		}
		doc, _ := v.(cfn.Object)
		statements, ok := doc["Statement"].(cfn.List)
		if !ok && doc["Statement"] != nil {
			return nil, fmt.Errorf("policy %s: Statement is not a list", d.Name)
		}
		resolved := make([]map[string]any, len(statements))
		problems := make([][]string, len(statements))
		for i, st := range statements {
			obj, ok := st.(cfn.Object)
			if !ok {
				return nil, fmt.Errorf("policy %s: statement %d is not an object", d.Name, i)
			}
			resolved[i] = map[string]any{}
			for k, v := range obj {
				value, err := cfn.Resolve(v, table)
				if err != nil {
					problems[i] = append(problems[i], fmt.Sprintf("%s: %v", k, err))
					continue
				}
				resolved[i][k] = value
			}
		}
		raw, err := json.Marshal(map[string]any{"Statement": resolved})
		if err != nil {
			return nil, err
		}
		p, err := iam.ParseDocument(d.Name, raw)
		if err != nil {
			return nil, err
		}
		for i := range p.Statements {
			p.Statements[i].Unsupported = append(p.Statements[i].Unsupported, problems[i]...)
		}
		out = append(out, p)
	}
	return out, nil
}

// table is the name table the template's intrinsic functions resolve
// against: the pseudo parameters, each table's and bucket's local name and
// ARN, and Refs.
func (n Names) table() cfn.Names {
	refs := map[string]string{
		"AWS::Partition": "aws", "AWS::Region": n.Region, "AWS::AccountId": n.AccountID, "AWS::URLSuffix": "amazonaws.com",
	}
	for k, v := range n.Refs {
		refs[k] = v
	}
	for id, name := range n.Buckets {
		refs[id], refs[id+".Arn"] = name, "arn:aws:s3:::"+name
	}
	for id, name := range n.Tables {
		refs[id], refs[id+".Arn"] = name, "arn:aws:dynamodb:"+n.Region+":"+n.AccountID+":table/"+name
	}
	return cfn.Names{Refs: refs}
}
