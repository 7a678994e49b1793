package localaws

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/portcullis-cdk/portcullis/internal/protocol/iam"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
)

// Roles holds the identity-based policies of each role, by role ARN, that
// the servers authorize non-admin callers with. The zero value knows no
// role, so only the operator's key is allowed anything.
type Roles struct {
	mu sync.RWMutex
	m  map[string][]iam.Policy
}

// Set replaces the policies of a role.
func (r *Roles) Set(roleARN string, policies []iam.Policy) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string][]iam.Policy{}
	}
	r.m[roleARN] = policies
}

func (r *Roles) get(roleARN string) ([]iam.Policy, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.m[roleARN]
	return p, ok
}

// denial is a request the policies refuse.
type denial struct {
	action, resource, reason string
}

func (d *denial) Error() string {
	return fmt.Sprintf("not authorized to perform %s on %s: %s", d.action, d.resource, d.reason)
}

// authorize evaluates each of a request's IAM requests against the
// caller's role. The operator's key is allowed everything, as the account
// owner's credentials are.
func (r *Roles) authorize(p sigv4.Principal, reqs []iam.Request) error {
	if p.Admin {
		return nil
	}
	policies, ok := r.get(p.RoleARN)
	if !ok {
		return &denial{reason: fmt.Sprintf("the role %q of %s has no policies the local stack knows", p.RoleARN, p.ARN)}
	}
	for _, req := range reqs {
		req.Variables = variables(p)
		if d := iam.Evaluate(req, policies...); !d.Allowed() {
			return &denial{action: req.Action, resource: req.Resource, reason: d.Reason}
		}
	}
	return nil
}

// variables are the policy variables a principal's requests carry.
func variables(p sigv4.Principal) map[string]string {
	v := map[string]string{"aws:PrincipalAccount": p.AccountID, "aws:userid": p.UserID}
	if p.CognitoIdentityID != "" {
		v["cognito-identity.amazonaws.com:sub"] = p.CognitoIdentityID
		v["cognito-identity.amazonaws.com:aud"] = p.CognitoIdentityPoolID
	}
	return v
}

func tableARN(name string) string {
	return "arn:aws:dynamodb:" + Region + ":" + AccountID + ":table/" + name
}

func bucketARN(bucket string) string { return "arn:aws:s3:::" + bucket }

// dynamoDBRequests is what a DynamoDB call asks IAM for: per table, the
// action with dynamodb:LeadingKeys, the partition keys it touches (keyOf
// names a table's partition key attribute).
func dynamoDBRequests(r *http.Request, body []byte, keyOf func(table string) (string, error)) ([]iam.Request, error) {
	_, op, ok := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	if !ok {
		return nil, errors.New("no X-Amz-Target operation")
	}
	var in dynamoDBInput
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	action := "dynamodb:" + op
	one := func(table string, keys []string) iam.Request { return in.request(op, table, keys) }
	switch op {
	case "GetItem", "DeleteItem", "UpdateItem", "PutItem":
		item := in.Key
		if op == "PutItem" {
			item = in.Item
		}
		key, err := leadingKey(keyOf, in.TableName, item)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		return []iam.Request{one(in.TableName, []string{key})}, nil
	case "Query":
		key, err := queryKey(keyOf, in.TableName, in.KeyConditionExpression, in.ExpressionAttributeNames, in.ExpressionAttributeValues, in.KeyConditions)
		if err != nil {
			return nil, fmt.Errorf("Query: %w", err)
		}
		return []iam.Request{one(in.TableName, []string{key})}, nil
	case "BatchGetItem", "BatchWriteItem":
		var reqs []iam.Request
		for table, raw := range in.RequestItems {
			keys, err := batchKeys(keyOf, op, table, raw)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", op, err)
			}
			reqs = append(reqs, one(table, keys))
		}
		return reqs, nil
	case "Scan", "DescribeTable", "DescribeTimeToLive":
		return []iam.Request{one(in.TableName, nil)}, nil
	case "ListTables":
		return []iam.Request{{Action: action, Resource: "*"}}, nil
	}
	return nil, fmt.Errorf("the local IAM evaluator does not know the resources of dynamodb:%s", op)
}

