// Package localcfn is a loopback stand-in for the part of CloudFormation's
// API that `make deploy` reads before deploying: GetTemplate, in the AWS
// query protocol, signed with SigV4 (internal/protocol/sigv4), with
// CloudFormation's error for a stack that does not exist. Tests start it
// and point the AWS SDK at it (AWS_ENDPOINT_URL_CLOUDFORMATION).
package localcfn

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
)

// Call is one request the server answered.
type Call struct {
	Action, StackName string
}

// Server answers GetTemplate for the stacks it holds.
type Server struct {
	// URL is the endpoint, http://127.0.0.1:<port>.
	URL string

	srv       *http.Server
	mu        sync.Mutex
	templates map[string]string // template body by stack name
	calls     []Call
	sig       sigv4.Service
	creds     sigv4.Credentials
}

// Start serves templates (body by stack name) on a free loopback port
// until Close, to requests signed for cloudformation in region with one of
// creds.
func Start(templates map[string]string, region string, creds sigv4.Credentials) (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + l.Addr().String(), templates: templates, creds: creds,
		sig: sigv4.Service{Name: "cloudformation", Region: region, Skew: 5 * time.Minute}}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve)}
	go s.srv.Serve(l)
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Calls returns the requests answered so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

const xmlns = "http://cloudformation.amazonaws.com/doc/2010-05-15/"

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, http.StatusBadRequest, "Sender", "InvalidAction", "The action or operation requested is invalid.")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Sender", "MalformedQueryString", err.Error())
		return
	}
	if _, err := s.sig.Verify(r, body, s.creds, time.Now()); err != nil {
		var sigErr *sigv4.Error
		code := "SignatureDoesNotMatch"
		if errors.As(err, &sigErr) && sigErr.Reason == sigv4.Missing {
			code = "MissingAuthenticationToken"
		}
		writeError(w, http.StatusForbidden, "Sender", code, err.Error())
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Sender", "MalformedQueryString", err.Error())
		return
	}
	action, stack := form.Get("Action"), form.Get("StackName")
	s.mu.Lock()
	s.calls = append(s.calls, Call{Action: action, StackName: stack})
	tpl, ok := s.templates[stack]
	s.mu.Unlock()
	if action != "GetTemplate" {
		writeError(w, http.StatusBadRequest, "Sender", "InvalidAction", fmt.Sprintf("Could not find operation %s for version 2010-05-15", action))
		return
	}
	if !ok {
		writeError(w, http.StatusBadRequest, "Sender", "ValidationError", fmt.Sprintf("Stack with id %s does not exist", stack))
		return
	}
	type result struct {
		TemplateBody    string   `xml:"TemplateBody"`
		StagesAvailable []string `xml:"StagesAvailable>member"`
	}
	write(w, http.StatusOK, struct {
		XMLName  xml.Name `xml:"GetTemplateResponse"`
		Xmlns    string   `xml:"xmlns,attr"`
		Result   result   `xml:"GetTemplateResult"`
		Metadata struct {
			RequestID string `xml:"RequestId"`
		} `xml:"ResponseMetadata"`
	}{Xmlns: xmlns, Result: result{TemplateBody: tpl, StagesAvailable: []string{"Original", "Processed"}}})
}

func writeError(w http.ResponseWriter, status int, typ, code, message string) {
	type detail struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	write(w, status, struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Error     detail   `xml:"Error"`
		RequestID string   `xml:"RequestId"`
	}{Xmlns: xmlns, Error: detail{typ, code, message}, RequestID: "local"})
}

// write sends v as CloudFormation does: XML with a Content-Length.
func write(w http.ResponseWriter, status int, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	body = append([]byte(xml.Header), body...)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", "00000000-0000-4000-8000-000000000000")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
