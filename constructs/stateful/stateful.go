// Package stateful finds the template changes that would make CloudFormation
// replace or delete a stack's stateful resources (user pools, identity
// pools, tables, buckets), which loses their users or data. Record a
// stack's stateful resources with FromTemplate, keep the record with the
// code, and Compare a new synthesis (or the deployed template) with it: the
// constructs' own tests do so for every construct's example stack, and an
// app can do the same for its stacks and before each deploy.
package stateful

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Immutable lists, per stateful resource type, the properties whose change
// makes CloudFormation replace the resource: a new, empty user pool, table
// or bucket, and for an identity pool new identity ids for every user.
var Immutable = map[string][]string{
	"AWS::Cognito::UserPool":     {"UsernameAttributes", "AliasAttributes", "UsernameConfiguration", "Schema"},
	"AWS::Cognito::IdentityPool": {},
	"AWS::DynamoDB::Table":       {"TableName", "KeySchema", "LocalSecondaryIndexes"},
	"AWS::S3::Bucket":            {"BucketName", "ObjectLockEnabled"},
}

// Record is one stateful resource: its type, construct path and immutable
// properties (compact JSON).
type Record struct {
	Type       string                     `json:"type"`
	Path       string                     `json:"path"`
	Properties map[string]json.RawMessage `json:"properties,omitempty"`
}

// Records are the stateful resources of one template, by logical id.
type Records map[string]Record

// FromTemplate reads the stateful resources of a CloudFormation template in JSON.
func FromTemplate(raw []byte) (Records, error) {
	var tpl struct {
		Resources map[string]struct {
			Type       string                     `json:"Type"`
			Properties map[string]json.RawMessage `json:"Properties"`
			Metadata   struct {
				Path string `json:"aws:cdk:path"`
			} `json:"Metadata"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(raw, &tpl); err != nil {
		return nil, fmt.Errorf("reading the template: %w", err)
	}
	out := Records{}
	for id, r := range tpl.Resources {
		keys, ok := Immutable[r.Type]
		if !ok {
			continue
		}
		rec := Record{Type: r.Type, Path: belowStack(r.Metadata.Path), Properties: map[string]json.RawMessage{}}
		for _, k := range keys {
			if v, ok := r.Properties[k]; ok {
				var b bytes.Buffer
				if err := json.Compact(&b, v); err != nil {
					return nil, fmt.Errorf("resource %s property %s: %w", id, k, err)
				}
				rec.Properties[k] = b.Bytes()
			}
		}
		out[id] = rec
	}
	return out, nil
}

// Compact rewrites every property value in compact JSON, as FromTemplate
// makes them, so records read from an indented file compare byte for byte.
func (rs Records) Compact() error {
	for id, r := range rs {
		for k, v := range r.Properties {
			var b bytes.Buffer
			if err := json.Compact(&b, v); err != nil {
				return fmt.Errorf("resource %s property %s: %w", id, k, err)
			}
			r.Properties[k] = b.Bytes()
		}
	}
	return nil
}

// belowStack drops the stack name from a construct path: "portcullis-dev/Users/Pool/Resource" -> "Users/Pool/Resource".
func belowStack(p string) string {
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// Change is one way a new template would replace or delete a recorded resource.
type Change struct {
	// LogicalID and Type of the resource as recorded, Path its construct path.
	LogicalID, Type, Path string
	// Property that changes; empty when the resource is gone or changes type.
	Property string
	// Was and Is describe the old and new value (or type).
	Was, Is string
}

func (c Change) String() string {
	switch {
	case c.Is == "" && c.Property == "":
		return fmt.Sprintf("%s (%s at %s) is gone: deploying deletes it, or orphans it if retained", c.LogicalID, c.Type, c.Path)
	case c.Property == "":
		return fmt.Sprintf("%s changed type from %s to %s", c.LogicalID, c.Was, c.Is)
	}
	return fmt.Sprintf("%s (%s at %s): %s changes from %s to %s, which replaces it", c.LogicalID, c.Type, c.Path, c.Property, c.Was, c.Is)
}

// Compare lists every way now would replace or drop a resource of before,
// sorted by logical id and property. New resources are not changes.
func Compare(before, now Records) []Change {
	var out []Change
	for id, old := range before {
		cur, ok := now[id]
		switch {
		case !ok:
			out = append(out, Change{LogicalID: id, Type: old.Type, Path: old.Path})
			continue
		case cur.Type != old.Type:
			out = append(out, Change{LogicalID: id, Type: old.Type, Path: old.Path, Was: old.Type, Is: cur.Type})
			continue
		}
		for _, k := range Immutable[old.Type] {
			was, is := old.Properties[k], cur.Properties[k]
			if k == "Schema" && schemaKept(was, is) {
				continue
			}
			if !bytes.Equal(was, is) {
				out = append(out, Change{LogicalID: id, Type: old.Type, Path: old.Path, Property: k, Was: orNone(was), Is: orNone(is)})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].LogicalID != out[j].LogicalID {
			return out[i].LogicalID < out[j].LogicalID
		}
		return out[i].Property < out[j].Property
	})
	return out
}

// schemaKept reports whether every custom attribute of the old schema is
// still declared, unchanged, in the new one: adding attributes updates the
// pool in place, changing or removing one replaces it. Entries without
// AttributeDataType declare standard attributes (email, name, ...), which
// every pool has and whose settings Cognito fixes when the pool is created;
// dropping such a declaration changes nothing deployed, and declaring them
// is what breaks every later update of the pool ("Invalid AttributeDataType
// input", aws-cdk issue 8585).
func schemaKept(was, is json.RawMessage) bool {
	var old, cur []json.RawMessage
	_ = json.Unmarshal(was, &old)
	_ = json.Unmarshal(is, &cur)
	for _, a := range old {
		if Standard(a) {
			continue
		}
		if !slices.ContainsFunc(cur, func(b json.RawMessage) bool { return bytes.Equal(a, b) }) {
			return false
		}
	}
	return true
}

// Standard reports whether a Schema entry declares a standard attribute:
// one without AttributeDataType.
func Standard(entry json.RawMessage) bool {
	var a struct {
		AttributeDataType *string
	}
	return json.Unmarshal(entry, &a) == nil && a.AttributeDataType == nil
}

func orNone(v json.RawMessage) string {
	if v == nil {
		return "(unset)"
	}
	return string(v)
}

// Accept removes the changes to the resource named logicalID, the one
// replacement a deploy was told to accept, and fails when no change names
// it: a stale or misspelt override must not pass silently. An empty
// logicalID accepts nothing.
func Accept(changes []Change, logicalID string) ([]Change, error) {
	if logicalID == "" {
		return changes, nil
	}
	rest := slices.DeleteFunc(slices.Clone(changes), func(c Change) bool { return c.LogicalID == logicalID })
	if len(rest) == len(changes) {
		return nil, fmt.Errorf("accepting the replacement of %q: the new template neither replaces nor removes it", logicalID)
	}
	return rest, nil
}
