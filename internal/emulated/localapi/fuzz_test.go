package localapi_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localapi"
)

// FuzzGateway sends arbitrary requests through the gateway: it must never
// panic, and must answer only as API Gateway can for an API whose handlers
// always succeed: served (200), preflight (204), refused (401, 403), not
// found (404) or too large (413).
func FuzzGateway(f *testing.F) {
	fx := newFixture(f, func(c *localapi.Config) { c.Logger = slog.New(slog.DiscardHandler) })
	creds, _ := fx.credentials(f)
	signed := sign(f, fx.request(f, http.MethodPost, "/iam/todos?a=1", []byte(`{"t":1}`)), creds, []byte(`{"t":1}`), "execute-api", region, fx.clock.Now())
	token := "Bearer " + fx.iss.Sign(fx.accessClaims(todosRead, todosWrite))

	f.Add("GET", "/todos?x=1&x=2", token, "", "", "", []byte(nil))
	f.Add("POST", "/todos", token, "", "application/json", "", []byte(`{"title":"a"}`))
	f.Add("POST", "/iam/todos?a=1", signed.Header.Get("Authorization"), signed.Header.Get("X-Amz-Date"), "", signed.Header.Get("X-Amz-Security-Token"), []byte(`{"t":1}`))
	f.Add("OPTIONS", "/todos", "", "", "", "", []byte(nil))
	f.Add("GET", "/todos/%zz", "Bearer a.b.c", "", "", "", []byte(nil))
	f.Add("DELETE", "/iam/todos/x", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00", "20250101T000000Z", "", "", []byte(nil))
	f.Add("PUT", "//todos//", "", "", "image/png", "", []byte{0xff})

	f.Fuzz(func(t *testing.T, method, target, authorization, amzDate, contentType, securityToken string, body []byte) {
		u, err := url.ParseRequestURI(target)
		if err != nil {
			t.Skip()
		}
		req := &http.Request{
			Method:        method,
			URL:           u,
			RequestURI:    target,
			Proto:         "HTTP/1.1",
			ProtoMajor:    1,
			ProtoMinor:    1,
			Header:        http.Header{},
			Body:          io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body)),
			Host:          signed.Host,
			RemoteAddr:    "192.0.2.1:4242",
		}
		for k, v := range map[string]string{
			"Authorization":                 authorization,
			"X-Amz-Date":                    amzDate,
			"Content-Type":                  contentType,
			"X-Amz-Security-Token":          securityToken,
			"Origin":                        appOrigin,
			"Access-Control-Request-Method": method,
		} {
			if v != "" {
				req.Header.Set(k, v)
			}
		}
		rec := httptest.NewRecorder()
		fx.srv.Config.Handler.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusNoContent, http.StatusUnauthorized, http.StatusForbidden,
			http.StatusNotFound, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("%s %q: status %d %s", method, target, rec.Code, rec.Body)
		}
	})
}
