package test

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// template is the part of a CloudFormation template the tests read.
type template struct {
	Resources map[string]resource `json:"Resources"`
	Outputs   map[string]struct {
		Value any `json:"Value"`
	} `json:"Outputs"`
}

type resource struct {
	Type                string         `json:"Type"`
	Properties          map[string]any `json:"Properties"`
	DeletionPolicy      string         `json:"DeletionPolicy"`
	UpdateReplacePolicy string         `json:"UpdateReplacePolicy"`
	Metadata            map[string]any `json:"Metadata"`
}

// path is the resource's construct path below the stack, e.g. "Clients/SPA/Resource".
func (r resource) path() string {
	p, _ := r.Metadata["aws:cdk:path"].(string)
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// ofType returns the logical ids of every resource of type typ, sorted.
func (tpl template) ofType(typ string) []string {
	var ids []string
	for id, r := range tpl.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// at returns the resource whose construct path below the stack is path.
func (tpl template) at(t *testing.T, path string) (string, resource) {
	t.Helper()
	for id, r := range tpl.Resources {
		if r.path() == path {
			return id, r
		}
	}
	t.Fatalf("no resource at construct path %q", path)
	return "", resource{}
}

// prop walks nested properties: prop(r.Properties, "Policies", "PasswordPolicy", "MinimumLength").
func prop(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// js renders v as compact JSON, for comparisons and messages.
func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// ref is the {"Ref": id} CloudFormation renders for a resource reference.
func ref(id string) string { return js(map[string]any{"Ref": id}) }

// lineDiff shows the region where two texts differ: the common head and
// tail are cut, and at most 60 lines of each side are shown.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	head := 0
	for head < len(w) && head < len(g) && w[head] == g[head] {
		head++
	}
	tail := 0
	for tail < len(w)-head && tail < len(g)-head && w[len(w)-1-tail] == g[len(g)-1-tail] {
		tail++
	}
	var b strings.Builder
	side := func(sign string, lines []string) {
		lines = lines[head : len(lines)-tail]
		for i, l := range lines {
			if i == 60 {
				b.WriteString(sign + " ...\n")
				break
			}
			b.WriteString(sign + " " + l + "\n")
		}
	}
	b.WriteString("@@ from line " + strconv.Itoa(head+1) + " @@\n")
	side("-", w)
	side("+", g)
	return b.String()
}

// title upper-cases the first letter, as the stage names constructs: "todos" -> "Todos".
func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
