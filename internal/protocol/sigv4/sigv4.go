// Package sigv4 verifies AWS Signature Version 4 requests for every local
// service (API Gateway's IAM routes, S3, DynamoDB, Cognito's admin
// operations), each configured with its own rules: signing name, region,
// clock skew, path encoding, presigned URLs and which headers must be
// signed. It is written from the SigV4 specification rather than with the
// SDK's signer, so the tests that sign with the SDK check one against the
// other.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	// Algorithm is the only signing algorithm the local services take.
	Algorithm = "AWS4-HMAC-SHA256"
	// DateLayout is the layout of X-Amz-Date.
	DateLayout = "20060102T150405Z"
	// UnsignedPayload stands for the body hash where S3 allows it.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// MaxPresignExpiry is the longest X-Amz-Expires SigV4 allows: 7 days.
	MaxPresignExpiry = 7 * 24 * time.Hour
)

// Service is how one AWS service checks signatures. The zero value of each
// field is the strict choice.
type Service struct {
	// Name is the signing name in the credential scope: s3, dynamodb,
	// execute-api, cognito-idp.
	Name string
	// Region is the only region the credential scope may name.
	Region string
	// Skew is how far X-Amz-Date of a header-signed request may be from the
	// service's clock. S3 allows 15 minutes; API Gateway, DynamoDB and
	// Cognito 5 ("Signature expired: ... (... - 5 min.)").
	Skew time.Duration
	// Presigned accepts signatures in the query (X-Amz-Signature), as S3
	// does for presigned URLs.
	Presigned bool
	// SingleEncodedPath canonicalizes the path by encoding it once, S3's
	// rule; every other service encodes the escaped path a second time.
	SingleEncodedPath bool
	// UnsignedPayload takes the payload hash from X-Amz-Content-Sha256,
	// which may be UNSIGNED-PAYLOAD (S3); otherwise the body's SHA-256 is
	// always signed.
	UnsignedPayload bool
	// SignAllAmzHeaders requires every x-amz-* header the request carries
	// to be signed (S3's HeadersNotSigned); host is always required.
	SignAllAmzHeaders bool
}

// Reason classifies a refused signature, so each service can answer in its
// own error format.
type Reason int

const (
	// Missing: no signature at all.
	Missing Reason = iota + 1
	// Malformed: an Authorization header or query that is not SigV4.
	Malformed
	// WrongScope: the credential scope names another region or service.
	WrongScope
	// Skewed: X-Amz-Date is outside the service's clock skew.
	Skewed
	// Expired: a presigned URL past X-Amz-Expires.
	Expired
	// UnknownKey: no such access key.
	UnknownKey
	// BadToken: the session token is missing, foreign or not expected.
	BadToken
	// ExpiredToken: temporary credentials past their expiration.
	ExpiredToken
	// NotSigned: a header that must be signed is not.
	NotSigned
	// Mismatch: the signature does not match the request.
	Mismatch
)

// Error is a refused signature. Message is written the way AWS words it,
// Detail (the canonical request, unsigned header names) is for logs and
// the few error bodies that carry it.
type Error struct {
	Reason  Reason
	Message string
	// Headers are the headers that should have been signed (NotSigned).
	Headers []string
	// Canonical is the canonical request the service computed (Mismatch),
	// with the session token masked.
	Canonical string
}

func (e *Error) Error() string {
	if e.Canonical != "" {
		return e.Message + "; canonical request:\n" + e.Canonical
	}
	return e.Message
}

func fail(r Reason, format string, args ...any) *Error {
	return &Error{Reason: r, Message: fmt.Sprintf(format, args...)}
}

// signature is the parsed SigV4 material of a request, from either its
// Authorization header or its query.
type signature struct {
	accessKeyID, date, region, service, terminal string
	signedHeaders                                []string
	signature, amzDate, payloadHash, token       string
	presigned                                    bool
}