// dynamoDBInput is what the evaluator reads of a DynamoDB request.
type dynamoDBInput struct {
	TableName                 string
	Key, Item                 map[string]json.RawMessage
	KeyConditionExpression    string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]json.RawMessage
	KeyConditions             map[string]struct{ AttributeValueList []json.RawMessage }
	RequestItems              map[string]json.RawMessage
	IndexName                 string
	ProjectionExpression      string
	UpdateExpression          string
	AttributesToGet           []string
	Select                    string
	ReturnValues              string
}

// request is the authorization request of operation op on table, with the
// condition keys of fine-grained access control: the leading keys, the
// attributes the request names, what it selects and what it asks back.
func (in dynamoDBInput) request(op, table string, keys []string) iam.Request {
	resource := tableARN(table)
	if in.IndexName != "" {
		resource += "/index/" + in.IndexName
	}
	ctx := map[string][]string{}
	if keys != nil {
		ctx["dynamodb:LeadingKeys"] = keys
	}
	if attrs := requestAttributes(op, in.Item, in.Key, in.ProjectionExpression, in.UpdateExpression, in.AttributesToGet, in.ExpressionAttributeNames); len(attrs) > 0 {
		ctx["dynamodb:Attributes"] = attrs
	}
	switch {
	case in.Select != "":
		ctx["dynamodb:Select"] = []string{in.Select}
	case op == "Query" || op == "Scan":
		if in.ProjectionExpression != "" || len(in.AttributesToGet) > 0 {
			ctx["dynamodb:Select"] = []string{"SPECIFIC_ATTRIBUTES"}
		} else {
			ctx["dynamodb:Select"] = []string{"ALL_ATTRIBUTES"}
		}
	}
	if in.ReturnValues != "" {
		ctx["dynamodb:ReturnValues"] = []string{in.ReturnValues}
	}
	return iam.Request{Action: "dynamodb:" + op, Resource: resource, Context: ctx}
}

var (
	expressionToken = regexp.MustCompile(`#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*`)
	// expressionWords are the keywords and functions of projection and
	// update expressions, which name no attribute.
	expressionWords = map[string]bool{"set": true, "remove": true, "add": true, "delete": true,
		"if_not_exists": true, "list_append": true, "and": true, "or": true, "not": true}
)

