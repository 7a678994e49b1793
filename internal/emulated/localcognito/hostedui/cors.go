package hostedui

import (
	"net/http"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localcognito"
)

// fetchMethods are the methods of the domain's endpoints that a browser
// app calls with fetch, by path: the token, revocation and userInfo
// endpoints. Cognito's domain answers these across origins, and its
// sign-in pages, /oauth2/authorize and /logout (browser navigations) not
// at all; docs/local-stack.md says what is confirmed of it and what is not.
var fetchMethods = map[string]string{
	localcognito.PathToken:    "POST",
	localcognito.PathRevoke:   "POST",
	localcognito.PathUserInfo: "GET, POST",
}

// setCORS writes the CORS headers of a domain answer to r: the request's
// own origin, echoed, on the fetch endpoints (errors included, so the app
// reads them), with the method and headers a preflight asks for; nothing
// elsewhere, so a browser refuses a page's answer to a script.
func setCORS(h http.Header, r *http.Request) {
	methods, ok := fetchMethods[r.URL.Path]
	origin := r.Header.Get("Origin")
	if !ok || origin == "" {
		return
	}
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Allow-Origin", origin)
	if r.Method != http.MethodOptions {
		return
	}
	h.Set("Access-Control-Allow-Methods", methods)
	if asked := r.Header.Get("Access-Control-Request-Headers"); asked != "" {
		h.Set("Access-Control-Allow-Headers", asked)
	}
}
