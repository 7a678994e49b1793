package cfn

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Names is the table Resolve takes values from.
type Names struct {
	// Refs holds what a Ref resolves to, by logical id or pseudo parameter
	// ("AWS::Region"), and what a Fn::GetAtt resolves to, by
	// "<logical id>.<attribute>" (as Fn::Sub spells both).
	Refs map[string]string
	// Exports holds what a Fn::ImportValue resolves to, by export name.
	Exports map[string]string
	// Conditions holds each condition's value, for Fn::If.
	Conditions map[string]bool
}

// ErrNoValue is wrapped by Resolve's error for a name the table lacks.
var ErrNoValue = errors.New("has no value")

// Resolve replaces every intrinsic function in v with its value from the
// table, and returns it as encoding/json would decode it (string, bool,
// nil, []any, map[string]any, numbers as json.Number). Fn::Sub keeps a
// ${name} with a colon (${aws:username}) that is not a pseudo parameter
// as it is: an IAM policy variable, for IAM to resolve.
func Resolve(v Value, n Names) (any, error) {
	switch v := v.(type) {
	case String:
		return string(v), nil
	case Number:
		return json.Number(v), nil
	case Bool:
		return bool(v), nil
	case Null:
		return nil, nil
	case List:
		out := make([]any, len(v))
		for i, e := range v {
			r, err := Resolve(e, n)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case Object:
		out := make(map[string]any, len(v))
		for _, k := range sortedKeys(v) {
			r, err := Resolve(v[k], n)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	}
	return n.intrinsic(v)
}

// ResolveString resolves v, which must resolve to a string.
func ResolveString(v Value, n Names) (string, error) {
	r, err := Resolve(v, n)
	if err != nil {
		return "", err
	}
	s, ok := r.(string)
	if !ok {
		return "", fmt.Errorf("%v is not a string", r)
	}
	return s, nil
}

func (n Names) intrinsic(v Value) (any, error) {
	switch v := v.(type) {
	case Ref:
		return n.lookup("Ref", v.Name)
	case GetAtt:
		return n.lookup("Fn::GetAtt", v.Resource+"."+v.Attribute)
	case Join:
		return n.join(v)
	case Sub:
		return n.sub(v)
	case Select:
		return n.selectOne(v)
	case If:
		cond, ok := n.Conditions[v.Condition]
		if !ok {
			return nil, fmt.Errorf("Fn::If condition %s %w", v.Condition, ErrNoValue)
		}
		if cond {
			return Resolve(v.Then, n)
		}
		return Resolve(v.Else, n)
	case ImportValue:
		name, err := ResolveString(v.Name, n)
		if err != nil {
			return nil, err
		}
		if out, ok := n.Exports[name]; ok {
			return out, nil
		}
		return nil, fmt.Errorf("Fn::ImportValue %s %w", name, ErrNoValue)
	}
	return nil, fmt.Errorf("%s is not supported", v.Func())
}

func (n Names) lookup(fn, name string) (string, error) {
	if v, ok := n.Refs[name]; ok {
		return v, nil
	}
	return "", fmt.Errorf("%s %s %w", fn, name, ErrNoValue)
}

func (n Names) join(j Join) (any, error) {
	strs := make([]string, len(j.Parts))
	for i, p := range j.Parts {
		s, err := ResolveString(p, n)
		if err != nil {
			return nil, fmt.Errorf("Fn::Join: %w", err)
		}
		strs[i] = s
	}
	return strings.Join(strs, j.Sep), nil
}

func (n Names) selectOne(s Select) (any, error) {
	i, err := Resolve(s.Index, n)
	if err != nil {
		return nil, err
	}
	var index int
	if _, err := fmt.Sscan(fmt.Sprint(i), &index); err != nil {
		return nil, fmt.Errorf("Fn::Select index %v: %w", i, err)
	}
	l, err := Resolve(s.List, n)
	if err != nil {
		return nil, err
	}
	list, _ := l.([]any)
	if index < 0 || index >= len(list) {
		return nil, fmt.Errorf("Fn::Select index %d of %v", index, l)
	}
	return list[index], nil
}

func (n Names) sub(s Sub) (any, error) {
	vars := map[string]string{}
	for _, k := range sortedKeys(s.Vars) {
		v, err := ResolveString(s.Vars[k], n)
		if err != nil {
			return nil, fmt.Errorf("Fn::Sub variable %s: %w", k, err)
		}
		vars[k] = v
	}
	var b strings.Builder
	for _, seg := range subSegments(s.Format) {
		switch {
		case !seg.name:
			b.WriteString(seg.text)
		case vars[seg.text] != "":
			b.WriteString(vars[seg.text])
		default:
			v, ok := n.Refs[seg.text]
			if !ok && strings.Contains(seg.text, ":") && !strings.HasPrefix(seg.text, "AWS::") {
				v, ok = "${"+seg.text+"}", true
			}
			if !ok {
				return nil, fmt.Errorf("Fn::Sub ${%s} %w", seg.text, ErrNoValue)
			}
			b.WriteString(v)
		}
	}
	return b.String(), nil
}

// segment is a literal text of a Fn::Sub format or a ${name} in it.
type segment struct {
	text string
	name bool
}

// subSegments splits a Fn::Sub format; ${!text} is the literal ${text}.
func subSegments(format string) []segment {
	var out []segment
	for {
		start := strings.Index(format, "${")
		end := strings.Index(format[max(start, 0):], "}")
		if start < 0 || end < 0 {
			return append(out, segment{text: format})
		}
		end += start
		name := format[start+2 : end]
		out = append(out, segment{text: format[:start]})
		if lit, ok := strings.CutPrefix(name, "!"); ok {
			out = append(out, segment{text: "${" + lit + "}"})
		} else {
			out = append(out, segment{text: name, name: true})
		}
		format = format[end+1:]
	}
}

// Render spells v as a string without resolving it: a string as it is, a
// Join's parts joined, a Sub's text with each ${name} spelled by part (as
// a Ref, or a GetAtt for "<id>.<attribute>"), and any other intrinsic
// function spelled by part. A reader that matches what a value looks like
// ("https://{Ref}.auth.{AWS::Region}.amazoncognito.com") renders it with
// placeholders. Any other literal is an error.
func Render(v Value, part func(Value) string) (string, error) {
	switch v := v.(type) {
	case String:
		return string(v), nil
	case Join:
		strs := make([]string, len(v.Parts))
		for i, p := range v.Parts {
			s, err := Render(p, part)
			if err != nil {
				return "", err
			}
			strs[i] = s
		}
		return strings.Join(strs, v.Sep), nil
	case Sub:
		if len(v.Vars) > 0 {
			return part(v), nil
		}
		var b strings.Builder
		for _, seg := range subSegments(v.Format) {
			switch res, att, dotted := strings.Cut(seg.text, "."); {
			case !seg.name:
				b.WriteString(seg.text)
			case dotted:
				b.WriteString(part(GetAtt{Resource: res, Attribute: att}))
			default:
				b.WriteString(part(Ref{Name: seg.text}))
			}
		}
		return b.String(), nil
	}
	if v == nil || v.Func() == "" {
		return "", fmt.Errorf("%#v is neither a string nor an intrinsic function", v)
	}
	return part(v), nil
}
