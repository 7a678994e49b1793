package localaws

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/protocol/awsjson"
	"github.com/portcullis-cdk/portcullis/internal/protocol/iam"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
)

// maxBody bounds the request bodies a gate reads to check their hash.
const maxBody = 64 << 20

// service is how a gate checks and answers for one emulated service.
type service struct {
	// signing is the service's SigV4 rules.
	signing sigv4.Service
	// refuse writes a refused signature in the service's error format.
	refuse func(http.ResponseWriter, *sigv4.Error)
	// requests maps a call to what it asks IAM for; listBucket names the
	// bucket whose s3:ListBucket turns a missing object's 404 into 403.
	requests func(r *http.Request, body []byte) (reqs []iam.Request, listBucket string, err error)
	// deny writes a request the caller's policies refuse.
	deny func(w http.ResponseWriter, p sigv4.Principal, d *denial)
	// hideMissing rewrites a 404 for a caller who may not list the bucket.
	hideMissing func(*http.Response)
	// forward adjusts a verified request for the server behind the gate.
	forward func(*http.Request)
	// throttle and fail answer a call as the service does when it
	// throttles or fails (Faults).
	throttle func(http.ResponseWriter, *http.Request, Faults)
	fail     func(http.ResponseWriter, *http.Request, int)
	// preflight: the service answers CORS preflights without a signature
	// (S3 does, from the bucket's CORS configuration; a browser sends no
	// credentials with a preflight).
	preflight bool
}

// The services' rules. S3 allows 15 minutes of clock skew and presigned
// URLs, encodes the path once and wants every x-amz-* header signed;
// DynamoDB allows 5 minutes and signs every body.
var (
	s3Service = service{
		signing: sigv4.Service{Name: "s3", Region: Region, Skew: 15 * time.Minute, Presigned: true,
			SingleEncodedPath: true, UnsignedPayload: true, SignAllAmzHeaders: true},
		refuse: refuseS3,
		requests: func(r *http.Request, _ []byte) ([]iam.Request, string, error) {
			req, err := s3Requests(r)
			return req.reqs, req.read, err
		},
		deny:        denyS3,
		hideMissing: hideMissingS3,
		forward:     asS3rver,
		throttle:    throttleS3,
		fail:        failS3,
		preflight:   true,
	}
	dynamoDBService = service{
		signing: sigv4.Service{Name: "dynamodb", Region: Region, Skew: 5 * time.Minute},
		refuse:  refuseDynamoDB,
		// requests: Servers.dynamoDB's, which knows the tables' keys.
		deny:     denyDynamoDB,
		throttle: throttleDynamoDB,
		fail:     failDynamoDB,
	}
)

// gate is a reverse proxy in front of s3rver or dynalite. Neither checks
// signatures nor policies; real S3 and DynamoDB do, so the gate forwards
// only requests whose SigV4 signature verifies against the credential
// store and whose caller's role allows them.
type gate struct {
	srv    *http.Server
	url    string
	name   string
	faults *faultState

	svc    service
	creds  sigv4.Credentials
	roles  *Roles
	proxy  *httputil.ReverseProxy
	logger *slog.Logger
}

type hideKey struct{}

func startGate(backend string, svc service, creds sigv4.Credentials, roles *Roles, logger *slog.Logger) (*gate, error) {
	target, err := url.Parse(backend)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
			if svc.forward != nil {
				svc.forward(pr.Out)
			}
		},
		ModifyResponse: func(resp *http.Response) error {
			if resp.StatusCode == http.StatusNotFound && resp.Request.Context().Value(hideKey{}) != nil {
				svc.hideMissing(resp)
			}
			return nil
		},
		ErrorLog: log.New(io.Discard, "", 0),
	}
	g := &gate{
		url: "http://" + l.Addr().String(), name: svc.signing.Name, faults: &faultState{closed: make(chan struct{})},
		svc: svc, creds: creds, roles: roles, proxy: proxy, logger: logger,
	}
	g.srv = &http.Server{
		Handler:           http.HandlerFunc(g.serve),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = g.srv.Serve(l) }()
	return g, nil
}

