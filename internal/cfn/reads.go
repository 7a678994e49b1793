package cfn

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// A property path names a property of a resource type, below its
// Properties: "CorsConfiguration.AllowOrigins", "Schema[].Name" (every
// element of a list), "" (every property). A path covers itself and every
// path below it.

// Reads are the property paths a template's readers read, by resource
// type.
type Reads struct {
	mu    sync.Mutex
	paths map[string]map[string]bool
}

// Paths lists the paths read of a resource type, sorted; none of a nil
// Reads (a Template not made by Parse).
func (rs *Reads) Paths(typ string) []string {
	if rs == nil {
		return nil
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return sortedKeys(rs.paths[typ])
}

// Covers reports whether a read path covers path.
func (rs *Reads) Covers(typ, path string) bool {
	if rs == nil {
		return false
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for p := range rs.paths[typ] {
		if Covers(p, path) {
			return true
		}
	}
	return false
}

func (rs *Reads) add(typ, path string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.paths == nil {
		rs.paths = map[string]map[string]bool{}
	}
	if rs.paths[typ] == nil {
		rs.paths[typ] = map[string]bool{}
	}
	rs.paths[typ][path] = true
}

// record adds the paths of props that v's type reads.
func (rs *Reads) record(typ string, props json.RawMessage, v any) error {
	var tree any
	if err := json.Unmarshal(props, &tree); err != nil {
		return err
	}
	walkRead(reflect.TypeOf(v), tree, "", func(p string) { rs.add(typ, p) })
	return nil
}

var (
	rawType  = reflect.TypeOf(json.RawMessage(nil))
	exprType = reflect.TypeOf(Expr{})
)

// walkRead calls read with each path of tree that a value of type t takes
// when encoding/json decodes tree into it: a struct field's key is read
// where the struct takes it (its own fields, below), anything else (a
// string, a map, a raw or Expr value, a list of them) as a whole.
func walkRead(t reflect.Type, tree any, path string, read func(string)) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == rawType || t == exprType:
		read(path)
	case t.Kind() == reflect.Struct:
		obj, ok := tree.(map[string]any)
		if !ok {
			read(path)
			return
		}
		for k, sub := range obj {
			if f, ok := field(t, k); ok {
				walkRead(f.Type, sub, join(path, k), read)
			}
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8:
		list, ok := tree.([]any)
		if !ok {
			read(path)
			return
		}
		for _, e := range list {
			walkRead(t.Elem(), e, path+"[]", read)
		}
	default:
		read(path)
	}
}

// field is the field of struct type t that encoding/json fills from key:
// the exact name first, then a case-insensitive match, as encoding/json
// matches them.
func field(t reflect.Type, key string) (reflect.StructField, bool) {
	var fold reflect.StructField
	found := false
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous && f.Type.Kind() == reflect.Struct {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if name == key {
			return f, true
		}
		if !found && strings.EqualFold(name, key) {
			fold, found = f, true
		}
	}
	return fold, found
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Covers reports whether the property path covers path: it is path, a
// path above it, or "" (every property).
func Covers(cover, path string) bool {
	return cover == "" || cover == path || strings.HasPrefix(path, cover+".") || strings.HasPrefix(path, cover+"[]")
}

// Properties lists every property path of every resource of the template,
// by resource type, to its leaves: a string, number or boolean, an
// intrinsic function, an empty list or object.
func (t Template) Properties() map[string][]string {
	out := map[string]map[string]bool{}
	for _, r := range t.Resources {
		if out[r.Type] == nil {
			out[r.Type] = map[string]bool{}
		}
		var tree any
		if json.Unmarshal(r.Properties, &tree) != nil {
			continue
		}
		obj, _ := tree.(map[string]any)
		for k, v := range obj {
			leaves(v, k, func(p string) { out[r.Type][p] = true })
		}
	}
	sorted := map[string][]string{}
	for typ, paths := range out {
		sorted[typ] = sortedKeys(paths)
	}
	return sorted
}

func leaves(v any, path string, leaf func(string)) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 1 {
			for k := range v {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					leaf(path)
					return
				}
			}
		}
		if len(v) == 0 {
			leaf(path)
		}
		for _, k := range sortedKeys(v) {
			leaves(v[k], path+"."+k, leaf)
		}
	case []any:
		if len(v) == 0 {
			leaf(path)
		}
		for _, e := range v {
			leaves(e, path+"[]", leaf)
		}
	default:
		leaf(path)
	}
}

// Types lists the resource types of the template, sorted.
func (t Template) Types() []string {
	seen := map[string]bool{}
	for _, r := range t.Resources {
		seen[r.Type] = true
	}
	return sortedKeys(seen)
}
