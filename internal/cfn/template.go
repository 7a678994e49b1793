// Package cfn reads a synthesized CloudFormation template (JSON): its
// resources by type and logical id, their properties decoded into the
// reader's own structs, and property values as typed intrinsic functions
// (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::If,
// Fn::ImportValue), which Resolve replaces with values from a name table
// and Render spells with placeholders where a reader matches the shape of
// a value rather than its result.
//
// A Template made by Parse records every property path its resources'
// Decode reads (Reads): the local stack's coverage test compares what the
// local stack reads with every property of the stages' templates.
//
// It is the app's package, not the construct library's: its shape follows
// what the local stack, the benchmarks and the deploy check read, and
// changes with them, where a library package is an API kept stable for
// other teams (and on the library's oldest Go). The library's own template
// reading (constructs/stateful: a resource's type, path and raw immutable
// properties, no intrinsic function) stays its own.
package cfn

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Template is a CloudFormation template's resources and outputs.
type Template struct {
	Resources map[string]Resource `json:"Resources"`
	Outputs   map[string]Output   `json:"Outputs,omitempty"`
	reads     *Reads
}

// Output is one output of a template.
type Output struct {
	Value Expr `json:"Value"`
}

// Resource is one resource of a template.
type Resource struct {
	Type string `json:"Type"`
	// Properties are the resource's properties as written. Decode reads
	// them and records what it read; reading them directly is for what is
	// not emulation (naming what the local stack leaves out).
	Properties json.RawMessage            `json:"Properties,omitempty"`
	Metadata   map[string]json.RawMessage `json:"Metadata,omitempty"`
	id         string
	reads      *Reads
}

// ReadFile reads the template at path.
func ReadFile(path string) (*Template, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Parse reads a template in JSON. The template records what its resources'
// Decode reads.
func Parse(raw []byte) (*Template, error) {
	var t Template
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, err
	}
	t.reads = &Reads{}
	for id, r := range t.Resources {
		r.id, r.reads = id, t.reads
		t.Resources[id] = r
	}
	return &t, nil
}

// Reads are the property paths the template's resources were read at, by
// resource type; nil for a template not made by Parse.
func (t Template) Reads() *Reads { return t.reads }

// IDs are the logical ids of the resources of a type, sorted; every
// resource's without a type.
func (t Template) IDs(typ string) []string {
	var ids []string
	for id, r := range t.Resources {
		if typ == "" || r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// OfType lists the resources of a type, sorted by logical id.
func (t Template) OfType(typ string) []*Resource {
	var out []*Resource
	for _, id := range t.IDs(typ) {
		out = append(out, t.resource(id))
	}
	return out
}

// One is the template's only resource of a type.
func (t Template) One(typ string) (*Resource, error) {
	ids := t.IDs(typ)
	switch len(ids) {
	case 0:
		return nil, fmt.Errorf("no %s", typ)
	case 1:
		return t.resource(ids[0]), nil
	}
	return nil, fmt.Errorf("more than one %s", typ)
}

// Get is the resource with a logical id, which must be of type typ.
func (t Template) Get(id, typ string) (*Resource, error) {
	r, ok := t.Resources[id]
	if !ok || r.Type != typ {
		return nil, fmt.Errorf("%s %s not found", typ, id)
	}
	return t.resource(id), nil
}

// resource is the resource with its logical id set, also in a Template
// not made by Parse (a test's literal).
func (t Template) resource(id string) *Resource {
	r := t.Resources[id]
	r.id = id
	return &r
}

// ID is the resource's logical id.
func (r *Resource) ID() string { return r.id }

// Path is the resource's construct path without the stack's name
// ("Users/Pool/Resource"), from its aws:cdk:path metadata.
func (r *Resource) Path() string {
	_, rest, _ := strings.Cut(r.Meta("aws:cdk:path"), "/")
	return rest
}

// Meta is a string of the resource's metadata, "" when absent.
func (r *Resource) Meta(key string) string {
	var s string
	_ = json.Unmarshal(r.Metadata[key], &s)
	return s
}

// Decode reads the resource's properties into v, as encoding/json does,
// and records the property paths v's fields read (Reads).
func (r *Resource) Decode(v any) error {
	props := r.Properties
	if len(props) == 0 {
		props = json.RawMessage("{}")
	}
	if err := json.Unmarshal(props, v); err != nil {
		return err
	}
	if r.reads != nil {
		return r.reads.record(r.Type, props, v)
	}
	return nil
}
