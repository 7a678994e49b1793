package localaws

import (
	"context"
	"encoding/xml"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"
)

// gate is a reverse proxy in front of s3rver that refuses any request whose
// SigV4 signature does not verify. s3rver 3.7 accepts every V4 signature
// unchecked; real S3 does not, and the presigned-upload tests must see a
// Content-Type or Content-Length other than the signed one refused.
type gate struct {
	srv *http.Server
	url string
}

func startGate(backend string) (*gate, error) {
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
		},
		ErrorLog: log.New(discard{}, "", 0),
	}
	g := &gate{url: "http://" + l.Addr().String()}
	g.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := verifySigV4(r, SecretAccessKey, time.Now()); err != nil {
				writeS3Error(w, err)
				return
			}
			proxy.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = g.srv.Serve(l) }()
	return g, nil
}

func (g *gate) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = g.srv.Shutdown(ctx)
}

func writeS3Error(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusForbidden)
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName xml.Name `xml:"Error"`
		Code    string
		Message string
	}{Code: "SignatureDoesNotMatch", Message: err.Error()})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
