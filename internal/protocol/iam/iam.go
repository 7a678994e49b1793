// Package iam evaluates identity-based IAM policies, and resource-based ones
// such as a role's trust policy, the way AWS does for a request inside one
// account: an explicit Deny wins, otherwise any Allow allows, otherwise the
// request is implicitly denied. It supports what the
// Portcullis templates use and what the IAM reference defines for it:
// Action/NotAction and Resource/NotResource with * and ? wildcards, policy
// variables (${cognito-identity.amazonaws.com:sub}, ...), and the condition
// operators in Operators, with the ForAllValues: and ForAnyValue: set
// qualifiers. A statement that uses anything else, and applies to the
// request, denies it (fail closed) and says what was not understood.
package iam

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Policy is a policy document.
type Policy struct {
	// Name identifies the policy in decisions, e.g. the template's logical id.
	Name       string
	Statements []Statement
}

// Statement is one statement of a policy document. Action, Resource and
// the condition values are as written, policy variables unresolved.
type Statement struct {
	Sid                   string
	Effect                string // Allow or Deny
	Action, NotAction     []string
	Resource, NotResource []string
	// Principal, in a resource-based policy, is principal type (AWS,
	// Federated, Service) -> the principals it names; "*" as the type or an
	// id matches any. A statement without one is identity-based.
	Principal map[string][]string
	// Condition is operator -> condition key -> values.
	Condition map[string]map[string][]string
	// Unsupported names what the statement uses that the evaluator does
	// not understand; such a statement denies every request it applies to.
	Unsupported []string
}

// Request is what is being authorized.
type Request struct {
	// Action is service:Operation, e.g. dynamodb:Query.
	Action string
	// Resource is the ARN acted on.
	Resource string
	// Context holds the request's condition keys (dynamodb:LeadingKeys,
	// s3:prefix, ...); a key may have several values.
	Context map[string][]string
	// Variables resolve policy variables: cognito-identity.amazonaws.com:sub
	// -> the identity id.
	Variables map[string]string
	// Principal is who asks, for resource-based policies: a statement with
	// a Principal applies only to a request whose principal it names.
	Principal Principal
}

// Principal is a caller as resource-based policies name it: Type is AWS,
// Federated or Service, ID an ARN or a service or provider name.
type Principal struct {
	Type, ID string
}

// Effect is the outcome of an evaluation.
type Effect int

const (
	// ImplicitDeny: no statement allows the request.
	ImplicitDeny Effect = iota
	// Allow: a statement allows it and none denies it.
	Allow
	// ExplicitDeny: a Deny statement, or a statement the evaluator does not
	// understand, applies.
	ExplicitDeny
)

// Decision is an evaluation's effect and, for a deny, why.
type Decision struct {
	Effect Effect
	Reason string
}

// Allowed reports whether the request may proceed.
func (d Decision) Allowed() bool { return d.Effect == Allow }

// Operators are the condition operators the evaluator understands; each
// may carry a ForAllValues: or ForAnyValue: qualifier, and the String ones
// an IfExists suffix (true when the key is absent).
var Operators = []string{"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringLike", "StringNotLike", "Bool", "Null"}

// Evaluate decides req against the policies.
func Evaluate(req Request, policies ...Policy) Decision {
	allowed := ""
	for _, p := range policies {
		for i, st := range p.Statements {
			where := fmt.Sprintf("%s statement %d", p.Name, i)
			if st.Sid != "" {
				where += " (" + st.Sid + ")"
			}
			if !st.matchesAction(req.Action) {
				continue
			}
			if len(st.Unsupported) > 0 {
				return Decision{ExplicitDeny, where + " uses what the local evaluator does not understand, so it denies: " + strings.Join(st.Unsupported, "; ")}
			}
			applies, problem := st.applies(req)
			if problem != "" {
				return Decision{ExplicitDeny, where + ": " + problem + "; the local evaluator denies"}
			}
			if !applies {
				continue
			}
			if st.Effect == "Deny" {
				return Decision{ExplicitDeny, where + " denies " + req.Action + " on " + req.Resource}
			}
			if allowed == "" {
				allowed = where
			}
		}
	}
	if allowed != "" {
		return Decision{Effect: Allow, Reason: allowed + " allows it"}
	}
	return Decision{ImplicitDeny, "no statement allows " + req.Action + " on " + req.Resource}
}

