package photos

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
)

var png = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("pixels"), 100)...)

// requestUpload asks for an upload of body as contentType.
func requestUpload(t *testing.T, h *Handler, me httpapitest.Caller, contentType string, size int) Created {
	t.Helper()
	var c Created
	body := fmt.Sprintf(`{"contentType":%q,"size":%d,"caption":"at the beach"}`, contentType, size)
	httpapitest.Want(t, call(t, h, me, "POST /photos", "", body, nil), http.StatusCreated, &c)
	return c
}

// stored reads a photo's record as it is in the table.
func stored(t *testing.T, owner, id string) item {
	t.Helper()
	out, err := srv.DynamoDB(nil).GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(schema.Photos.Name), Key: key(owner, id),
	})
	if err != nil || out.Item == nil {
		t.Fatalf("photo %s not stored: %v", id, err)
	}
	if _, ok := out.Item[schema.Photos.TTL]; ok != (out.Item["status"].(*types.AttributeValueMemberS).Value == statusPending) {
		t.Fatalf("TTL attribute present=%v on a %v photo", ok, out.Item["status"])
	}
	it, err := decode(out.Item)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// put sends body to a presigned URL the way the web app does, with the
// encryption header the bucket requires.
func put(t *testing.T, u, contentType string, body []byte) int {
	t.Helper()
	return putWith(t, u, contentType, body, map[string]string{"X-Amz-Server-Side-Encryption": schema.PhotoEncryption})
}