// Verify authenticates r, whose body is body, with the credentials in
// creds at time now, and returns the credential that signed it.
func (s Service) Verify(r *http.Request, body []byte, creds Credentials, now time.Time) (Credential, error) {
	var none Credential
	sig, err := s.parse(r, body)
	if err != nil {
		return none, err
	}
	signedAt, err := time.Parse(DateLayout, sig.amzDate)
	if err != nil {
		return none, fail(Malformed, "X-Amz-Date %q is not of the form %s", sig.amzDate, DateLayout)
	}
	switch {
	case sig.date != signedAt.Format("20060102"):
		return none, fail(Malformed, "credential date %s does not match X-Amz-Date %s", sig.date, sig.amzDate)
	case sig.region != s.Region:
		return none, fail(WrongScope, "credential should be scoped to a valid region, not %q (want %q)", sig.region, s.Region)
	case sig.service != s.Name:
		return none, fail(WrongScope, "credential should be scoped to correct service: %q, not %q", s.Name, sig.service)
	case sig.terminal != "aws4_request":
		return none, fail(Malformed, "credential should be scoped with a valid terminator: 'aws4_request', not %q", sig.terminal)
	}
	now = now.UTC()
	if sig.presigned {
		expires, err := strconv.Atoi(r.URL.Query().Get("X-Amz-Expires"))
		if err != nil || expires < 1 || time.Duration(expires)*time.Second > MaxPresignExpiry {
			return none, fail(Malformed, "X-Amz-Expires %q must be from 1 to %d seconds", r.URL.Query().Get("X-Amz-Expires"), int(MaxPresignExpiry.Seconds()))
		}
		if now.After(signedAt.Add(time.Duration(expires) * time.Second)) {
			return none, fail(Expired, "request has expired: signed at %s for %d seconds", sig.amzDate, expires)
		}
		if signedAt.After(now.Add(s.Skew)) {
			return none, fail(Skewed, "request is not yet valid: signed at %s, now %s", sig.amzDate, now.Format(DateLayout))
		}
	} else {
		if signedAt.Before(now.Add(-s.Skew)) {
			return none, fail(Skewed, "signature expired: %s is now earlier than %s (%s - %s)",
				sig.amzDate, now.Add(-s.Skew).Format(DateLayout), now.Format(DateLayout), skewText(s.Skew))
		}
		if signedAt.After(now.Add(s.Skew)) {
			return none, fail(Skewed, "signature not yet current: %s is still later than %s (%s + %s)",
				sig.amzDate, now.Add(s.Skew).Format(DateLayout), now.Format(DateLayout), skewText(s.Skew))
		}
	}

	cred, ok := creds.Lookup(sig.accessKeyID)
	if !ok {
		return none, fail(UnknownKey, "the security token included in the request is invalid: unknown access key %s", sig.accessKeyID)
	}
	if !cred.Expiration.IsZero() && !now.Before(cred.Expiration) {
		return none, fail(ExpiredToken, "the security token included in the request is expired: access key %s expired at %s",
			sig.accessKeyID, cred.Expiration.UTC().Format(time.RFC3339))
	}
	// Temporary credentials are only whole with their session token, and a
	// long-term key must not come with one.
	if subtle.ConstantTimeCompare([]byte(sig.token), []byte(cred.SessionToken)) != 1 {
		return none, fail(BadToken, "the security token included in the request is invalid: wrong or missing X-Amz-Security-Token for %s", sig.accessKeyID)
	}
	if missing := s.unsigned(r, sig); len(missing) > 0 {
		return none, &Error{Reason: NotSigned, Message: "there were headers present in the request which were not signed: " + strings.Join(missing, ", "), Headers: missing}
	}

	canonical, err := s.canonicalRequest(r, sig)
	if err != nil {
		return none, err
	}
	scope := strings.Join([]string{sig.date, sig.region, sig.service, sig.terminal}, "/")
	stringToSign := strings.Join([]string{Algorithm, sig.amzDate, scope, hexSHA256([]byte(canonical))}, "\n")
	want := hex.EncodeToString(hmacSHA256(signingKey(cred.SecretAccessKey, sig.date, sig.region, sig.service), []byte(stringToSign)))
	if !hmac.Equal([]byte(want), []byte(sig.signature)) {
		if cred.SessionToken != "" {
			canonical = strings.ReplaceAll(canonical, url.QueryEscape(cred.SessionToken), "<session token>")
			canonical = strings.ReplaceAll(canonical, cred.SessionToken, "<session token>")
		}
		return none, &Error{Reason: Mismatch, Message: "the request signature we calculated does not match the signature you provided", Canonical: canonical}
	}
	return cred, nil
}