// serve checks the request's signature and the caller's policies, as the
// service does, before it reaches the backend.
func (g *gate) serve(w http.ResponseWriter, r *http.Request) {
	svc := g.svc
	if r.URL.Path == FaultsPath {
		g.faults.serveControl(w, r)
		return
	}
	if svc.preflight && r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		// s3rver matches the bucket's CORS rules and refuses what
		// they do not allow, as S3 does.
		g.proxy.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		http.Error(w, "request body unreadable or over 64 MiB", http.StatusRequestEntityTooLarge)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	cred, err := svc.signing.Verify(r, body, g.creds, time.Now())
	if err != nil {
		var serr *sigv4.Error
		if !errors.As(err, &serr) {
			serr = &sigv4.Error{Reason: sigv4.Malformed, Message: err.Error()}
		}
		g.logger.Info("signature refused", "service", svc.signing.Name, "method", r.Method, "path", r.URL.Path, "reason", err.Error())
		svc.refuse(w, serr)
		return
	}
	if !cred.Principal.Admin {
		var ok bool
		if r, ok = g.authorize(w, r, body, cred.Principal); !ok {
			return
		}
	}
	if g.faults.inject(w, r, svc) {
		return
	}
	g.proxy.ServeHTTP(w, r)
}

// authorize evaluates the caller's policies for the request; when they
// deny it, it has answered as the service does, and ok is false. The
// request it returns is marked when a missing key must look like a denial
// (S3 without s3:ListBucket).
func (g *gate) authorize(w http.ResponseWriter, r *http.Request, body []byte, p sigv4.Principal) (_ *http.Request, ok bool) {
	reqs, listBucket, err := g.svc.requests(r, body)
	if err == nil {
		err = g.roles.authorize(p, reqs)
	} else {
		// Fail closed: a call the evaluator cannot map is denied.
		err = &denial{action: g.svc.signing.Name + ":?", resource: r.URL.Path, reason: err.Error()}
	}
	var d *denial
	if errors.As(err, &d) {
		g.logger.Info("access denied", "service", g.svc.signing.Name, "principal", p.ARN, "action", d.action, "resource", d.resource, "reason", d.reason)
		g.svc.deny(w, p, d)
		return r, false
	}
	if listBucket != "" && g.roles.authorize(p, []iam.Request{{Action: "s3:ListBucket", Resource: bucketARN(listBucket), Context: map[string][]string{}}}) != nil {
		r = r.WithContext(context.WithValue(r.Context(), hideKey{}, true))
	}
	return r, true
}

func (g *gate) close() {
	close(g.faults.closed)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = g.srv.Shutdown(ctx)
}

// asS3rver names s3rver's one account in a verified request's credential:
// s3rver knows only the access key S3RVER and checks no V4 signature, so
// the key id is all it needs changed.
func asS3rver(r *http.Request) {
	const account = "S3RVER"
	if auth := r.Header.Get("Authorization"); auth != "" {
		if i := strings.Index(auth, "Credential="); i >= 0 {
			rest := auth[i+len("Credential="):]
			if j := strings.IndexByte(rest, '/'); j >= 0 {
				r.Header.Set("Authorization", auth[:i]+"Credential="+account+rest[j:])
			}
		}
		return
	}
	q := r.URL.Query()
	if cred := q.Get("X-Amz-Credential"); cred != "" {
		if j := strings.IndexByte(cred, '/'); j >= 0 {
			q.Set("X-Amz-Credential", account+cred[j:])
			r.URL.RawQuery = q.Encode()
		}
	}
}

// s3Error is S3's XML error body.
type s3Error struct {
	XMLName          xml.Name `xml:"Error"`
	Code             string
	Message          string
	HeadersNotSigned string `xml:",omitempty"`
	CanonicalRequest string `xml:",omitempty"`
}

