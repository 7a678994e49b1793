package localaws

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// verifySigV4 checks the SigV4 signature of an S3 request, signed either
// in the Authorization header or in the query (a presigned URL), against
// the one secret the local servers know. It is written from the SigV4
// specification rather than with the SDK's signer, so the tests that rely on
// it do not check the SDK against itself.
func verifySigV4(r *http.Request, secret string, now time.Time) error {
	var (
		credential, signedHeaders, signature, amzDate, payloadHash string
		query                                                      = r.URL.Query()
	)
	if auth := r.Header.Get("Authorization"); auth != "" {
		const algo = "AWS4-HMAC-SHA256 "
		if !strings.HasPrefix(auth, algo) {
			return errors.New("unsupported authorization scheme")
		}
		for part := range strings.SplitSeq(auth[len(algo):], ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			switch k {
			case "Credential":
				credential = v
			case "SignedHeaders":
				signedHeaders = v
			case "Signature":
				signature = v
			}
		}
		amzDate = r.Header.Get("X-Amz-Date")
		payloadHash = r.Header.Get("X-Amz-Content-Sha256")
		if payloadHash == "" {
			return errors.New("missing X-Amz-Content-Sha256")
		}
	} else if query.Get("X-Amz-Algorithm") == "AWS4-HMAC-SHA256" {
		credential = query.Get("X-Amz-Credential")
		signedHeaders = query.Get("X-Amz-SignedHeaders")
		signature = query.Get("X-Amz-Signature")
		amzDate = query.Get("X-Amz-Date")
		payloadHash = "UNSIGNED-PAYLOAD"
		signedAt, err := time.Parse("20060102T150405Z", amzDate)
		if err != nil {
			return errors.New("bad X-Amz-Date")
		}
		expires, err := strconv.Atoi(query.Get("X-Amz-Expires"))
		if err != nil || expires < 1 || expires > 7*24*3600 {
			return errors.New("bad X-Amz-Expires")
		}
		if now.After(signedAt.Add(time.Duration(expires) * time.Second)) {
			return errors.New("request has expired")
		}
		query.Del("X-Amz-Signature")
	} else {
		return errors.New("request is not signed")
	}

	// Credential: <key id>/<yyyymmdd>/<region>/<service>/aws4_request
	parts := strings.Split(credential, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || signature == "" || signedHeaders == "" {
		return errors.New("malformed credential or signature")
	}
	if !strings.HasPrefix(amzDate, parts[1]) {
		return errors.New("credential date does not match X-Amz-Date")
	}
	scope := strings.Join(parts[1:], "/")

	canonical := strings.Join([]string{
		r.Method,
		canonicalPath(r.URL.Path),
		canonicalQuery(query),
		canonicalHeaders(r, signedHeaders),
		signedHeaders,
		payloadHash,
	}, "\n")
	sum := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])

	key := []byte("AWS4" + secret)
	for _, p := range parts[1:] {
		key = hmacSHA256(key, p)
	}
	want := hex.EncodeToString(hmacSHA256(key, toSign))
	if !hmac.Equal([]byte(want), []byte(signature)) {
		return fmt.Errorf("signature does not match; canonical request:\n%s", canonical)
	}
	return nil
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// canonicalHeaders lists the signed headers as the client sent them. Go's
// server keeps Host and the body length out of the header map, so those two
// come from the request fields.
func canonicalHeaders(r *http.Request, signed string) string {
	var b strings.Builder
	for name := range strings.SplitSeq(signed, ";") {
		var vals []string
		switch name {
		case "host":
			vals = []string{r.Host}
		case "content-length":
			if r.ContentLength >= 0 {
				vals = []string{strconv.FormatInt(r.ContentLength, 10)}
			}
		default:
			vals = r.Header.Values(name)
		}
		for i, v := range vals {
			vals[i] = strings.Join(strings.Fields(v), " ")
		}
		b.WriteString(name + ":" + strings.Join(vals, ",") + "\n")
	}
	return b.String()
}

// canonicalPath URI-encodes each segment; S3 does not double-encode.
func canonicalPath(p string) string {
	if p == "" {
		return "/"
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = uriEncode(s)
	}
	return strings.Join(segs, "/")
}

func canonicalQuery(q url.Values) string {
	var pairs []string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, uriEncode(k)+"="+uriEncode(v))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// uriEncode percent-encodes everything but RFC 3986's unreserved characters.
func uriEncode(s string) string {
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