func skewText(d time.Duration) string {
	return strconv.Itoa(int(d.Minutes())) + " min."
}

// parse reads the signature from the Authorization header or, for services
// that take presigned URLs, from the query.
func (s Service) parse(r *http.Request, body []byte) (signature, error) {
	var sig signature
	values := r.Header.Values("Authorization")
	query := r.URL.Query()
	switch {
	case len(values) > 1:
		return sig, fail(Malformed, "more than one Authorization header")
	case len(values) == 1 && values[0] != "":
		if query.Has("X-Amz-Signature") || query.Has("X-Amz-Credential") {
			return sig, fail(Malformed, "only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified")
		}
		if err := sig.fromHeader(values[0]); err != nil {
			return sig, err
		}
		sig.amzDate = r.Header.Get("X-Amz-Date")
		sig.token = r.Header.Get("X-Amz-Security-Token")
		sig.payloadHash = hexSHA256(body)
		if s.UnsignedPayload {
			// S3, the service that takes UNSIGNED-PAYLOAD, signs the
			// hash the client declares in X-Amz-Content-Sha256; a
			// declared hash must be the body's.
			declared := r.Header.Get("X-Amz-Content-Sha256")
			switch {
			case declared == "":
				return sig, fail(Malformed, "missing required header for this request: x-amz-content-sha256")
			case declared == UnsignedPayload && s.UnsignedPayload:
				sig.payloadHash = UnsignedPayload
			case declared != sig.payloadHash && !strings.HasPrefix(declared, "STREAMING-"):
				return sig, fail(Mismatch, "the provided 'x-amz-content-sha256' header does not match what was computed")
			default:
				sig.payloadHash = declared
			}
		}
	case s.Presigned && query.Get("X-Amz-Algorithm") != "":
		if query.Get("X-Amz-Algorithm") != Algorithm {
			return sig, fail(Malformed, "X-Amz-Algorithm %q is not %s", query.Get("X-Amz-Algorithm"), Algorithm)
		}
		if err := sig.fromQuery(query); err != nil {
			return sig, err
		}
		sig.payloadHash = UnsignedPayload
	default:
		return sig, fail(Missing, "missing authentication token")
	}
	if _, found := slices.BinarySearch(sig.signedHeaders, "host"); !found {
		return sig, &Error{Reason: NotSigned, Message: "host must be a signed header", Headers: []string{"host"}}
	}
	if !sig.presigned {
		if _, found := slices.BinarySearch(sig.signedHeaders, "x-amz-date"); !found && r.Header.Get("X-Amz-Date") != "" {
			return sig, &Error{Reason: NotSigned, Message: "x-amz-date must be a signed header", Headers: []string{"x-amz-date"}}
		}
	}
	return sig, nil
}

// fromHeader parses AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/s3/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=<64 hex>.
func (sig *signature) fromHeader(v string) error {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
	if scheme != Algorithm {
		return fail(Malformed, "authorization scheme %q is not %s", scheme, Algorithm)
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fail(Malformed, "incomplete signature: %q is not key=value", part)
		}
		if _, dup := fields[k]; dup {
			return fail(Malformed, "incomplete signature: %s given twice", k)
		}
		fields[k] = val
	}
	return sig.fill(fields["Credential"], fields["SignedHeaders"], fields["Signature"])
}

func (sig *signature) fromQuery(q url.Values) error {
	sig.presigned = true
	sig.amzDate = q.Get("X-Amz-Date")
	sig.token = q.Get("X-Amz-Security-Token")
	return sig.fill(q.Get("X-Amz-Credential"), q.Get("X-Amz-SignedHeaders"), q.Get("X-Amz-Signature"))
}

