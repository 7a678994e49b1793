package storage_test

import (
	"testing"

	"github.com/portcullis-cdk/portcullis/constructs/internal/cdktest"
	"github.com/portcullis-cdk/portcullis/constructs/internal/exampledoc"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// go doc prints no Example functions: the package comment repeats them.
func TestDocShowsExamples(t *testing.T) { exampledoc.Check(t, *cdktest.Update) }
