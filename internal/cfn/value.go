package cfn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Value is a property value: a literal (String, Number, Bool, Null, List,
// Object) or an intrinsic function (Ref, GetAtt, Join, Sub, Select, If,
// ImportValue, or any other as a Call).
type Value interface {
	// Func is the intrinsic function's name ("Ref", "Fn::Join"), "" for a
	// literal.
	Func() string
}

// Literals.
type (
	String string
	// Number is a number as the template spells it.
	Number string
	Bool   bool
	Null   struct{}
	List   []Value
	Object map[string]Value
)

// Ref is {"Ref": Name}: a logical id or a pseudo parameter ("AWS::Region").
type Ref struct{ Name string }

// GetAtt is {"Fn::GetAtt": [Resource, Attribute]}.
type GetAtt struct{ Resource, Attribute string }

// Join is {"Fn::Join": [Sep, [Parts...]]}.
type Join struct {
	Sep   string
	Parts []Value
}

// Sub is {"Fn::Sub": Format} or {"Fn::Sub": [Format, {Vars}]}.
type Sub struct {
	Format string
	Vars   map[string]Value
}

// Select is {"Fn::Select": [Index, List]}.
type Select struct{ Index, List Value }

// If is {"Fn::If": [Condition, Then, Else]}.
type If struct {
	Condition  string
	Then, Else Value
}

// ImportValue is {"Fn::ImportValue": Name}.
type ImportValue struct{ Name Value }

// Call is any other intrinsic function (Fn::Split, Fn::Base64,
// Fn::FindInMap, ...), its argument read as a value.
type Call struct {
	Name string
	Arg  Value
}

func (String) Func() string      { return "" }
func (Number) Func() string      { return "" }
func (Bool) Func() string        { return "" }
func (Null) Func() string        { return "" }
func (List) Func() string        { return "" }
func (Object) Func() string      { return "" }
func (Ref) Func() string         { return "Ref" }
func (GetAtt) Func() string      { return "Fn::GetAtt" }
func (Join) Func() string        { return "Fn::Join" }
func (Sub) Func() string         { return "Fn::Sub" }
func (Select) Func() string      { return "Fn::Select" }
func (If) Func() string          { return "Fn::If" }
func (ImportValue) Func() string { return "Fn::ImportValue" }
func (c Call) Func() string      { return c.Name }

// Expr holds a Value in a struct that Decode or encoding/json fills: a
// field of type Expr takes any value, literal or intrinsic.
type Expr struct {
	Value Value
	// Raw is the value as written, for messages.
	Raw json.RawMessage
}

// UnmarshalJSON reads any template value.
func (e *Expr) UnmarshalJSON(b []byte) error {
	v, err := ParseValue(b)
	if err != nil {
		return err
	}
	e.Value, e.Raw = v, append(json.RawMessage(nil), b...)
	return nil
}

// Set reports whether the property was given.
func (e Expr) Set() bool {
	_, null := e.Value.(Null)
	return e.Value != nil && !null
}

// ParseValue reads a value in JSON.
func ParseValue(raw []byte) (Value, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var tree any
	if err := d.Decode(&tree); err != nil {
		return nil, err
	}
	return FromJSON(tree)
}

// FromJSON reads a value decoded by encoding/json (into any, numbers as
// float64 or json.Number).
func FromJSON(tree any) (Value, error) {
	switch v := tree.(type) {
	case nil:
		return Null{}, nil
	case string:
		return String(v), nil
	case bool:
		return Bool(v), nil
	case json.Number:
		return Number(v), nil
	case float64:
		return Number(fmt.Sprint(v)), nil
	case []any:
		out := make(List, len(v))
		for i, e := range v {
			var err error
			if out[i], err = FromJSON(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[string]any:
		if len(v) == 1 {
			for k, arg := range v {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return intrinsic(k, arg)
				}
			}
		}
		out := make(Object, len(v))
		for k, e := range v {
			var err error
			if out[k], err = FromJSON(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%T is not a JSON value", tree)
}

// intrinsic reads {fn: arg}.
func intrinsic(fn string, arg any) (Value, error) {
	bad := func(want string) error { return fmt.Errorf("%s %v: want %s", fn, arg, want) }
	list, _ := arg.([]any)
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, bad("a name")
		}
		return Ref{Name: name}, nil
	case "Fn::GetAtt":
		return getAtt(arg)
	case "Fn::Join":
		sep, ok := first(list).(string)
		parts, isList := second(list).([]any)
		if len(list) != 2 || !ok || !isList {
			return nil, bad("[separator, [values]]")
		}
		vs, err := FromJSON(parts)
		if err != nil {
			return nil, err
		}
		return Join{Sep: sep, Parts: vs.(List)}, nil
	case "Fn::Sub":
		return sub(arg)
	case "Fn::Select":
		if len(list) != 2 {
			return nil, bad("[index, list]")
		}
		vs, err := FromJSON(list)
		if err != nil {
			return nil, err
		}
		return Select{Index: vs.(List)[0], List: vs.(List)[1]}, nil
	case "Fn::If":
		cond, ok := first(list).(string)
		if len(list) != 3 || !ok {
			return nil, bad("[condition, value if true, value if false]")
		}
		vs, err := FromJSON(list[1:])
		if err != nil {
			return nil, err
		}
		return If{Condition: cond, Then: vs.(List)[0], Else: vs.(List)[1]}, nil
	}
	v, err := FromJSON(arg)
	if err != nil {
		return nil, err
	}
	if fn == "Fn::ImportValue" {
		return ImportValue{Name: v}, nil
	}
	return Call{Name: fn, Arg: v}, nil
}

// getAtt reads ["Resource", "Attribute"] or "Resource.Attribute".
func getAtt(arg any) (Value, error) {
	if s, ok := arg.(string); ok {
		if res, att, ok := strings.Cut(s, "."); ok {
			return GetAtt{Resource: res, Attribute: att}, nil
		}
	}
	list, _ := arg.([]any)
	res, ok1 := first(list).(string)
	att, ok2 := second(list).(string)
	if len(list) != 2 || !ok1 || !ok2 {
		return nil, fmt.Errorf("Fn::GetAtt %v: want [resource, attribute]", arg)
	}
	return GetAtt{Resource: res, Attribute: att}, nil
}

// sub reads "format" or ["format", {variables}].
func sub(arg any) (Value, error) {
	if s, ok := arg.(string); ok {
		return Sub{Format: s}, nil
	}
	list, _ := arg.([]any)
	format, ok := first(list).(string)
	vars, isMap := second(list).(map[string]any)
	if len(list) != 2 || !ok || !isMap {
		return nil, fmt.Errorf("Fn::Sub %v: want a format or [format, {variables}]", arg)
	}
	s := Sub{Format: format, Vars: map[string]Value{}}
	for k, e := range vars {
		v, err := FromJSON(e)
		if err != nil {
			return nil, err
		}
		s.Vars[k] = v
	}
	return s, nil
}

func first(l []any) any {
	if len(l) < 1 {
		return nil
	}
	return l[0]
}

func second(l []any) any {
	if len(l) < 2 {
		return nil
	}
	return l[1]
}

// sortedKeys are an object's keys in order, so resolving and rendering
// visit them in the same order every run.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
