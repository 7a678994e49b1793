package todos

import (
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/awstest"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
)

var srv *localaws.Servers

func TestMain(m *testing.M) { os.Exit(awstest.Main(m, &srv)) }

// newHandler is a handler on the local DynamoDB whose calls rec records.
func newHandler() (*Handler, *localaws.Recorder) {
	rec := localaws.NewRecorder(nil)
	return New(srv.DynamoDB(rec), schema.Todos.Name, schema.Idempotency.Name).TrustIdentityPool(httpapitest.IdentityPool), rec
}

// call sends one request as c.
func call(t testing.TB, h *Handler, c httpapitest.Caller, routeKey, id, body string, query map[string]string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	return httpapitest.Call(t, h.Handle, c, routeKey, id, body, query)
}