func (st Statement) matchesAction(action string) bool {
	match := func(patterns []string) bool {
		for _, p := range patterns {
			if wildcard(strings.ToLower(p), strings.ToLower(action)) {
				return true
			}
		}
		return false
	}
	if st.NotAction != nil {
		return !match(st.NotAction)
	}
	return match(st.Action)
}

// applies reports whether the statement's Resource and Condition match;
// problem is set when a policy variable cannot be resolved.
func (st Statement) applies(req Request) (bool, string) {
	match := func(patterns []string) (bool, string) {
		for _, p := range patterns {
			resolved, problem := substitute(p, req.Variables)
			if problem != "" {
				return false, problem
			}
			if wildcard(resolved, req.Resource) {
				return true, ""
			}
		}
		return false, ""
	}
	if st.Principal != nil && !st.names(req.Principal) {
		return false, ""
	}
	var ok bool
	var problem string
	switch {
	case st.Principal != nil && st.Resource == nil && st.NotResource == nil:
		// A resource-based statement's resource is the policy's own.
		ok = true
	case st.NotResource != nil:
		ok, problem = match(st.NotResource)
		ok = !ok
	default:
		ok, problem = match(st.Resource)
	}
	if problem != "" || !ok {
		return false, problem
	}
	for op, keys := range st.Condition {
		for key, values := range keys {
			ok, problem := condition(op, values, req.Context[key], hasKey(req.Context, key), req.Variables)
			if problem != "" || !ok {
				return false, problem
			}
		}
	}
	return true, ""
}

// names reports whether the statement's Principal includes p.
func (st Statement) names(p Principal) bool {
	for typ, ids := range st.Principal {
		if typ != "*" && typ != p.Type {
			continue
		}
		for _, id := range ids {
			if id == "*" || id == p.ID {
				return true
			}
		}
	}
	return false
}

func hasKey(ctx map[string][]string, key string) bool {
	_, ok := ctx[key]
	return ok
}

// condition evaluates one operator on one key. Policy values are ORed.
// Without a qualifier, a missing key fails a positive operator and passes
// a negated one; ForAllValues passes when every request value matches
// some policy value (so also when the key is missing or empty);
// ForAnyValue passes when some request value matches.
func condition(op string, policyValues, values []string, present bool, vars map[string]string) (bool, string) {
	qualifier, base, qualified := strings.Cut(op, ":")
	if !qualified {
		base, qualifier = op, ""
	}
	if b, ok := strings.CutSuffix(base, "IfExists"); ok && strings.HasPrefix(b, "String") {
		if !present {
			return true, ""
		}
		base = b
	}
	resolved := make([]string, len(policyValues))
	for i, v := range policyValues {
		r, problem := substitute(v, vars)
		if problem != "" {
			return false, problem
		}
		resolved[i] = r
	}
	one := func(v string) bool {
		for _, p := range resolved {
			switch base {
			case "StringEquals", "StringNotEquals":
				if v == p {
					return true
				}
			case "StringEqualsIgnoreCase":
				if strings.EqualFold(v, p) {
					return true
				}
			case "StringLike", "StringNotLike":
				if wildcard(p, v) {
					return true
				}
			case "Bool":
				if strings.EqualFold(v, p) {
					return true
				}
			}
		}
		return false
	}
	negated := base == "StringNotEquals" || base == "StringNotLike"
	switch {
	case base == "Null":
		if qualifier != "" || len(resolved) != 1 {
			return false, "condition " + op + " is not understood"
		}
		return strings.EqualFold(resolved[0], "true") == !present, ""
	case !slices.Contains(Operators, base):
		return false, "condition operator " + op + " is not understood"
	case qualifier == "ForAllValues":
		for _, v := range values {
			if one(v) == negated {
				return false, ""
			}
		}
		return true, ""
	case qualifier == "ForAnyValue":
		for _, v := range values {
			if one(v) != negated {
				return true, ""
			}
		}
		return false, ""
	case qualifier != "":
		return false, "condition operator " + op + " is not understood"
	case !present:
		return negated, ""
	}
	matched := false
	for _, v := range values {
		if one(v) {
			matched = true
		}
	}
	return matched != negated, ""
}

var variablePattern = regexp.MustCompile(`\$\{([^}]*)\}`)

// substitute resolves ${...} policy variables, and the ${*}, ${?} and ${$}
// escapes of the literal characters.
func substitute(s string, vars map[string]string) (string, string) {
	problem := ""
	out := variablePattern.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		switch name {
		case "*", "?", "$":
			// A literal, kept distinct from a wildcard by a private mark.
			return "\x00" + name
		}
		v, ok := vars[name]
		if !ok {
			problem = "policy variable ${" + name + "} has no value for this caller"
		}
		return v
	})
	return out, problem
}

