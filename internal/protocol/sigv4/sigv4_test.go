package sigv4_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
)

const region = "us-east-1"

var services = map[string]sigv4.Service{
	"execute-api": {Name: "execute-api", Region: region, Skew: 5 * time.Minute},
	"dynamodb":    {Name: "dynamodb", Region: region, Skew: 5 * time.Minute},
	"cognito-idp": {Name: "cognito-idp", Region: region, Skew: 5 * time.Minute},
	"s3": {Name: "s3", Region: region, Skew: 15 * time.Minute, Presigned: true,
		SingleEncodedPath: true, UnsignedPayload: true, SignAllAmzHeaders: true},
}

var (
	signedAt = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	admin    = sigv4.Credential{AccessKeyID: "AKIDADMIN", SecretAccessKey: "admin-secret", Principal: sigv4.Principal{Admin: true}}
	temp     = sigv4.Credential{AccessKeyID: "ASIATEMP", SecretAccessKey: "temp-secret", SessionToken: "token-of-temp",
		Expiration: signedAt.Add(time.Hour), Principal: sigv4.Principal{RoleARN: "arn:aws:iam::123456789012:role/r"}}
	other = sigv4.Credential{AccessKeyID: "ASIAOTHER", SecretAccessKey: "other-secret", SessionToken: "token-of-other",
		Expiration: signedAt.Add(time.Hour)}
	expired = sigv4.Credential{AccessKeyID: "ASIAEXPIRED", SecretAccessKey: "expired-secret", SessionToken: "token-of-expired",
		Expiration: signedAt}
)

func store() *sigv4.Store {
	var s sigv4.Store
	for _, c := range []sigv4.Credential{admin, temp, other, expired} {
		s.Put(c)
	}
	return &s
}

// request is what a test signs: the SDK signs it, a mutation may change
// it afterwards, then the service verifies it.
type request struct {
	method, url string
	header      http.Header
	body        []byte
}

