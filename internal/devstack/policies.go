package devstack

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

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
	ids := make([]string, 0, len(t.Resources))
	for id := range t.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := t.Resources[id]
		switch r.Type {
		case "AWS::IAM::Role":
			var rp struct {
				Policies []struct {
					PolicyName     string
					PolicyDocument json.RawMessage
				}
			}
			if err := json.Unmarshal(r.Properties, &rp); err != nil {
				return nil, fmt.Errorf("role %s: %w", id, err)
			}
			if _, ok := out[id]; !ok {
				out[id] = nil
			}
			for _, p := range rp.Policies {
				out[id] = append(out[id], RolePolicy{Name: id + "/" + p.PolicyName, Document: p.PolicyDocument})
			}
		case "AWS::IAM::Policy":
			var pp struct {
				PolicyDocument json.RawMessage
				Roles          []json.RawMessage
			}
			if err := json.Unmarshal(r.Properties, &pp); err != nil {
				return nil, fmt.Errorf("policy %s: %w", id, err)
			}
			for _, role := range pp.Roles {
				var ref struct{ Ref string }
				if err := json.Unmarshal(role, &ref); err != nil || ref.Ref == "" {
					return nil, fmt.Errorf("policy %s: role %s is not a reference to a role of the stack", id, role)
				}
				out[ref.Ref] = append(out[ref.Ref], RolePolicy{Name: id, Document: pp.PolicyDocument})
			}
		}
	}
	return out, nil
}

// functionRole is the logical id of a Lambda function's execution role.
func functionRole(t cfnTemplate, fn string) (string, error) {
	var fp struct{ Role json.RawMessage }
	if err := json.Unmarshal(t.Resources[fn].Properties, &fp); err != nil {
		return "", fmt.Errorf("function %s: %w", fn, err)
	}
	role, err := getAttArn(fp.Role)
	if err != nil {
		return "", fmt.Errorf("function %s role: %w", fn, err)
	}
	return role, nil
}

// identityRole is the logical id of the identity pool's authenticated role.
func identityRole(t cfnTemplate) (string, error) {
	for id, r := range t.Resources {
		if r.Type != "AWS::Cognito::IdentityPoolRoleAttachment" {
			continue
		}
		var ra struct{ Roles map[string]json.RawMessage }
		if err := json.Unmarshal(r.Properties, &ra); err != nil {
			return "", fmt.Errorf("identity pool roles %s: %w", id, err)
		}
		return getAttArn(ra.Roles["authenticated"])
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
	var out []iam.Policy
	for _, d := range docs {
		var doc struct {
			Statement []map[string]json.RawMessage
		}
		if err := json.Unmarshal(d.Document, &doc); err != nil {
			return nil, fmt.Errorf("policy %s: %w", d.Name, err)
		}
		resolved := make([]map[string]any, len(doc.Statement))
		problems := make([][]string, len(doc.Statement))
		for i, st := range doc.Statement {
			resolved[i] = map[string]any{}
			for k, v := range st {
				var tree any
				if err := json.Unmarshal(v, &tree); err != nil {
					return nil, fmt.Errorf("policy %s: %w", d.Name, err)
				}
				value, err := n.resolve(tree)
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

// resolve replaces Ref, Fn::GetAtt <id>.Arn, Fn::Join and Fn::Sub of the
// stack's pseudo parameters, tables and buckets by their local values.
func (n Names) resolve(v any) (any, error) {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			r, err := n.resolve(e)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		if len(v) != 1 {
			out := map[string]any{}
			for k, e := range v {
				r, err := n.resolve(e)
				if err != nil {
					return nil, err
				}
				out[k] = r
			}
			return out, nil
		}
		for fn, arg := range v {
			return n.intrinsic(fn, arg)
		}
	}
	return v, nil
}

// intrinsic resolves one {fn: arg} object: an intrinsic function, or any
// other single-key object whose value is resolved in turn.
func (n Names) intrinsic(fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		name, _ := arg.(string)
		return n.ref(name)
	case "Fn::GetAtt":
		parts, _ := arg.([]any)
		if len(parts) != 2 || parts[1] != "Arn" {
			return nil, fmt.Errorf("Fn::GetAtt %v is not a resource's Arn", arg)
		}
		id, _ := parts[0].(string)
		return n.arn(id)
	case "Fn::Join":
		return n.join(arg)
	case "Fn::Sub":
		return n.sub(arg)
	}
	if strings.HasPrefix(fn, "Fn::") {
		return nil, fmt.Errorf("%s is not supported locally", fn)
	}
	r, err := n.resolve(arg)
	if err != nil {
		return nil, err
	}
	return map[string]any{fn: r}, nil
}

func (n Names) join(arg any) (any, error) {
	parts, _ := arg.([]any)
	if len(parts) != 2 {
		return nil, fmt.Errorf("Fn::Join %v", arg)
	}
	sep, _ := parts[0].(string)
	list, err := n.resolve(parts[1])
	if err != nil {
		return nil, err
	}
	items, _ := list.([]any)
	strs := make([]string, len(items))
	for i, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, fmt.Errorf("Fn::Join of %v", it)
		}
		strs[i] = s
	}
	return strings.Join(strs, sep), nil
}

func (n Names) sub(arg any) (any, error) {
	s, ok := arg.(string)
	if !ok {
		return nil, fmt.Errorf("Fn::Sub with variables is not supported locally")
	}
	var err error
	out := subPattern.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.Contains(name, ":") && !strings.HasPrefix(name, "AWS::") {
			// A policy variable, ${aws:username}, left for IAM.
			return m
		}
		r, rerr := n.ref(strings.TrimSuffix(name, ".Arn"))
		if rerr != nil {
			err = rerr
			return m
		}
		return r
	})
	return out, err
}

func (n Names) ref(name string) (string, error) {
	switch name {
	case "AWS::Partition":
		return "aws", nil
	case "AWS::Region":
		return n.Region, nil
	case "AWS::AccountId":
		return n.AccountID, nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	}
	if t, ok := n.Tables[name]; ok {
		return t, nil
	}
	if b, ok := n.Buckets[name]; ok {
		return b, nil
	}
	if v, ok := n.Refs[name]; ok {
		return v, nil
	}
	return "", fmt.Errorf("Ref %s has no local value", name)
}

func (n Names) arn(id string) (string, error) {
	if t, ok := n.Tables[id]; ok {
		return "arn:aws:dynamodb:" + n.Region + ":" + n.AccountID + ":table/" + t, nil
	}
	if b, ok := n.Buckets[id]; ok {
		return "arn:aws:s3:::" + b, nil
	}
	return "", fmt.Errorf("%s.Arn has no local value", id)
}

// subPattern matches the ${...} references of Fn::Sub.
var subPattern = regexp.MustCompile(`\$\{([^}]*)\}`)
