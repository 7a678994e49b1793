package devstack

import (
	"context"
	"net/http"
	"testing"
)

// TestBucketCORS: the local photo bucket answers a browser's preflight as
// S3 does from the template's CORS rules (unsigned, allowed origins only),
// and SetBucketOrigins adds the local web app's origin.
func TestBucketCORS(t *testing.T) {
	s, err := Start(context.Background(), Options{Template: golden})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	url := s.Info.S3Endpoint + "/" + s.Info.PhotosBucket + "/uploads/someone/photo"
	preflight := func(origin, method, headers string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodOptions, url, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", method)
		if headers != "" {
			req.Header.Set("Access-Control-Request-Headers", headers)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin")
	}
	const web = "http://localhost:41234"
	for _, c := range []struct {
		name, origin, method, headers string
		ok                            bool
	}{
		{"the template's origin", "http://localhost:5173", "PUT", "content-type", true},
		{"another origin", web, "PUT", "content-type", false},
		{"a method the rules lack", "http://localhost:5173", "DELETE", "", false},
		{"a header the rules lack", "http://localhost:5173", "PUT", "x-custom", false},
	} {
		status, allow := preflight(c.origin, c.method, c.headers)
		if got := status == http.StatusOK && allow != ""; got != c.ok {
			t.Errorf("%s: preflight %d, Access-Control-Allow-Origin %q; want allowed=%v", c.name, status, allow, c.ok)
		}
	}
	if err := s.SetBucketOrigins(context.Background(), web); err != nil {
		t.Fatal(err)
	}
	if status, allow := preflight(web, "PUT", "content-type"); status != http.StatusOK || allow == "" {
		t.Errorf("the added origin: preflight %d, Access-Control-Allow-Origin %q", status, allow)
	}
	if status, _ := preflight("http://localhost:5173", "PUT", "content-type"); status != http.StatusOK {
		t.Errorf("the template's origin after adding one: preflight %d", status)
	}
	// An OPTIONS that is no preflight still needs a signature.
	req, _ := http.NewRequest(http.MethodOptions, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned OPTIONS without CORS headers: %d, want 403", resp.StatusCode)
	}
}
