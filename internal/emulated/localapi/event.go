package localapi

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/contract/routes"
)

// eventTimeLayout is requestContext.time, e.g. "12/Mar/2020:19:03:58 +0000".
const eventTimeLayout = "02/Jan/2006:15:04:05 -0700"

// event builds the payload format 2.0 event for a routed, authorized request.
func (g *Gateway) event(r *http.Request, body []byte, route routes.Route, params map[string]string,
	authorizer *events.APIGatewayV2HTTPRequestContextAuthorizerDescription, reqID string, at time.Time) events.APIGatewayV2HTTPRequest {
	// HTTP APIs deliver the path percent-decoded, in rawPath as in
	// requestContext.http.path (observed on deployed APIs; REST APIs and
	// function URLs keep the encoding).
	path := r.URL.Path
	e := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              route.Key(),
		RawPath:               path,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies(r.Header),
		Headers:               g.headers(r),
		QueryStringParameters: queryParameters(r.URL.RawQuery),
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     route.Key(),
			AccountID:    g.account,
			Stage:        "$default",
			RequestID:    reqID,
			Authorizer:   authorizer,
			APIID:        g.apiID,
			DomainName:   r.Host,
			DomainPrefix: domainPrefix(r.Host),
			Time:         at.UTC().Format(eventTimeLayout),
			TimeEpoch:    at.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP(r),
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(params) > 0 {
		e.PathParameters = params
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type")) {
			// The event is JSON, so invalid UTF-8 reaches a deployed
			// function as U+FFFD; the local one must see the same.
			e.Body = strings.ToValidUTF8(string(body), string(utf8.RuneError))
		} else {
			e.Body = base64.StdEncoding.EncodeToString(body)
			e.IsBase64Encoded = true
		}
	}
	return e
}

// isText reports whether API Gateway passes a body of this content type as a
// string. HTTP APIs have no binaryMediaTypes setting; measured against a
// deployed API (ministackorg/ministack#766), text/*, application/json,
// application/xml and application/javascript arrive as text and everything
// else, a missing content type and form posts included, base64-encoded.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"):
		return true
	case mt == "application/json", mt == "application/xml", mt == "application/javascript":
		return true
	}
	return false
}

// headers are the request headers as payload format 2.0 carries them: names
// lower-cased, repeated headers joined with commas, cookies moved to the
// cookies field, plus the headers API Gateway adds.
func (g *Gateway) headers(r *http.Request) map[string]string {
	h := make(map[string]string, len(r.Header)+5)
	for name, values := range r.Header {
		lower := strings.ToLower(name)
		if lower == "cookie" {
			continue
		}
		h[lower] = strings.Join(values, ",")
	}
	h["host"] = r.Host
	if _, ok := h["content-length"]; !ok && r.ContentLength > 0 {
		h["content-length"] = strconv.FormatInt(r.ContentLength, 10)
	}
	ip := sourceIP(r)
	if prior := h["x-forwarded-for"]; prior != "" {
		h["x-forwarded-for"] = prior + ", " + ip
	} else {
		h["x-forwarded-for"] = ip
	}
	proto, port := "http", "80"
	if r.TLS != nil {
		proto, port = "https", "443"
	}
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(addr.String()); err == nil {
			port = p
		}
	}
	h["x-forwarded-proto"] = proto
	h["x-forwarded-port"] = port
	if _, ok := h["x-amzn-trace-id"]; !ok {
		h["x-amzn-trace-id"] = traceID(g.now())
	}
	return h
}

// cookies splits the Cookie headers into the cookies field, one entry per
// cookie.
func cookies(h http.Header) []string {
	var out []string
	for _, line := range h.Values("Cookie") {
		for _, c := range strings.Split(line, ";") {
			if c = strings.TrimSpace(c); c != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

// queryParameters decodes the query string into queryStringParameters:
// repeated parameters joined with commas, in the order they came. A
// malformed escape is passed through as it was rather than failing the
// request.
func queryParameters(raw string) map[string]string {
	if raw == "" {
		return nil
	}
	out := map[string]string{}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, v = unescapeQuery(k), unescapeQuery(v)
		if k == "" {
			continue
		}
		if prior, ok := out[k]; ok {
			out[k] = prior + "," + v
		} else {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func unescapeQuery(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// sourceIP is the address of the client connection.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// domainPrefix is the first label of the host, as "abc123" is of
// abc123.execute-api.us-east-1.amazonaws.com.
func domainPrefix(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	prefix, _, _ := strings.Cut(host, ".")
	return prefix
}

// traceID makes an X-Ray trace header as API Gateway adds one.
func traceID(at time.Time) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%x", at.Unix(), b)
}

// writeResponse translates the handler's payload format 2.0 response.
func (g *Gateway) writeResponse(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse, log *slog.Logger) error {
	payload, err := json.Marshal(resp)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	if len(payload) > MaxInvokeBytes {
		return fmt.Errorf("response of %d bytes exceeds Lambda's %d byte quota", len(payload), MaxInvokeBytes)
	}
	// The Go struct always carries statusCode; 0 is what a handler that
	// forgot to set it sends, and API Gateway cannot answer with it.
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return fmt.Errorf("statusCode %d", resp.StatusCode)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		body, err = base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			return fmt.Errorf("body: %w", err)
		}
	}
	if len(resp.MultiValueHeaders) > 0 {
		// Payload format 2.0 has no multiValueHeaders (only 1.0 does);
		// API Gateway ignores the field, so a handler relying on it is
		// broken when deployed.
		log.Warn("handler set multiValueHeaders, which payload format 2.0 ignores; use comma-separated headers or cookies",
			"headers", keys(resp.MultiValueHeaders))
	}
	h := w.Header()
	for name, value := range resp.Headers {
		if g.cors != nil && isCORSHeader(name) {
			// "If you configure CORS for an API, API Gateway ignores CORS
			// headers returned from your backend integration."
			continue
		}
		h.Set(name, value)
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	if h.Get("Content-Type") == "" {
		// No content sniffing: what the handler did not say, the client
		// is not told.
		h["Content-Type"] = nil
	}
	if bodyAllowed(resp.StatusCode) {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	} else {
		body = nil
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
	return nil
}

func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

func keys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