func (q request) build(t *testing.T) *http.Request {
	t.Helper()
	r, err := http.NewRequest(q.method, q.url, bytes.NewReader(q.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range q.header {
		r.Header[k] = append([]string(nil), vs...)
	}
	return r
}

func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// sign signs r in place with the SDK (header form) or returns the
// presigned URL's request (query form).
func sign(t *testing.T, r *http.Request, body []byte, c sigv4.Credential, s3 bool, service, signRegion string, presign bool, at time.Time) *http.Request {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	payload := hash(body)
	if s3 {
		if presign {
			payload = sigv4.UnsignedPayload
		} else {
			r.Header.Set("X-Amz-Content-Sha256", payload)
		}
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) {
		o.DisableURIPathEscaping = s3
	})
	if !presign {
		if err := signer.SignHTTP(context.Background(), creds, r, payload, service, signRegion, at); err != nil {
			t.Fatal(err)
		}
		return r
	}
	q := r.URL.Query()
	q.Set("X-Amz-Expires", "900")
	r.URL.RawQuery = q.Encode()
	signed, hdr, err := signer.PresignHTTP(context.Background(), creds, r, payload, service, signRegion, at)
	if err != nil {
		t.Fatal(err)
	}
	out, err := http.NewRequest(r.Method, signed, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	out.Header = hdr.Clone()
	for k, vs := range r.Header {
		if _, ok := out.Header[k]; !ok {
			out.Header[k] = vs
		}
	}
	return out
}

func TestVerify(t *testing.T) {
	type mutation struct {
		name string
		// before changes the request before signing; after, after.
		before func(*http.Request, *[]byte, *signOpts)
		after  func(*http.Request, *[]byte)
		// now is the verifier's clock relative to signing time.
		now    time.Duration
		reason sigv4.Reason
		// only limits a mutation to header or presigned requests.
		only string
	}
	mutations := []mutation{
		{name: "as signed"},
		{name: "signed header changed", before: func(r *http.Request, _ *[]byte, _ *signOpts) { r.Header.Set("X-Amz-Meta-Owner", "a") },
			after: func(r *http.Request, _ *[]byte) { r.Header.Set("X-Amz-Meta-Owner", "b") }, reason: sigv4.Mismatch},
		{name: "signed header dropped", before: func(r *http.Request, _ *[]byte, _ *signOpts) { r.Header.Set("X-Amz-Meta-Owner", "a") },
			after: func(r *http.Request, _ *[]byte) { r.Header.Del("X-Amz-Meta-Owner") }, reason: sigv4.Mismatch},
		{name: "unsigned x-amz header added", after: func(r *http.Request, _ *[]byte) { r.Header.Set("X-Amz-Acl", "public-read") }, reason: sigv4.NotSigned, only: "s3"},
		{name: "body changed", after: func(_ *http.Request, b *[]byte) { *b = append(*b, '!') }, reason: sigv4.Mismatch, only: "header"},
		{name: "path changed", after: func(r *http.Request, _ *[]byte) { r.URL.Path += "x"; r.URL.RawPath = "" }, reason: sigv4.Mismatch},
		{name: "query changed", after: func(r *http.Request, _ *[]byte) { q := r.URL.Query(); q.Set("page", "2"); r.URL.RawQuery = q.Encode() }, reason: sigv4.Mismatch},
		{name: "method changed", after: func(r *http.Request, _ *[]byte) { r.Method = http.MethodDelete }, reason: sigv4.Mismatch},
		{name: "date past the skew", now: 16 * time.Minute, reason: sigv4.Skewed, only: "header"},
		{name: "date before the skew", now: -16 * time.Minute, reason: sigv4.Skewed},
		{name: "presign expired", now: 901 * time.Second, reason: sigv4.Expired, only: "presigned"},
		{name: "another region", before: func(_ *http.Request, _ *[]byte, o *signOpts) { o.region = "eu-west-1" }, reason: sigv4.WrongScope},
		{name: "another service", before: func(_ *http.Request, _ *[]byte, o *signOpts) { o.service = "sts" }, reason: sigv4.WrongScope},
		{name: "another secret", before: func(_ *http.Request, _ *[]byte, o *signOpts) { o.cred.SecretAccessKey = "guess" }, reason: sigv4.Mismatch},
		{name: "unknown key", before: func(_ *http.Request, _ *[]byte, o *signOpts) { o.cred.AccessKeyID = "AKIDNOBODY" }, reason: sigv4.UnknownKey},
		{name: "session token missing", before: func(_ *http.Request, _ *[]byte, o *signOpts) { o.cred = temp; o.cred.SessionToken = "" }, reason: sigv4.BadToken},
		{name: "foreign session token", before: func(_ *http.Request, _ *[]byte, o *signOpts) { o.cred = temp; o.cred.SessionToken = other.SessionToken }, reason: sigv4.BadToken},
		{name: "temporary credentials", before: func(_ *http.Request, _ *[]byte, o *signOpts) { o.cred = temp }},
		{name: "temporary credentials expired", before: func(_ *http.Request, _ *[]byte, o *signOpts) { o.cred = expired }, reason: sigv4.ExpiredToken},
		{name: "unsigned", after: func(r *http.Request, _ *[]byte) {
			r.Header.Del("Authorization")
			r.URL.RawQuery = ""
		}, reason: sigv4.Missing},
	}
	for name, svc := range services {
		forms := []string{"header"}
		if svc.Presigned {
			forms = append(forms, "presigned")
		}
		for _, form := range forms {
			for _, m := range mutations {
				if m.only != "" && m.only != form && m.only != name {
					continue
				}
				t.Run(name+"/"+form+"/"+m.name, func(t *testing.T) {
					q := request{method: http.MethodPut, url: "https://local.test/stage/items/a%20b/c+d?list-type=2&prefix=private%2Fa", body: []byte(`{"title":"x"}`), header: http.Header{}}
					if name == "s3" {
						q.url = "https://local.test/bucket/uploads/a%20b/c~d.jpg?x-id=PutObject"
					}
					opts := signOpts{cred: admin, region: region, service: name}
					r := q.build(t)
					body := q.body
					if m.before != nil {
						m.before(r, &body, &opts)
					}
					r = sign(t, r, body, opts.cred, name == "s3", opts.service, opts.region, form == "presigned", signedAt)
					if m.after != nil {
						m.after(r, &body)
					}
					r.RequestURI = r.URL.RequestURI()
					got, err := svc.Verify(r, body, store(), signedAt.Add(m.now))
					if m.reason == 0 {
						if err != nil {
							t.Fatalf("Verify: %v", err)
						}
						if got.AccessKeyID != opts.cred.AccessKeyID {
							t.Errorf("Verify returned %s, want %s", got.AccessKeyID, opts.cred.AccessKeyID)
						}
						return
					}
					var serr *sigv4.Error
					if !errors.As(err, &serr) || serr.Reason != m.reason {
						t.Fatalf("Verify: %v, want reason %d", err, m.reason)
					}
				})
			}
		}
	}
}

type signOpts struct {
	cred            sigv4.Credential
	region, service string
}

// TestS3DocumentedPresign checks the presigned URL example of the S3 SigV4
// documentation ("Authenticating Requests: Using Query Parameters"), which
// no SDK produced.
func TestS3DocumentedPresign(t *testing.T) {
	const docURL = "https://examplebucket.s3.amazonaws.com/test.txt" +
		"?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
		"&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
		"&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
		"&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
	var s sigv4.Store
	s.Put(sigv4.Credential{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})
	r, err := http.NewRequest(http.MethodGet, docURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2013, 5, 24, 1, 0, 0, 0, time.UTC)
	if _, err := services["s3"].Verify(r, nil, &s, at); err != nil {
		t.Fatalf("documented example: %v", err)
	}
	if _, err := services["s3"].Verify(r, nil, &s, at.Add(24*time.Hour)); err == nil {
		t.Error("documented example verified a day after it expired")
	}
	long, _ := url.Parse(docURL)
	q := long.Query()
	q.Set("X-Amz-Expires", "604801")
	long.RawQuery = q.Encode()
	r.URL = long
	var serr *sigv4.Error
	if _, err := services["s3"].Verify(r, nil, &s, at); !errors.As(err, &serr) || serr.Reason != sigv4.Malformed {
		t.Errorf("an expiry over 7 days: %v, want Malformed", err)
	}
}
