package data_test

import (
	"testing"

	"github.com/portcullis-cdk/portcullis/constructs/data"
	"github.com/portcullis-cdk/portcullis/constructs/internal/cdktest"
)

// The table keeps its logical id and key schema.
func TestLogicalIDsAreStable(t *testing.T) {
	stack := cdktest.NewStack("PlatformStack")
	data.NewTable(stack, "Notes", &data.TableProps{PartitionKey: "owner", SortKey: "noteId", TTLAttribute: "expiresAt"})
	cdktest.CheckLogicalIDs(t, stack, "logical-ids")
}
