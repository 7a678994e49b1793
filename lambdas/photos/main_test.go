package photos

import (
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/awstest"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
)

var srv *localaws.Servers

func TestMain(m *testing.M) { os.Exit(awstest.Main(m, &srv)) }

// newHandler is a handler on the local servers whose calls rec records.
func newHandler() (*Handler, *localaws.Recorder) { return newLimitedHandler(0, 0) }

// newLimitedHandler is newHandler with quotas counted in the usage table
// (0, 0: none).
func newLimitedHandler(maxPhotos, maxBytes int64) (*Handler, *localaws.Recorder) {
	rec := localaws.NewRecorder(nil)
	objects := srv.S3(rec)
	cfg := Config{
		DB:               srv.DynamoDB(rec),
		Objects:          objects,
		Presigner:        s3.NewPresignClient(objects),
		Table:            schema.Photos.Name,
		Bucket:           localaws.Bucket,
		IdempotencyTable: schema.Idempotency.Name,
	}
	if maxPhotos > 0 {
		cfg.UsageTable, cfg.MaxPhotos, cfg.MaxPhotoBytes = schema.Usage.Name, maxPhotos, maxBytes
	}
	return New(cfg), rec
}

// call sends one request as c.
func call(t testing.TB, h *Handler, c httpapitest.Caller, routeKey, id, body string, query map[string]string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	return httpapitest.Call(t, h.Handle, c, routeKey, id, body, query)
}
