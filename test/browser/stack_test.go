package browser

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/internal/devstack"
	"github.com/portcullis-cdk/portcullis/web"
)

var devTemplate = filepath.Join("..", "testdata", "portcullis-dev.template.json")

// startStack starts the local stack as `make dev` runs it, the web app
// (built by web.Build) on its web origin, and returns the app's origin.
// That origin serves the app's files, /api/* to the local API and
// config.json with the template's response headers and CSP, and is
// registered with the SPA client and the photo bucket's CORS rules as the
// distribution's URL is.
func startStack(t *testing.T, log io.Writer, mfa string) (*devstack.Stack, string) {
	t.Helper()
	site := filepath.Join(t.TempDir(), "site")
	if err := web.Build(site); err != nil {
		t.Fatal(err)
	}
	stack, err := devstack.Start(context.Background(), devstack.Options{
		Template: devTemplate, Log: log, MFA: mfa, WebDir: site, WebHost: "localhost",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stack.Close)
	origin := strings.TrimSuffix(stack.Info.AppURL, "/")
	// The journey's CSP check means something only if the page has one.
	resp, err := http.Get(origin + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Fatalf("the web origin's page has the CSP %q, want the template's", csp)
	}
	return stack, origin
}