// putWith sends body with Content-Type and the given headers.
func putWith(t *testing.T, u, contentType string, body []byte, headers map[string]string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func get(t *testing.T, u string) (int, string, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

// TestUploadLifecycle runs a photo through every route with real HTTP
// against the presigned URLs.
func TestUploadLifecycle(t *testing.T) {
	h, _ := newHandler()
	me := httpapitest.User(httpapitest.NewOwner())
	c := requestUpload(t, h, me, "image/png", len(png))

	up := c.Upload
	if up.Method != "PUT" || up.Headers["Content-Type"] != "image/png" || up.Headers["Content-Length"] != strconv.Itoa(len(png)) ||
		up.Headers["X-Amz-Server-Side-Encryption"] != schema.PhotoEncryption {
		t.Fatalf("upload %+v", up)
	}
	u, err := url.Parse(up.URL)
	if err != nil {
		t.Fatal(err)
	}
	// Signed, so the upload asks for the encryption the bucket's policy
	// requires, and cannot name a storage class.
	if got, want := u.Query().Get("X-Amz-SignedHeaders"), "content-length;content-type;host;x-amz-server-side-encryption"; got != want {
		t.Fatalf("presigned PUT signs %q, want %q", got, want)
	}
	if got := u.Query().Get("X-Amz-Expires"); got != "900" {
		t.Fatalf("presigned PUT expires in %ss, want 900", got)
	}
	if !strings.HasSuffix(u.Path, "/uploads/"+me.ID+"/"+c.ID) {
		t.Fatalf("upload goes to %s", u.Path)
	}
	// A pending photo expires with DynamoDB's TTL a day later.
	if ttl := stored(t, me.ID, c.ID).ExpiresAt; time.Until(time.Unix(ttl, 0)) < PendingTTL-time.Minute || time.Until(time.Unix(ttl, 0)) > PendingTTL {
		t.Fatalf("pending photo expires at %d", ttl)
	}

	// Nothing uploaded yet: the photo cannot complete, nor be listed.
	httpapitest.Want(t, call(t, h, me, "POST /photos/{id}/complete", c.ID, "", nil), http.StatusConflict, nil)
	if resp := call(t, h, me, "POST /photos/{id}/complete", c.ID, "", nil); !strings.Contains(resp.Body, CodeUploadIncomplete) {
		t.Fatalf("complete before upload: %s", resp.Body)
	}
	var l List
	httpapitest.Want(t, call(t, h, me, "GET /photos", "", "", nil), http.StatusOK, &l)
	if len(l.Items) != 0 {
		t.Fatalf("pending photo listed: %+v", l.Items)
	}

	// The signature binds the type and the size.
	if code := put(t, up.URL, "text/html", png); code != http.StatusForbidden {
		t.Fatalf("upload with another Content-Type: %d, want 403", code)
	}
	if code := put(t, up.URL, "image/png", png[:len(png)-1]); code != http.StatusForbidden {
		t.Fatalf("upload with another Content-Length: %d, want 403", code)
	}
	if code := put(t, up.URL, "image/png", append(png, 'x')); code != http.StatusForbidden {
		t.Fatalf("upload of more bytes: %d, want 403", code)
	}
	if code := putWith(t, up.URL, "image/png", png, nil); code != http.StatusForbidden {
		t.Fatalf("upload without the encryption header: %d, want 403", code)
	}
	httpapitest.Want(t, call(t, h, me, "POST /photos/{id}/complete", c.ID, "", nil), http.StatusConflict, nil)

	if code := put(t, up.URL, "image/png", png); code != http.StatusOK {
		t.Fatalf("upload: %d", code)
	}
	var done Photo
	httpapitest.Want(t, call(t, h, me, "POST /photos/{id}/complete", c.ID, "", nil), http.StatusOK, &done)
	if done.Status != "ready" || done.Size != int64(len(png)) || done.Caption != "at the beach" || done.UploadedAt == "" || done.URL == "" {
		t.Fatalf("completed %+v", done)
	}
	if it := stored(t, me.ID, c.ID); it.ExpiresAt != 0 || it.Status != statusReady {
		t.Fatalf("ready photo still expires: %+v", it)
	}
	// The bytes moved out of the prefix the bucket expires.
	if _, err := srv.S3(nil).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(localaws.Bucket), Key: aws.String(uploadKey(me.ID, c.ID))}); !isNotFound(err) {
		t.Fatalf("upload left at %s after completion: %v", uploadKey(me.ID, c.ID), err)
	}
	// Completing again changes nothing.
	var again Photo
	httpapitest.Want(t, call(t, h, me, "POST /photos/{id}/complete", c.ID, "", nil), http.StatusOK, &again)
	if again.UploadedAt != done.UploadedAt {
		t.Fatalf("second complete %+v", again)
	}

	httpapitest.Want(t, call(t, h, me, "GET /photos", "", "", nil), http.StatusOK, &l)
	if len(l.Items) != 1 || l.Items[0].ID != c.ID || l.Items[0].URL == "" {
		t.Fatalf("list %+v", l)
	}
	dl, err := url.Parse(l.Items[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	if got := dl.Query().Get("X-Amz-Expires"); got != "300" {
		t.Fatalf("download URL expires in %ss, want 300", got)
	}
	exp, err := time.Parse(time.RFC3339, l.Items[0].URLExpiresAt)
	if err != nil || time.Until(exp) > 5*time.Minute || time.Until(exp) < 4*time.Minute {
		t.Fatalf("urlExpiresAt %q", l.Items[0].URLExpiresAt)
	}
	code, ct, got := get(t, l.Items[0].URL)
	if code != http.StatusOK || ct != "image/png" || !bytes.Equal(got, png) {
		t.Fatalf("download: %d %q %d bytes", code, ct, len(got))
	}
	// A URL for one key does not open another.
	tampered := strings.Replace(l.Items[0].URL, c.ID, strings.Repeat("0", 26), 1)
	if code, _, _ := get(t, tampered); code != http.StatusForbidden {
		t.Fatalf("tampered download URL: %d", code)
	}

	httpapitest.Want(t, call(t, h, me, "DELETE /photos/{id}", c.ID, "", nil), http.StatusNoContent, nil)
	if code, _, _ := get(t, l.Items[0].URL); code != http.StatusNotFound {
		t.Fatalf("download after delete: %d", code)
	}
	httpapitest.Want(t, call(t, h, me, "GET /photos", "", "", nil), http.StatusOK, &l)
	if len(l.Items) != 0 {
		t.Fatalf("deleted photo listed")
	}
	httpapitest.Want(t, call(t, h, me, "DELETE /photos/{id}", c.ID, "", nil), http.StatusNotFound, nil)
	httpapitest.Want(t, call(t, h, me, "POST /photos/{id}/complete", c.ID, "", nil), http.StatusNotFound, nil)
}

// TestCompleteMismatch: an object that is not what was declared (here put
// by hand with the server's own credentials) is refused and removed.
func TestCompleteMismatch(t *testing.T) {
	h, _ := newHandler()
	me := httpapitest.User(httpapitest.NewOwner())
	c := requestUpload(t, h, me, "image/jpeg", 1000)
	ctx := context.Background()
	presign := s3.NewPresignClient(srv.S3(nil))
	for _, tc := range []struct {
		contentType string
		body        []byte
	}{
		{"image/jpeg", png},               // wrong size
		{"image/png", make([]byte, 1000)}, // wrong type
	} {
		signed, err := presign.PresignPutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(localaws.Bucket), Key: aws.String(uploadKey(me.ID, c.ID)),
			ContentType: aws.String(tc.contentType), ContentLength: aws.Int64(int64(len(tc.body))),
			ServerSideEncryption: s3types.ServerSideEncryption(schema.PhotoEncryption),
		})
		if err != nil {
			t.Fatal(err)
		}
		if code := put(t, signed.URL, tc.contentType, tc.body); code != http.StatusOK {
			t.Fatalf("upload: %d", code)
		}
		resp := call(t, h, me, "POST /photos/{id}/complete", c.ID, "", nil)
		httpapitest.Want(t, resp, http.StatusConflict, nil)
		if !strings.Contains(resp.Body, CodeUploadMismatch) {
			t.Fatalf("mismatch: %s", resp.Body)
		}
		for _, key := range []string{uploadKey(me.ID, c.ID), objectKey(me.ID, c.ID)} {
			_, err = srv.S3(nil).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(localaws.Bucket), Key: aws.String(key)})
			if !isNotFound(err) {
				t.Fatalf("mismatched object kept at %s: %v", key, err)
			}
		}
	}
}

