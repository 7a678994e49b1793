package localapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

const (
	sigV4Algorithm = "AWS4-HMAC-SHA256"
	// sigV4Service is the signing name of API Gateway's data plane.
	sigV4Service  = "execute-api"
	amzDateLayout = "20060102T150405Z"
	// MaxSignatureSkew is how far X-Amz-Date may be from the gateway's
	// clock. API Gateway's window is five minutes (it tells REST callers
	// "Signature expired: 20170212T175938Z is now earlier than
	// 20170215T145534Z (20170215T150034Z - 5 min.)"), tighter than the
	// fifteen minutes of most AWS services.
	MaxSignatureSkew = 5 * time.Minute
)

// verifySignature authenticates a request signed with Signature Version 4 in
// its Authorization header, the way API Gateway does for routes with IAM
// authorization, and returns the caller for requestContext.authorizer.iam.
// The signature is recomputed from the request as it arrived: method, path,
// query, the headers named in SignedHeaders and the SHA-256 of the body,
// which execute-api always signs (it does not take UNSIGNED-PAYLOAD).
func (g *Gateway) verifySignature(r *http.Request, body []byte) (events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription, error) {
	var none events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription
	values := r.Header.Values("Authorization")
	switch {
	case len(values) == 0 || values[0] == "":
		return none, errors.New("missing authentication token")
	case len(values) > 1:
		return none, errors.New("more than one Authorization header")
	}
	auth, err := parseAuthorization(values[0])
	if err != nil {
		return none, err
	}

	amzDate := r.Header.Get("X-Amz-Date")
	signedAt, err := time.Parse(amzDateLayout, amzDate)
	if err != nil {
		return none, fmt.Errorf("incomplete signature: X-Amz-Date %q is not of the form %s", amzDate, amzDateLayout)
	}
	switch {
	case auth.date != signedAt.Format("20060102"):
		return none, fmt.Errorf("credential date %s does not match X-Amz-Date %s", auth.date, amzDate)
	case auth.region != g.region:
		return none, fmt.Errorf("credential should be scoped to a valid region, not %q (want %q)", auth.region, g.region)
	case auth.service != sigV4Service:
		return none, fmt.Errorf("credential should be scoped to correct service: %q, not %q", sigV4Service, auth.service)
	case auth.terminal != "aws4_request":
		return none, fmt.Errorf("credential should be scoped with a valid terminator: 'aws4_request', not %q", auth.terminal)
	}
	now := g.now().UTC()
	if signedAt.Before(now.Add(-MaxSignatureSkew)) {
		return none, fmt.Errorf("signature expired: %s is now earlier than %s (%s - 5 min.)",
			amzDate, now.Add(-MaxSignatureSkew).Format(amzDateLayout), now.Format(amzDateLayout))
	}
	if signedAt.After(now.Add(MaxSignatureSkew)) {
		return none, fmt.Errorf("signature not yet current: %s is still later than %s (%s + 5 min.)",
			amzDate, now.Add(MaxSignatureSkew).Format(amzDateLayout), now.Format(amzDateLayout))
	}

	caller, ok := g.creds.Lookup(auth.accessKeyID)
	if !ok {
		return none, fmt.Errorf("the security token included in the request is invalid: unknown access key %s", auth.accessKeyID)
	}
	if !caller.Expiration.IsZero() && !now.Before(caller.Expiration) {
		return none, fmt.Errorf("the security token included in the request is expired: access key %s expired at %s",
			auth.accessKeyID, caller.Expiration.UTC().Format(time.RFC3339))
	}
	// Temporary credentials are only whole with their session token, and a
	// long-term key must not come with one.
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Amz-Security-Token")), []byte(caller.SessionToken)) != 1 {
		return none, fmt.Errorf("the security token included in the request is invalid: wrong or missing X-Amz-Security-Token for %s", auth.accessKeyID)
	}

	canonical, err := canonicalRequest(r, auth.signedHeaders, body)
	if err != nil {
		return none, err
	}
	scope := strings.Join([]string{auth.date, auth.region, auth.service, auth.terminal}, "/")
	stringToSign := strings.Join([]string{sigV4Algorithm, amzDate, scope, hexSHA256([]byte(canonical))}, "\n")
	key := signingKey(caller.SecretAccessKey, auth.date, auth.region, auth.service)
	want := hex.EncodeToString(hmacSHA256(key, []byte(stringToSign)))
	if !hmac.Equal([]byte(want), []byte(auth.signature)) {
		// The canonical request is what a developer needs to find the
		// difference, as REST APIs show it; the session token stays out
		// of the logs.
		if caller.SessionToken != "" {
			canonical = strings.ReplaceAll(canonical, caller.SessionToken, "<session token>")
		}
		return none, fmt.Errorf("the request signature we calculated does not match the signature you provided; canonical request:\n%s", canonical)
	}

	iam := caller.IAM
	iam.AccessKey = auth.accessKeyID
	return iam, nil
}

// sigV4Authorization is a parsed Authorization header:
// AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/execute-api/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=<64 hex>.
type sigV4Authorization struct {
	accessKeyID, date, region, service, terminal string
	signedHeaders                                []string
	signature                                    string
}

