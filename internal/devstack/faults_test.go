package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
)

// apiClient calls the local API as the test user and checks every answer:
// a 2xx, or a JSON 503 with Retry-After, within the function's timeout.
type apiClient struct {
	t     *testing.T
	base  string
	token string
	// limit is how long a request may take: the function timeout and a
	// margin for a loaded machine.
	limit time.Duration
	mu    sync.Mutex
	seen  map[int]int // status -> count
}

type apiResult struct {
	status int
	body   map[string]any
	took   time.Duration
}

func (c *apiClient) call(method, path, body string, headers ...string) apiResult {
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Errorf("%s %s: %v", method, path, err)
		return apiResult{}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := apiResult{status: resp.StatusCode, took: time.Since(start)}
	_ = json.Unmarshal(raw, &r.body)
	c.mu.Lock()
	c.seen[r.status]++
	c.mu.Unlock()
	switch {
	case r.took > c.limit:
		c.t.Errorf("%s %s took %v, over the function timeout", method, path, r.took)
	case r.status == http.StatusServiceUnavailable:
		if r.body["error"] != "unavailable" || resp.Header.Get("Content-Type") != "application/json" {
			c.t.Errorf("%s %s: 503 %q (%s), want the JSON error", method, path, raw, resp.Header.Get("Content-Type"))
		}
		if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || n < 1 {
			c.t.Errorf("%s %s: 503 with Retry-After %q", method, path, resp.Header.Get("Retry-After"))
		}
	case r.status >= 500:
		c.t.Errorf("%s %s: %d %s, want a 2xx or a JSON 503", method, path, r.status, raw)
	}
	return r
}

func (c *apiClient) statuses() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprint(c.seen)
}

