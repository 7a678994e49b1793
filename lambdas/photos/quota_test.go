package photos

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/lambdas/httpapi/httpapitest"
	"github.com/portcullis-cdk/portcullis/lambdas/quota"
)

// upload requests, uploads and completes a photo of png's bytes; it
// returns the completion's response.
func upload(t *testing.T, h *Handler, me httpapitest.Caller) (Created, int, string) {
	t.Helper()
	c := requestUpload(t, h, me, "image/png", len(png))
	if code := put(t, c.Upload.URL, "image/png", png); code != http.StatusOK {
		t.Fatalf("upload: %d", code)
	}
	resp := call(t, h, me, "POST /photos/{id}/complete", c.ID, "", nil)
	return c, resp.StatusCode, resp.Body
}

// TestQuotaPhotos on the local DynamoDB and S3: photos complete up to the
// count quota, the one past it is a 409 quota_exceeded and stays pending
// until a delete makes room, and a new upload is refused while there is
// none.
func TestQuotaPhotos(t *testing.T) {
	h, _ := newLimitedHandler(2, 10*int64(len(png)))
	me := httpapitest.User(httpapitest.NewOwner())
	first, code, body := upload(t, h, me)
	if code != http.StatusOK {
		t.Fatalf("first photo: %d %s", code, body)
	}
	// Requested before the quota filled, completed after: refused.
	third := requestUpload(t, h, me, "image/png", len(png))
	if _, code, body = upload(t, h, me); code != http.StatusOK {
		t.Fatalf("second photo, at the quota: %d %s", code, body)
	}
	if code := put(t, third.Upload.URL, "image/png", png); code != http.StatusOK {
		t.Fatalf("upload: %d", code)
	}
	resp := call(t, h, me, "POST /photos/{id}/complete", third.ID, "", nil)
	if err := httpapitest.CheckError(resp, http.StatusConflict); err != nil || !strings.Contains(resp.Body, quota.CodeExceeded) {
		t.Fatalf("third photo, past the quota: %v %s", err, resp.Body)
	}
	if st := stored(t, me.ID, third.ID).Status; st != statusPending {
		t.Fatalf("refused photo is %s, want still pending", st)
	}
	// No room: a new upload is refused before it is signed.
	resp = call(t, h, me, "POST /photos", "", `{"contentType":"image/png","size":10}`, nil)
	if err := httpapitest.CheckError(resp, http.StatusConflict); err != nil || !strings.Contains(resp.Body, "quota of 2 photos") {
		t.Fatalf("request past the quota: %v %s", err, resp.Body)
	}
	httpapitest.Want(t, call(t, h, me, "DELETE /photos/{id}", first.ID, "", nil), http.StatusNoContent, nil)
	httpapitest.Want(t, call(t, h, me, "POST /photos/{id}/complete", third.ID, "", nil), http.StatusOK, nil)
}

// TestQuotaPhotoBytes: the byte quota holds at the limit and refuses one
// byte past it, at the request and at completion.
func TestQuotaPhotoBytes(t *testing.T) {
	size := int64(len(png))
	h, _ := newLimitedHandler(100, 2*size)
	me := httpapitest.User(httpapitest.NewOwner())
	for i := 0; i < 2; i++ {
		if _, code, body := upload(t, h, me); code != http.StatusOK {
			t.Fatalf("photo %d, up to the byte quota: %d %s", i, code, body)
		}
	}
	resp := call(t, h, me, "POST /photos", "", `{"contentType":"image/png","size":1}`, nil)
	if err := httpapitest.CheckError(resp, http.StatusConflict); err != nil || !strings.Contains(resp.Body, "bytes of photos") {
		t.Fatalf("one byte past the quota: %v %s", err, resp.Body)
	}

	// Another owner: one photo of exactly the quota fits, none past it.
	other := httpapitest.User(httpapitest.NewOwner())
	h, _ = newLimitedHandler(100, size)
	if _, code, body := upload(t, h, other); code != http.StatusOK {
		t.Fatalf("a photo of exactly the byte quota: %d %s", code, body)
	}
	h, _ = newLimitedHandler(100, size-1)
	resp = call(t, h, httpapitest.User(httpapitest.NewOwner()), "POST /photos", "", `{"contentType":"image/png","size":`+strconv.FormatInt(size, 10)+`}`, nil)
	if err := httpapitest.CheckError(resp, http.StatusConflict); err != nil {
		t.Fatalf("a photo one byte over the byte quota: %v", err)
	}
}