func (sig *signature) fill(cred, signed, signature string) error {
	if cred == "" || signed == "" || signature == "" {
		return fail(Malformed, "incomplete signature: Credential, SignedHeaders and Signature are all required")
	}
	scope := strings.Split(cred, "/")
	if len(scope) != 5 || scope[0] == "" {
		return fail(Malformed, "incomplete signature: credential %q is not AKID/date/region/service/aws4_request", cred)
	}
	sig.accessKeyID, sig.date, sig.region, sig.service, sig.terminal = scope[0], scope[1], scope[2], scope[3], scope[4]
	sig.signedHeaders = strings.Split(signed, ";")
	for i, h := range sig.signedHeaders {
		if h == "" || h != strings.ToLower(h) {
			return fail(Malformed, "incomplete signature: signed header %q must be lower-case and non-empty", h)
		}
		if i > 0 && sig.signedHeaders[i-1] >= h {
			return fail(Malformed, "incomplete signature: signed headers %q are not sorted and unique", signed)
		}
	}
	if len(signature) != 64 || strings.Trim(signature, "0123456789abcdef") != "" {
		return fail(Malformed, "incomplete signature: signature %q is not 64 lower-case hex digits", signature)
	}
	sig.signature = signature
	return nil
}

// unsigned lists the headers the request carries that the service wants
// signed but the signature leaves out.
func (s Service) unsigned(r *http.Request, sig signature) []string {
	var missing []string
	for name := range r.Header {
		lower := strings.ToLower(name)
		needs := lower == "content-md5" || (s.SignAllAmzHeaders && strings.HasPrefix(lower, "x-amz-"))
		switch lower {
		case "x-amz-content-sha256", "x-amz-date", "x-amz-security-token":
			// Covered by the payload hash, the string to sign and the
			// credential lookup; S3 does not ask for them in SignedHeaders.
			needs = false
		}
		if !needs {
			continue
		}
		if _, found := slices.BinarySearch(sig.signedHeaders, lower); !found {
			missing = append(missing, lower)
		}
	}
	sort.Strings(missing)
	return missing
}

// canonicalRequest is the SigV4 canonical request of r: method, canonical
// URI, canonical query, canonical headers, signed headers and payload hash.
func (s Service) canonicalRequest(r *http.Request, sig signature) (string, error) {
	query, err := canonicalQuery(r.URL.RawQuery, sig.presigned)
	if err != nil {
		return "", err
	}
	var headers strings.Builder
	for _, name := range sig.signedHeaders {
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
			return "", &Error{Reason: Mismatch, Message: fmt.Sprintf("signed header %q is not in the request", name)}
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
		s.canonicalURI(r),
		query,
		headers.String(),
		strings.Join(sig.signedHeaders, ";"),
		sig.payloadHash,
	}, "\n"), nil
}

// canonicalURI is the request path as it came on the wire. S3 decodes it
// and encodes each segment once; every other service encodes the escaped
// path once more (double encoding).
func (s Service) canonicalURI(r *http.Request) string {
	path := r.URL.EscapedPath()
	if strings.HasPrefix(r.RequestURI, "/") {
		path, _, _ = strings.Cut(r.RequestURI, "?")
	}
	if path == "" {
		return "/"
	}
	if s.SingleEncodedPath {
		decoded, err := url.PathUnescape(path)
		if err == nil {
			path = decoded
		}
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
// the SigV4 way, sorting the pairs after encoding. A presigned request's
// own signature is not part of what it signs.
func canonicalQuery(raw string, presigned bool) (string, error) {
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
			return "", fail(Malformed, "query parameter %q: %v", k, err)
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			return "", fail(Malformed, "query parameter %q: %v", k, err)
		}
		if presigned && dk == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, pair{Escape(dk), Escape(dv)})
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

// Escape percent-encodes every byte outside A-Z a-z 0-9 - _ . ~, with
// upper-case hex; a space is %20.
func Escape(s string) string {
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

// JSONError is how the AWS JSON protocol services (DynamoDB, Cognito)
// report a refused signature: the error type and its message, always with
// status 400.
func (e *Error) JSONError() (errType, message string) {
	switch e.Reason {
	case Missing:
		return "MissingAuthenticationTokenException", "Missing Authentication Token"
	case Malformed:
		return "IncompleteSignatureException", e.Message
	case UnknownKey, BadToken:
		return "UnrecognizedClientException", "The security token included in the request is invalid."
	case ExpiredToken:
		return "ExpiredTokenException", "The security token included in the request is expired"
	case Mismatch:
		return "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	default: // WrongScope, Skewed, Expired, NotSigned
		return "InvalidSignatureException", e.Message
	}
}
