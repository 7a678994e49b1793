package todos

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/contract/schema"
)

// TestItemAttributesMatchSchema keeps the stored item and the attribute list
// that bounds direct (identity-pool) writes the same: an attribute added to
// one only would be refused to direct callers or let them write more.
func TestItemAttributesMatchSchema(t *testing.T) {
	var tags []string
	typ := reflect.TypeFor[item]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("dynamodbav"), ",")
		tags = append(tags, name)
	}
	if !slices.Equal(tags, schema.Todos.Attributes) {
		t.Errorf("todo item attributes %v, schema.Todos.Attributes %v", tags, schema.Todos.Attributes)
	}
}
