package localapi

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portcullis-cdk/portcullis/contract/routes"
)

// CORS is an HTTP API's CorsConfiguration ("Configure CORS for HTTP APIs in
// API Gateway"). With one configured, API Gateway answers preflight requests
// itself, adds the configured headers to the responses of CORS requests, and
// ignores the CORS headers an integration returns.
type CORS struct {
	// AllowOrigins are the origins allowed to call the API: exact origins
	// ("https://app.example.com"), wildcard subdomains
	// ("https://*.example.com"), or "*" for any.
	AllowOrigins []string
	// AllowHeaders are the request headers a preflight allows.
	AllowHeaders []string
	// AllowMethods are the methods a preflight allows.
	AllowMethods []string
	// ExposeHeaders are the response headers browsers let scripts read.
	ExposeHeaders []string
	// AllowCredentials allows cookies and TLS client certificates; API
	// Gateway refuses it together with the "*" origin.
	AllowCredentials bool
	// MaxAge is how long browsers may cache a preflight; zero omits it.
	MaxAge time.Duration
}

// DefaultCORS is the API's CORS configuration for the given origins: the
// methods of the route table, and the headers callers send, Authorization
// and Content-Type for bearer tokens plus the SigV4 headers identity-pool
// callers sign with.
func DefaultCORS(origins ...string) *CORS {
	var methods []string
	for _, r := range routes.All() {
		if !slices.Contains(methods, r.Method) {
			methods = append(methods, r.Method)
		}
	}
	slices.Sort(methods)
	return &CORS{
		AllowOrigins:  origins,
		AllowHeaders:  []string{"authorization", "content-type", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"},
		AllowMethods:  methods,
		ExposeHeaders: []string{"apigw-requestid"},
		MaxAge:        10 * time.Minute,
	}
}

func (c *CORS) validate() error {
	if len(c.AllowOrigins) == 0 {
		return errors.New("CORS configuration allows no origin")
	}
	if c.AllowCredentials && slices.Contains(c.AllowOrigins, "*") {
		// The error API Gateway gives for the same configuration.
		return errors.New("CORS: allow-credentials is not supported if 'allow-origin' is *")
	}
	for _, o := range c.AllowOrigins {
		if o != "*" && strings.Count(o, "*") > 1 {
			return errors.New("CORS: origin " + strconv.Quote(o) + " has more than one wildcard")
		}
	}
	return nil
}

// isPreflight reports whether r is a CORS preflight: "For the OPTIONS
// method, your request must include the origin header and the
// Access-Control-Request-Method header." Other OPTIONS requests are routed.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions &&
		r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
}

// preflight answers a preflight request, with no content. A disallowed
// origin gets the same 204 without CORS headers, so the browser refuses the
// actual request.
func (c *CORS) preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if origin := c.allowedOrigin(r.Header.Get("Origin")); origin != "" {
		h.Set("Access-Control-Allow-Origin", origin)
		if len(c.AllowMethods) > 0 {
			h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
		}
		if len(c.AllowHeaders) > 0 {
			h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ","))
		}
		if c.MaxAge > 0 {
			h.Set("Access-Control-Max-Age", strconv.Itoa(int(c.MaxAge/time.Second)))
		}
		if c.AllowCredentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// decorate adds the CORS headers of an actual (not preflight) response when
// the request comes from an allowed origin. It applies to the gateway's own
// refusals too, so a browser script can read a 401 and send its user to
// sign in again. A nil *CORS adds nothing.
func (c *CORS) decorate(h http.Header, r *http.Request) {
	if c == nil {
		return
	}
	origin := c.allowedOrigin(r.Header.Get("Origin"))
	if origin == "" {
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
	if c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(c.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
	}
}

// allowedOrigin is the Access-Control-Allow-Origin value for a request
// origin: "*" when any origin is allowed, the origin itself when it is
// listed, "" when it is not allowed.
func (c *CORS) allowedOrigin(origin string) string {
	if origin == "" {
		return ""
	}
	for _, allowed := range c.AllowOrigins {
		switch {
		case allowed == "*":
			return "*"
		case strings.EqualFold(allowed, origin):
			return origin
		case strings.Contains(allowed, "*"):
			prefix, suffix, _ := strings.Cut(strings.ToLower(allowed), "*")
			lo := strings.ToLower(origin)
			if len(lo) > len(prefix)+len(suffix) && strings.HasPrefix(lo, prefix) && strings.HasSuffix(lo, suffix) {
				return origin
			}
		}
	}
	return ""
}

func isCORSHeader(name string) bool {
	return strings.HasPrefix(strings.ToLower(name), "access-control-")
}