func TestPendingExpires(t *testing.T) {
	h, _ := newHandler()
	me := httpapitest.User(httpapitest.NewOwner())
	c := requestUpload(t, h, me, "image/png", len(png))
	if code := put(t, c.Upload.URL, "image/png", png); code != http.StatusOK {
		t.Fatalf("upload: %d", code)
	}
	h.now = func() time.Time { return time.Now().Add(PendingTTL + time.Minute) }
	httpapitest.Want(t, call(t, h, me, "POST /photos/{id}/complete", c.ID, "", nil), http.StatusNotFound, nil)
}

func TestListPagination(t *testing.T) {
	h, _ := newHandler()
	me := httpapitest.User(httpapitest.NewOwner())
	var want []string
	for i := range 5 {
		c := requestUpload(t, h, me, "image/png", len(png))
		if i == 2 {
			continue // stays pending: never listed
		}
		if code := put(t, c.Upload.URL, "image/png", png); code != http.StatusOK {
			t.Fatalf("upload: %d", code)
		}
		httpapitest.Want(t, call(t, h, me, "POST /photos/{id}/complete", c.ID, "", nil), http.StatusOK, nil)
		want = append([]string{c.ID}, want...)
	}
	var got []string
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		q := map[string]string{"limit": "2"}
		if cursor != "" {
			q["cursor"] = cursor
		}
		var l List
		httpapitest.Want(t, call(t, h, me, "GET /photos", "", "", q), http.StatusOK, &l)
		for _, p := range l.Items {
			got = append(got, p.ID)
		}
		if cursor = l.NextCursor; cursor == "" {
			break
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("listed %v, want %v", got, want)
	}
}

func TestIsolation(t *testing.T) {
	h, _ := newHandler()
	a, b := httpapitest.User(httpapitest.NewOwner()), httpapitest.User(httpapitest.NewOwner())
	c := requestUpload(t, h, a, "image/png", len(png))
	if code := put(t, c.Upload.URL, "image/png", png); code != http.StatusOK {
		t.Fatalf("upload: %d", code)
	}
	// B cannot complete A's upload, list it, or delete it.
	httpapitest.Want(t, call(t, h, b, "POST /photos/{id}/complete", c.ID, "", nil), http.StatusNotFound, nil)
	httpapitest.Want(t, call(t, h, a, "POST /photos/{id}/complete", c.ID, "", nil), http.StatusOK, nil)
	httpapitest.Want(t, call(t, h, b, "POST /photos/{id}/complete", c.ID, "", nil), http.StatusNotFound, nil)
	httpapitest.Want(t, call(t, h, b, "DELETE /photos/{id}", c.ID, "", nil), http.StatusNotFound, nil)
	var l List
	httpapitest.Want(t, call(t, h, b, "GET /photos", "", "", nil), http.StatusOK, &l)
	if len(l.Items) != 0 {
		t.Fatalf("B lists %+v", l.Items)
	}
	httpapitest.Want(t, call(t, h, a, "GET /photos", "", "", nil), http.StatusOK, &l)
	if len(l.Items) != 1 {
		t.Fatalf("A lists %+v", l.Items)
	}
	if code, _, got := get(t, l.Items[0].URL); code != http.StatusOK || !bytes.Equal(got, png) {
		t.Fatalf("A's photo damaged: %d", code)
	}
}