// wildcard matches s against a pattern where * is any run of characters
// and ? any one character; "\x00c" is the literal c. It backtracks only
// to the last *, so it runs in time proportional to len(pattern)*len(s).
func wildcard(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == 0 && p+1 < len(pattern) && pattern[p+1] == s[i]:
			p, i = p+2, i+1
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] != '*' && pattern[p] != 0 && pattern[p] == s[i]):
			p, i = p+1, i+1
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p, mark = star+1, mark+1
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// ParseDocument reads a policy document whose strings are resolved (no
// intrinsic functions left). Elements the evaluator does not understand
// are kept in each statement's Unsupported.
func ParseDocument(name string, raw []byte) (Policy, error) {
	var doc struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return Policy{}, fmt.Errorf("policy %s: %w", name, err)
	}
	var raws []map[string]json.RawMessage
	if err := json.Unmarshal(doc.Statement, &raws); err != nil {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(doc.Statement, &one); err != nil {
			return Policy{}, fmt.Errorf("policy %s: Statement is neither an object nor a list", name)
		}
		raws = []map[string]json.RawMessage{one}
	}
	p := Policy{Name: name}
	for _, r := range raws {
		p.Statements = append(p.Statements, parseStatement(r))
	}
	return p, nil
}

func parseStatement(r map[string]json.RawMessage) Statement {
	var st Statement
	for k, v := range r {
		var err error
		switch k {
		case "Sid":
			err = json.Unmarshal(v, &st.Sid)
		case "Effect":
			err = json.Unmarshal(v, &st.Effect)
			if err == nil && st.Effect != "Allow" && st.Effect != "Deny" {
				st.Unsupported = append(st.Unsupported, "Effect "+st.Effect)
			}
		case "Action":
			st.Action, err = stringOrList(v)
		case "NotAction":
			st.NotAction, err = stringOrList(v)
		case "Resource":
			st.Resource, err = stringOrList(v)
		case "NotResource":
			st.NotResource, err = stringOrList(v)
		case "Principal":
			st.Principal, err = principals(v)
		case "Condition":
			var c map[string]map[string]json.RawMessage
			if err = json.Unmarshal(v, &c); err == nil {
				st.Condition = map[string]map[string][]string{}
				for op, keys := range c {
					st.Condition[op] = map[string][]string{}
					for key, vals := range keys {
						list, lerr := stringOrList(vals)
						if lerr != nil {
							err = lerr
						}
						st.Condition[op][key] = list
					}
				}
			}
		default:
			st.Unsupported = append(st.Unsupported, "element "+k)
		}
		if err != nil {
			st.Unsupported = append(st.Unsupported, fmt.Sprintf("%s %s: %v", k, v, err))
		}
	}
	if st.Action == nil && st.NotAction == nil {
		// Without an action the statement could apply to anything.
		st.NotAction = []string{}
		st.Unsupported = append(st.Unsupported, "no Action or NotAction")
	}
	return st
}

// principals reads a Principal element: "*" or {"Type": "id" or ["id", ...]}.
func principals(raw json.RawMessage) (map[string][]string, error) {
	var star string
	if json.Unmarshal(raw, &star) == nil {
		if star != "*" {
			return nil, fmt.Errorf("principal %q: want \"*\" or an object", star)
		}
		return map[string][]string{"*": {"*"}}, nil
	}
	var byType map[string]json.RawMessage
	if err := json.Unmarshal(raw, &byType); err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for typ, ids := range byType {
		list, err := stringOrList(ids)
		if err != nil {
			return nil, err
		}
		out[typ] = list
	}
	return out, nil
}

// stringOrList reads "x" or ["x", "y"]; booleans and numbers (Bool and
// numeric conditions) are read as their text.
func stringOrList(raw json.RawMessage) ([]string, error) {
	var list []any
	if err := json.Unmarshal(raw, &list); err != nil {
		var one any
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, err
		}
		list = []any{one}
	}
	out := make([]string, len(list))
	for i, v := range list {
		switch v := v.(type) {
		case string:
			out[i] = v
		case bool, float64:
			out[i] = fmt.Sprint(v)
		default:
			return nil, fmt.Errorf("%v is not a string", v)
		}
	}
	return out, nil
}