// requestAttributes lists the attribute names a request names: the item of
// a PutItem, the key, and the attributes of its projection and update
// expressions (placeholders resolved), which is what dynamodb:Attributes
// holds.
func requestAttributes(op string, item, key map[string]json.RawMessage, projection, update string, toGet []string, names map[string]string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(name string) {
		if name != "" && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	if op == "PutItem" {
		for k := range item {
			add(k)
		}
	}
	for k := range key {
		add(k)
	}
	for _, a := range toGet {
		add(a)
	}
	for _, expr := range []string{projection, update} {
		for _, tok := range expressionToken.FindAllString(expr, -1) {
			switch {
			case strings.HasPrefix(tok, ":"):
			case strings.HasPrefix(tok, "#"):
				add(names[tok])
			case !expressionWords[strings.ToLower(tok)]:
				add(tok)
			}
		}
	}
	sort.Strings(out)
	return out
}

// stringAttr reads a DynamoDB string attribute value, {"S": "..."}.
func stringAttr(raw json.RawMessage) (string, error) {
	var v struct{ S *string }
	if err := json.Unmarshal(raw, &v); err != nil || v.S == nil {
		return "", fmt.Errorf("%s is not a string attribute", raw)
	}
	return *v.S, nil
}

func leadingKey(keyOf func(string) (string, error), table string, item map[string]json.RawMessage) (string, error) {
	pk, err := keyOf(table)
	if err != nil {
		return "", err
	}
	raw, ok := item[pk]
	if !ok {
		return "", fmt.Errorf("no partition key %s", pk)
	}
	return stringAttr(raw)
}

var keyEquality = regexp.MustCompile(`^\(*\s*([#A-Za-z0-9_.:]+)\s*=\s*(:[A-Za-z0-9_]+)\s*\)*$`)

// queryKey finds the partition key value a Query's key condition fixes:
// "<pk> = :v" joined by AND to an optional sort key condition.
func queryKey(keyOf func(string) (string, error), table, expr string, names map[string]string, values map[string]json.RawMessage, legacy map[string]struct{ AttributeValueList []json.RawMessage }) (string, error) {
	pk, err := keyOf(table)
	if err != nil {
		return "", err
	}
	if expr == "" {
		if c, ok := legacy[pk]; ok && len(c.AttributeValueList) == 1 {
			return stringAttr(c.AttributeValueList[0])
		}
		return "", errors.New("no key condition on the partition key")
	}
	for _, clause := range regexp.MustCompile(`(?i)\s+and\s+`).Split(expr, -1) {
		m := keyEquality.FindStringSubmatch(strings.TrimSpace(clause))
		if m == nil {
			continue
		}
		name := m[1]
		if strings.HasPrefix(name, "#") {
			name = names[name]
		}
		if name == pk {
			return stringAttr(values[m[2]])
		}
	}
	return "", fmt.Errorf("key condition %q: no equality on the partition key %s", expr, pk)
}

func batchKeys(keyOf func(string) (string, error), op, table string, raw json.RawMessage) ([]string, error) {
	var keys []map[string]json.RawMessage
	if op == "BatchGetItem" {
		var v struct{ Keys []map[string]json.RawMessage }
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		keys = v.Keys
	} else {
		var writes []struct {
			PutRequest    *struct{ Item map[string]json.RawMessage }
			DeleteRequest *struct{ Key map[string]json.RawMessage }
		}
		if err := json.Unmarshal(raw, &writes); err != nil {
			return nil, err
		}
		for _, w := range writes {
			switch {
			case w.PutRequest != nil:
				keys = append(keys, w.PutRequest.Item)
			case w.DeleteRequest != nil:
				keys = append(keys, w.DeleteRequest.Key)
			}
		}
	}
	var out []string
	for _, k := range keys {
		v, err := leadingKey(keyOf, table, k)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// s3Request is an S3 call's IAM request and, for object reads, whether a
// missing object must be reported as 403 (the caller may not list).
type s3Request struct {
	reqs []iam.Request
	// read is set for GetObject and HeadObject: the bucket whose
	// s3:ListBucket decides between 404 and 403 for a missing key.
	read string
}

// s3Requests maps a path-style S3 call to its IAM action and resource.
func s3Requests(r *http.Request) (s3Request, error) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	q := r.URL.Query()
	for _, sub := range []string{"acl", "tagging", "policy", "cors", "lifecycle", "versioning", "delete", "versions", "retention", "legal-hold"} {
		if q.Has(sub) {
			return s3Request{}, fmt.Errorf("the local IAM evaluator does not map the S3 subresource ?%s", sub)
		}
	}
	if bucket == "" {
		return s3Request{reqs: []iam.Request{{Action: "s3:ListAllMyBuckets", Resource: "*"}}}, nil
	}
	if key == "" {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			ctx := map[string][]string{}
			for _, k := range []string{"prefix", "delimiter", "max-keys"} {
				if q.Has(k) {
					ctx["s3:"+k] = []string{q.Get(k)}
				}
			}
			return s3Request{reqs: []iam.Request{{Action: "s3:ListBucket", Resource: bucketARN(bucket), Context: ctx}}}, nil
		case http.MethodPut:
			return s3Request{reqs: []iam.Request{{Action: "s3:CreateBucket", Resource: bucketARN(bucket)}}}, nil
		case http.MethodDelete:
			return s3Request{reqs: []iam.Request{{Action: "s3:DeleteBucket", Resource: bucketARN(bucket)}}}, nil
		}
		return s3Request{}, fmt.Errorf("the local IAM evaluator does not map %s on a bucket", r.Method)
	}
	object := bucketARN(bucket) + "/" + key
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return s3Request{reqs: []iam.Request{{Action: "s3:GetObject", Resource: object}}, read: bucket}, nil
	case http.MethodPut, http.MethodPost:
		// PutObject, the parts of a multipart upload, and CopyObject,
		// which also reads its source.
		reqs := []iam.Request{{Action: "s3:PutObject", Resource: object}}
		if src := r.Header.Get("X-Amz-Copy-Source"); src != "" {
			src = strings.TrimPrefix(src, "/")
			if unescaped, err := url.PathUnescape(src); err == nil {
				src = unescaped
			}
			src, _, _ = strings.Cut(src, "?versionId=")
			reqs = append(reqs, iam.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::" + src})
		}
		return s3Request{reqs: reqs}, nil
	case http.MethodDelete:
		if q.Has("uploadId") {
			return s3Request{reqs: []iam.Request{{Action: "s3:AbortMultipartUpload", Resource: object}}}, nil
		}
		return s3Request{reqs: []iam.Request{{Action: "s3:DeleteObject", Resource: object}}}, nil
	}
	return s3Request{}, fmt.Errorf("the local IAM evaluator does not map %s on an object", r.Method)
}