func writeS3Error(w http.ResponseWriter, status int, body s3Error) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_ = xml.NewEncoder(w).Encode(body)
}

// refuseS3 answers the way S3 does: 403 for a bad or missing signature,
// 400 for a malformed one or a bad session token.
func refuseS3(w http.ResponseWriter, err *sigv4.Error) {
	status, body := http.StatusForbidden, s3Error{Code: "AccessDenied", Message: "Access Denied"}
	switch err.Reason {
	case sigv4.Missing:
	case sigv4.Expired:
		body.Message = "Request has expired"
	case sigv4.NotSigned:
		body.Message = "There were headers present in the request which were not signed"
		body.HeadersNotSigned = strings.Join(err.Headers, ", ")
	case sigv4.Skewed:
		body = s3Error{Code: "RequestTimeTooSkewed", Message: "The difference between the request time and the current time is too large."}
	case sigv4.UnknownKey:
		body = s3Error{Code: "InvalidAccessKeyId", Message: "The AWS Access Key Id you provided does not exist in our records."}
	case sigv4.BadToken:
		status, body = http.StatusBadRequest, s3Error{Code: "InvalidToken", Message: "The provided token is malformed or otherwise invalid."}
	case sigv4.ExpiredToken:
		status, body = http.StatusBadRequest, s3Error{Code: "ExpiredToken", Message: "The provided token has expired."}
	case sigv4.Mismatch:
		body = s3Error{Code: "SignatureDoesNotMatch", Message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.", CanonicalRequest: err.Canonical}
	default: // Malformed, WrongScope
		status, body = http.StatusBadRequest, s3Error{Code: "AuthorizationHeaderMalformed", Message: "The authorization header is malformed; " + err.Message}
	}
	writeS3Error(w, status, body)
}

func denyMessage(p sigv4.Principal, d *denial) string {
	return "User: " + p.ARN + " is not authorized to perform: " + d.action + " on resource: \"" + d.resource + "\" (" + d.reason + ")"
}

func denyS3(w http.ResponseWriter, p sigv4.Principal, d *denial) {
	writeS3Error(w, http.StatusForbidden, s3Error{Code: "AccessDenied", Message: denyMessage(p, d)})
}

// hideMissingS3 answers a missing key as S3 does to a caller without
// s3:ListBucket on the bucket: 403, so the caller cannot probe for keys.
func hideMissingS3(resp *http.Response) {
	var buf bytes.Buffer
	body := s3Error{Code: "AccessDenied", Message: "Access Denied"}
	if resp.Request.Method != http.MethodHead {
		_ = xml.NewEncoder(&buf).Encode(body)
	}
	_ = resp.Body.Close()
	resp.StatusCode, resp.Status = http.StatusForbidden, "403 Forbidden"
	resp.Body = io.NopCloser(&buf)
	resp.ContentLength = int64(buf.Len())
	resp.Header.Set("Content-Length", strconv.Itoa(buf.Len()))
	resp.Header.Set("Content-Type", "application/xml")
}

// refuseDynamoDB answers in DynamoDB's JSON 1.0 error format, with the
// error types of AWS's request authentication.
func refuseDynamoDB(w http.ResponseWriter, err *sigv4.Error) {
	typ, msg := err.JSONError()
	writeDynamoDBError(w, typ, msg)
}

func denyDynamoDB(w http.ResponseWriter, p sigv4.Principal, d *denial) {
	writeDynamoDBError(w, "AccessDeniedException", denyMessage(p, d))
}

// writeDynamoDBError answers as DynamoDB does, the type qualified with its
// namespace in the body.
func writeDynamoDBError(w http.ResponseWriter, typ, msg string) {
	w.Header().Set("X-Amzn-ErrorType", typ)
	awsjson.WriteJSON(w, awsjson.ContentType10, http.StatusBadRequest, map[string]string{"__type": "com.amazon.coral.service#" + typ, "message": msg})
}
