package awsjson_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/internal/protocol/awsjson"
)

type echoInput struct {
	Name string `json:"Name"`
}

func TestDispatcher(t *testing.T) {
	d := &awsjson.Dispatcher{
		Name:        "the test service",
		Prefix:      "TestService.",
		ContentType: awsjson.ContentType11,
		Operations: map[string]awsjson.Handler{
			"Echo": awsjson.Op(func(_ context.Context, in echoInput) (map[string]string, error) {
				return map[string]string{"Name": in.Name}, nil
			}),
			"Fail": awsjson.Op(func(_ context.Context, _ echoInput) (any, error) {
				return nil, &awsjson.Error{Type: "NotAuthorizedException", Message: "no", Status: http.StatusBadRequest}
			}),
			"Crash": awsjson.Op(func(_ context.Context, _ echoInput) (any, error) {
				return nil, errors.New("disk on fire")
			}),
		},
	}
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		target      string
		body        string
		status      int
		errType     string
		want        string // a substring of the body, or of the error message
	}{
		{"operation", "POST", "/", awsjson.ContentType11, "TestService.Echo", `{"Name":"a"}`, 200, "", `{"Name":"a"}`},
		{"JSON 1.0 content type", "POST", "/", awsjson.ContentType10, "TestService.Echo", `{"Name":"b"}`, 200, "", `"b"`},
		{"content type with parameters", "POST", "/", awsjson.ContentType11 + "; charset=utf-8", "TestService.Echo", `{}`, 200, "", `{"Name":""}`},
		{"no content type", "POST", "/", "", "TestService.Echo", ``, 200, "", `{"Name":""}`},
		{"other content type", "POST", "/", "application/x-www-form-urlencoded", "TestService.Echo", `{}`, 400, "UnknownOperationException", "is not an AWS JSON protocol"},
		{"unknown operation", "POST", "/", awsjson.ContentType11, "TestService.Nope", `{}`, 400, "UnknownOperationException", "it serves Crash, Echo, Fail."},
		{"other service's target", "POST", "/", awsjson.ContentType11, "OtherService.Echo", `{}`, 400, "UnknownOperationException", `"OtherService.Echo"`},
		{"no target", "POST", "/", awsjson.ContentType11, "", `{}`, 400, "UnknownOperationException", `""`},
		{"GET", "GET", "/", "", "TestService.Echo", ``, 405, "UnknownOperationException", "POST / with X-Amz-Target: TestService.<Operation>"},
		{"other path", "POST", "/x", awsjson.ContentType11, "TestService.Echo", `{}`, 404, "UnknownOperationException", "POST /x"},
		{"body not the input", "POST", "/", awsjson.ContentType11, "TestService.Echo", `{"Name":7}`, 400, "SerializationException", "Request body is not a valid JSON object. Reading it as awsjson_test.echoInput"},
		{"body too large", "POST", "/", awsjson.ContentType11, "TestService.Echo", strings.Repeat(" ", awsjson.MaxRequestBytes+1), 413, "SerializationException", "larger than"},
		{"operation error", "POST", "/", awsjson.ContentType11, "TestService.Fail", `{}`, 400, "NotAuthorizedException", "no"},
		{"internal error hidden", "POST", "/", awsjson.ContentType11, "TestService.Crash", `{}`, 500, "InternalErrorException", "An internal error occurred."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			req.Header.Set("X-Amz-Target", tt.target)
			rec := httptest.NewRecorder()
			d.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Errorf("status = %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if got := rec.Header().Get("X-Amzn-Errortype"); got != tt.errType {
				t.Errorf("X-Amzn-Errortype = %q, want %q", got, tt.errType)
			}
			if rec.Header().Get("X-Amzn-Requestid") == "" || rec.Header().Get("Content-Type") != awsjson.ContentType11 {
				t.Errorf("headers %v: want a request id and %s", rec.Header(), awsjson.ContentType11)
			}
			var out map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
				t.Fatalf("body %s is not a JSON object: %v", rec.Body, err)
			}
			text := rec.Body.String()
			if msg, ok := out["message"].(string); ok {
				text = msg
			}
			if !strings.Contains(text, tt.want) {
				t.Errorf("body %s: want %s", rec.Body, tt.want)
			}
			if tt.errType == "InternalErrorException" && strings.Contains(rec.Body.String(), "fire") {
				t.Errorf("internal error's cause sent to the client: %s", rec.Body)
			}
		})
	}
}
