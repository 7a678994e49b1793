package localaws

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The presigned URL example of the S3 SigV4 documentation ("Authenticating
// Requests: Using Query Parameters").
const docURL = "https://examplebucket.s3.amazonaws.com/test.txt" +
	"?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
	"&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
	"&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
	"&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"

const docSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

func TestVerifySigV4(t *testing.T) {
	signedAt := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		method  string
		url     string
		secret  string
		now     time.Time
		wantErr string
	}{
		{"documented example", "GET", docURL, docSecret, signedAt.Add(time.Hour), ""},
		{"expired", "GET", docURL, docSecret, signedAt.Add(25 * time.Hour), "expired"},
		{"wrong secret", "GET", docURL, "other", signedAt, "does not match"},
		{"other method", "PUT", docURL, docSecret, signedAt, "does not match"},
		{"other key", "GET", strings.Replace(docURL, "test.txt", "test2.txt", 1), docSecret, signedAt, "does not match"},
		{"unsigned", "GET", "https://examplebucket.s3.amazonaws.com/test.txt", docSecret, signedAt, "not signed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := http.NewRequest(tt.method, tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = verifySigV4(r, tt.secret, tt.now)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("verify: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("verify: %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