func parseAuthorization(v string) (sigV4Authorization, error) {
	var a sigV4Authorization
	scheme, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
	if scheme != sigV4Algorithm {
		return a, fmt.Errorf("authorization scheme %q is not %s", scheme, sigV4Algorithm)
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, fmt.Errorf("incomplete signature: %q is not key=value", part)
		}
		if _, dup := fields[k]; dup {
			return a, fmt.Errorf("incomplete signature: %s given twice", k)
		}
		fields[k] = val
	}
	cred, signed, sig := fields["Credential"], fields["SignedHeaders"], fields["Signature"]
	if cred == "" || signed == "" || sig == "" {
		return a, errors.New("incomplete signature: Credential, SignedHeaders and Signature are all required")
	}
	scope := strings.Split(cred, "/")
	if len(scope) != 5 || scope[0] == "" {
		return a, fmt.Errorf("incomplete signature: credential %q is not AKID/date/region/service/aws4_request", cred)
	}
	a.accessKeyID, a.date, a.region, a.service, a.terminal = scope[0], scope[1], scope[2], scope[3], scope[4]

	a.signedHeaders = strings.Split(signed, ";")
	for i, h := range a.signedHeaders {
		if h == "" || h != strings.ToLower(h) {
			return a, fmt.Errorf("incomplete signature: signed header %q must be lower-case and non-empty", h)
		}
		if i > 0 && a.signedHeaders[i-1] >= h {
			return a, fmt.Errorf("incomplete signature: signed headers %q are not sorted and unique", signed)
		}
	}
	for _, required := range []string{"host", "x-amz-date"} {
		if _, found := slices.BinarySearch(a.signedHeaders, required); !found {
			return a, fmt.Errorf("incomplete signature: %s must be a signed header", required)
		}
	}
	if len(sig) != 64 || strings.Trim(sig, "0123456789abcdef") != "" {
		return a, fmt.Errorf("incomplete signature: signature %q is not 64 lower-case hex digits", sig)
	}
	a.signature = sig
	return a, nil
}

// canonicalRequest is the SigV4 canonical request of r: method, canonical
// URI, canonical query, canonical headers, signed headers and payload hash.
func canonicalRequest(r *http.Request, signedHeaders []string, body []byte) (string, error) {
	query, err := canonicalQuery(r.URL.RawQuery)
	if err != nil {
		return "", err
	}
	var headers strings.Builder
	for _, name := range signedHeaders {
		var values []string
		switch name {
		case "host":
			values = []string{r.Host}
		default:
			values = r.Header.Values(name)
			if len(values) == 0 && name == "content-length" && r.ContentLength >= 0 {
				values = []string{strconv.FormatInt(r.ContentLength, 10)}
			}
		}
		if len(values) == 0 {
			return "", fmt.Errorf("signed header %q is not in the request", name)
		}
		headers.WriteString(name)
		headers.WriteByte(':')
		for i, v := range values {
			if i > 0 {
				headers.WriteByte(',')
			}
			headers.WriteString(collapseSpaces(v))
		}
		headers.WriteByte('\n')
	}
	return strings.Join([]string{
		r.Method,
		canonicalURI(r),
		query,
		headers.String(),
		strings.Join(signedHeaders, ";"),
		hexSHA256(body),
	}, "\n"), nil
}

// canonicalURI is the request path exactly as it came on the wire, each byte
// outside the unreserved set percent-encoded once more: the double encoding
// SigV4 asks of every service but S3.
func canonicalURI(r *http.Request) string {
	path := r.URL.EscapedPath()
	if strings.HasPrefix(r.RequestURI, "/") {
		path, _, _ = strings.Cut(r.RequestURI, "?")
	}
	if path == "" {
		path = "/"
	}
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c == '/' || isUnreserved(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// canonicalQuery decodes the query and encodes each name and value again
// the SigV4 way, sorting the pairs after encoding, as the specification
// requires.
func canonicalQuery(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	type pair struct{ k, v string }
	var pairs []pair
	for _, p := range strings.Split(raw, "&") {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil {
			return "", fmt.Errorf("query parameter %q: %w", k, err)
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			return "", fmt.Errorf("query parameter %q: %w", k, err)
		}
		pairs = append(pairs, pair{sigV4Escape(dk), sigV4Escape(dv)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&"), nil
}

// sigV4Escape percent-encodes every byte outside A-Z a-z 0-9 - _ . ~, with
// upper-case hex; a space is %20.
func sigV4Escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

// collapseSpaces trims a header value and reduces each run of spaces inside
// it to one.
func collapseSpaces(v string) string {
	return strings.Join(strings.FieldsFunc(v, func(r rune) bool { return r == ' ' }), " ")
}

func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), []byte(date))
	k = hmacSHA256(k, []byte(region))
	k = hmacSHA256(k, []byte(service))
	return hmacSHA256(k, []byte("aws4_request"))
}

func hmacSHA256(key, data []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(data)
	return m.Sum(nil)
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
