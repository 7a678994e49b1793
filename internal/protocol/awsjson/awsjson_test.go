package awsjson

import (
	"errors"
	"net/http/httptest"
	"testing"
)

func TestWriteError(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		status    int
		typ, body string
	}{
		{"an operation's error", &Error{Type: "NotAuthorizedException", Message: "Incorrect username or password.", Status: 400, Err: errors.New("secret detail")},
			400, "NotAuthorizedException", `{"__type":"NotAuthorizedException","message":"Incorrect username or password."}`},
		{"any other error is internal, without its detail", errors.New("secret detail"),
			500, "InternalErrorException", `{"__type":"InternalErrorException","message":"An internal error occurred."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteError(rec, ContentType11, tt.err)
			if rec.Code != tt.status || rec.Header().Get("X-Amzn-Errortype") != tt.typ ||
				rec.Header().Get("Content-Type") != ContentType11 || rec.Body.String() != tt.body {
				t.Errorf("got %d %v %s", rec.Code, rec.Header(), rec.Body)
			}
		})
	}
}