func TestBadInput(t *testing.T) {
	h, rec := newHandler()
	me := httpapitest.User(httpapitest.NewOwner())
	tests := []struct {
		name     string
		caller   httpapitest.Caller
		routeKey string
		id       string
		body     string
		query    map[string]string
		want     int
	}{
		{"malformed json", me, "POST /photos", "", `{`, nil, 400},
		{"unknown field", me, "POST /photos", "", `{"contentType":"image/png","size":5,"key":"private/x"}`, nil, 400},
		{"html", me, "POST /photos", "", `{"contentType":"text/html","size":5}`, nil, 400},
		{"svg", me, "POST /photos", "", `{"contentType":"image/svg+xml","size":5}`, nil, 400},
		{"type with parameters", me, "POST /photos", "", `{"contentType":"image/png; charset=utf-8","size":5}`, nil, 400},
		{"upper-case type", me, "POST /photos", "", `{"contentType":"IMAGE/PNG","size":5}`, nil, 400},
		{"no type", me, "POST /photos", "", `{"size":5}`, nil, 400},
		{"no size", me, "POST /photos", "", `{"contentType":"image/png"}`, nil, 400},
		{"zero size", me, "POST /photos", "", `{"contentType":"image/png","size":0}`, nil, 400},
		{"negative size", me, "POST /photos", "", `{"contentType":"image/png","size":-1}`, nil, 400},
		{"fractional size", me, "POST /photos", "", `{"contentType":"image/png","size":1.5}`, nil, 400},
		{"size as string", me, "POST /photos", "", `{"contentType":"image/png","size":"5"}`, nil, 400},
		{"size over 10 MiB", me, "POST /photos", "", fmt.Sprintf(`{"contentType":"image/png","size":%d}`, MaxSize+1), nil, 413},
		{"huge size", me, "POST /photos", "", `{"contentType":"image/png","size":1e300}`, nil, 400},
		{"long caption", me, "POST /photos", "", `{"contentType":"image/png","size":5,"caption":"` + strings.Repeat("ü", MaxCaption+1) + `"}`, nil, 400},
		{"oversize body", me, "POST /photos", "", `{"caption":"` + strings.Repeat("a", 17<<10) + `"}`, nil, 413},
		{"bad id", me, "POST /photos/{id}/complete", "x", "", nil, 400},
		{"bad id delete", me, "DELETE /photos/{id}", "01ARZ3NDEKTSV4RRFFQ69G5FA", "", nil, 400},
		{"bad cursor", me, "GET /photos", "", "", map[string]string{"cursor": "MDFBUlozTkRFS1RTVjRSUkZGUTY5RzVGQVY="}, 400},
		{"bad limit", me, "GET /photos", "", "", map[string]string{"limit": "1000"}, 400},
		{"id token", httpapitest.Caller{ID: me.ID, Claims: map[string]string{"sub": me.ID, "token_use": "id", "aud": "x"}}, "GET /photos", "", "", nil, 401},
		{"no token", httpapitest.Caller{Claims: map[string]string{}}, "GET /photos", "", "", nil, 401},
		{"read scope uploads", httpapitest.Caller{ID: me.ID, Scopes: []string{"photos.read"}}, "POST /photos", "", `{"contentType":"image/png","size":5}`, nil, 403},
		{"write scope lists", httpapitest.Caller{ID: me.ID, Scopes: []string{"photos.write"}}, "GET /photos", "", "", nil, 403},
		{"todo scopes", httpapitest.Caller{ID: me.ID, Scopes: []string{"todos.read", "todos.write"}}, "DELETE /photos/{id}", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "", nil, 403},
		{"todos route", me, "GET /todos", "", "", nil, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.Reset()
			resp := call(t, h, tt.caller, tt.routeKey, tt.id, tt.body, tt.query)
			if err := httpapitest.CheckError(resp, tt.want); err != nil {
				t.Fatal(err)
			}
			if calls := rec.Calls(); len(calls) != 0 {
				t.Fatalf("invalid request reached AWS: %v", calls)
			}
		})
	}
}
