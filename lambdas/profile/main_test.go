package profile

import (
	"os"
	"testing"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/awstest"
)

var srv *localaws.Servers

func TestMain(m *testing.M) { os.Exit(awstest.Main(m, &srv)) }

func newHandler() (*Handler, *localaws.Recorder) {
	rec := localaws.NewRecorder(nil)
	return New(srv.DynamoDB(rec), schema.Profiles.Name), rec
}
