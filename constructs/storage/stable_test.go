package storage_test

import (
	"testing"

	"github.com/portcullis-cdk/portcullis/constructs/internal/cdktest"
	"github.com/portcullis-cdk/portcullis/constructs/storage"
)

// The bucket and its access-log bucket keep their logical ids.
func TestLogicalIDsAreStable(t *testing.T) {
	stack := cdktest.NewStack("PlatformStack")
	storage.NewBucket(stack, "Uploads", &storage.BucketProps{
		CORSOrigins: []string{"https://app.example.com"},
		Expirations: []storage.Expiration{{Prefix: "tmp/", Days: 1}},
	})
	cdktest.CheckLogicalIDs(t, stack, "logical-ids")
}