// TestFaultsAreRetryable runs the API against a sick DynamoDB and S3: half
// the DynamoDB calls throttled, S3 failing every call, DynamoDB stopped
// while requests are in flight. Every answer is a 2xx or a JSON 503 with
// Retry-After within the function's timeout, every write acknowledged with
// a 2xx is readable afterwards, and every photo a failure interrupted is
// finished by a retry.
func TestFaultsAreRetryable(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the local stack")
	}
	s, plan, token := startSignedIn(t, Options{Template: golden})
	timeout := plan.Functions[routes.Todos].Timeout
	if timeout <= 0 {
		t.Fatalf("no timeout read for the todos function: %+v", plan.Functions[routes.Todos])
	}
	c := &apiClient{t: t, base: s.Info.APIURL, token: token, limit: timeout + 2*time.Second, seen: map[int]int{}}
	var mu sync.Mutex
	var acked []string // todo ids answered 201
	create := func(title string) {
		if r := c.call("POST", "/todos", `{"title":"`+title+`"}`); r.status == http.StatusCreated {
			mu.Lock()
			acked = append(acked, r.body["id"].(string))
			mu.Unlock()
		}
	}
	parallel := func(workers int, f func(w int)) {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() { defer wg.Done(); f(w) }()
		}
		wg.Wait()
	}

	began := time.Now()
	// DynamoDB throttles half of the calls.
	if err := s.SetFaults("dynamodb", localaws.Faults{Throttle: 0.5}); err != nil {
		t.Fatal(err)
	}
	parallel(4, func(w int) {
		for i := range 4 {
			create(fmt.Sprintf("throttled %d-%d", w, i))
			c.call("GET", "/todos", "")
		}
	})
	if n, _ := s.aws.FaultCounts("dynamodb"); n.Throttled == 0 {
		t.Fatal("no DynamoDB call was throttled")
	}
	t.Logf("DynamoDB throttling half the calls: statuses %s after %v", c.statuses(), time.Since(began))

	// S3 fails every call: completing and deleting photos are 503s, and a
	// retry once S3 is back finishes both.
	if err := s.SetFaults("dynamodb", localaws.Faults{}); err != nil {
		t.Fatal(err)
	}
	upload := func() string {
		r := c.call("POST", "/photos", `{"contentType":"image/png","size":3}`)
		if r.status != http.StatusCreated {
			t.Fatalf("POST /photos: %d %v", r.status, r.body)
		}
		up := r.body["upload"].(map[string]any)
		req, _ := http.NewRequest("PUT", up["url"].(string), strings.NewReader("png"))
		for k, v := range up["headers"].(map[string]any) {
			req.Header.Set(k, v.(string))
		}
		req.ContentLength = 3
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("upload: %v %v", resp, err)
		}
		resp.Body.Close()
		return r.body["id"].(string)
	}
	ready, pending := upload(), upload()
	if r := c.call("POST", "/photos/"+ready+"/complete", ""); r.status != 200 {
		t.Fatalf("complete: %d %v", r.status, r.body)
	}
	if err := s.SetFaults("s3", localaws.Faults{Fail: 1}); err != nil {
		t.Fatal(err)
	}
	if r := c.call("POST", "/photos/"+pending+"/complete", ""); r.status != 503 {
		t.Errorf("complete with S3 down: %d, want 503", r.status)
	}
	if r := c.call("DELETE", "/photos/"+ready, ""); r.status != 503 {
		t.Errorf("delete with S3 down: %d, want 503", r.status)
	}
	if r := c.call("GET", "/photos", ""); r.status != 200 {
		t.Errorf("list with S3 down (presigning needs no call): %d", r.status)
	}
	if err := s.SetFaults("s3", localaws.Faults{}); err != nil {
		t.Fatal(err)
	}
	if r := c.call("POST", "/photos/"+pending+"/complete", ""); r.status != 200 || r.body["status"] != "ready" {
		t.Errorf("retried complete: %d %v", r.status, r.body)
	}
	if r := c.call("DELETE", "/photos/"+ready, ""); r.status != 204 {
		t.Errorf("retried delete: %d %v", r.status, r.body)
	}
	admin := s.aws.S3(nil)
	if _, err := admin.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(localaws.Bucket),
		Key: aws.String(schema.PhotoPrefix + ownerOf(t, c) + "/" + ready)}); err == nil {
		t.Errorf("deleted photo %s left its object behind", ready)
	}

	t.Logf("S3 down: after %v", time.Since(began))
	// DynamoDB stops answering while requests are in flight.
	stopped := make(chan struct{})
	go func() {
		time.Sleep(200 * time.Millisecond)
		_ = s.SetFaults("dynamodb", localaws.Faults{Down: true})
		close(stopped)
	}()
	parallel(4, func(w int) {
		for i := 0; ; i++ {
			select {
			case <-stopped:
				create(fmt.Sprintf("stopping %d-%d", w, i)) // in flight while stopped
				return
			default:
				create(fmt.Sprintf("stopping %d-%d", w, i))
			}
		}
	})
	if n, _ := s.aws.FaultCounts("dynamodb"); n.Held == 0 {
		t.Fatal("no call reached the stopped DynamoDB")
	}
	if err := s.SetFaults("dynamodb", localaws.Faults{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("all phases: statuses %s after %v", c.statuses(), time.Since(began))

	// Every acknowledged write is there.
	for _, id := range acked {
		if r := c.call("GET", "/todos/"+id, ""); r.status != 200 {
			t.Errorf("acknowledged todo %s: %d", id, r.status)
		}
	}
	if r := c.call("GET", "/photos", ""); r.status != 200 || !containsID(r.body, pending) || containsID(r.body, ready) {
		t.Errorf("photos after the retries: %d %v, want %s listed and %s gone", r.status, r.body, pending, ready)
	}
	t.Logf("%d acknowledged todos all readable", len(acked))
}

func containsID(list map[string]any, id string) bool {
	items, _ := list["items"].([]any)
	for _, it := range items {
		if m, _ := it.(map[string]any); m["id"] == id {
			return true
		}
	}
	return false
}

// ownerOf is the test user's sub, from GET /me.
func ownerOf(t *testing.T, c *apiClient) string {
	r := c.call("GET", "/me", "")
	sub, _ := r.body["sub"].(string)
	if sub == "" {
		t.Fatalf("GET /me: %d %v", r.status, r.body)
	}
	return sub
}
