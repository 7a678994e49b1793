package browser

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/internal/stackinfo"
	"github.com/portcullis-cdk/portcullis/web"
)

// startWeb serves the SPA the way the distribution does (files, SPA
// fallback, /api/* to the API, a strict CSP) on 127.0.0.1:port.
func startWeb(t *testing.T, info stackinfo.Info, port string) string {
	t.Helper()
	site := filepath.Join(t.TempDir(), "site")
	if err := web.Build(site); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://localhost:" + strings.TrimPrefix(l.Addr().String(), "127.0.0.1:")
	cfg := contract.WebConfig{
		Region: info.Region, UserPoolID: info.UserPoolID, ClientID: info.SPAClientID,
		Issuer: info.Issuer, CognitoDomain: info.CognitoEndpoint, UserPoolEndpoint: info.CognitoEndpoint,
		IdentityPoolID: info.IdentityPoolID, IdentityEndpoint: info.IdentityEndpoint,
		APIPath: contract.APIPath, CallbackPath: contract.CallbackPath, LogoutPath: contract.LogoutPath,
		Scopes: []string{"openid", "email", "profile", "aws.cognito.signin.user.admin",
			"portcullis/todos.read", "portcullis/todos.write", "portcullis/photos.read", "portcullis/photos.write", "portcullis/profile.read"},
	}
	api, _ := url.Parse(info.APIURL)
	proxy := httputil.NewSingleHostReverseProxy(api)
	files := http.FileServer(http.Dir(site))
	csp := strings.Join([]string{
		"default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "base-uri 'none'",
		"img-src 'self' " + info.S3Endpoint, "connect-src 'self' " + info.CognitoEndpoint + " " + info.S3Endpoint,
		"frame-ancestors 'none'", "form-action 'self'",
	}, "; ")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "strict-origin-when-cross-origin")
		switch {
		case strings.HasPrefix(r.URL.Path, contract.APIPath+"/"):
			r.URL.Path = strings.TrimPrefix(r.URL.Path, contract.APIPath)
			r.Host = api.Host
			proxy.ServeHTTP(w, r)
		case r.URL.Path == "/config.json":
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(cfg)
		default:
			if _, err := os.Stat(filepath.Join(site, filepath.FromSlash(r.URL.Path))); err != nil && !strings.HasPrefix(r.URL.Path, "/assets/") {
				r.URL.Path = "/"
			}
			files.ServeHTTP(w, r)
		}
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return origin
}
