// Package override merges a caller's L2 props into the props a construct
// computed: the escape hatch for settings the construct does not decide
// (say a user pool's device tracking), which must never undo one it does.
package override

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Merge copies every set field of extra (a *T of a CDK props struct) into
// decided (a *T the construct filled) and returns an error naming the fields
// extra sets that decided had already set; it changes nothing then. A nil
// extra merges nothing.
func Merge(decided, extra any) error {
	dst, src := reflect.ValueOf(decided), reflect.ValueOf(extra)
	if src.IsNil() {
		return nil
	}
	if dst.Type() != src.Type() || dst.Kind() != reflect.Pointer || dst.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("override.Merge: %v into %v", src.Type(), dst.Type())
	}
	dst, src = dst.Elem(), src.Elem()
	var taken []string
	for i := range src.NumField() {
		if !src.Field(i).IsZero() && !dst.Field(i).IsZero() {
			taken = append(taken, src.Type().Field(i).Name)
		}
	}
	if len(taken) > 0 {
		sort.Strings(taken)
		return fmt.Errorf("%s: set by the construct from its own props, which say why; not overridable", strings.Join(taken, ", "))
	}
	for i := range src.NumField() {
		if !src.Field(i).IsZero() {
			dst.Field(i).Set(src.Field(i))
		}
	}
	return nil
}
