package smoke

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/portcullis-cdk/portcullis/contract/schema"
)

// response is an API response with its JSON body decoded.
type response struct {
	status int
	body   map[string]any
	raw    []byte
}

// api calls the API with a bearer token (none when empty).
func (r *run) api(method, path, token string, body any) (response, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return response{}, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(r.ctx, method, strings.TrimSuffix(r.t.APIURL, "/")+path, rd)
	if err != nil {
		return response{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return r.do(req)
}

func (r *run) do(req *http.Request) (response, error) {
	resp, err := r.t.HTTP.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	out := response{status: resp.StatusCode, raw: raw}
	_ = json.Unmarshal(raw, &out.body)
	return out, nil
}

// want fails unless the response has the status.
// expect calls the API and wants status back.
func (r *run) expect(status int, method, path, token string, body any) (response, error) {
	res, err := r.api(method, path, token, body)
	if err != nil {
		return res, err
	}
	return res, want(res, status)
}

func want(res response, status int) error {
	if res.status != status {
		return fmt.Errorf("status %d, want %d: %s", res.status, status, truncate(res.raw))
	}
	return nil
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

func (r *run) endpoints(a *user) {
	r.check("GET /random returns a number from 0 to 100", func() error {
		res, err := r.api("GET", "/random", a.tokens.Access, nil)
		if err != nil {
			return err
		}
		if err := want(res, 200); err != nil {
			return err
		}
		n, ok := res.body["randomNumber"].(float64)
		if !ok || n < 0 || n > 100 || n != float64(int(n)) {
			return fmt.Errorf("randomNumber = %v", res.body["randomNumber"])
		}
		return nil
	})
	r.check("GET /me returns the caller's profile, written at confirmation", func() error {
		res, err := r.api("GET", "/me", a.tokens.Access, nil)
		if err != nil {
			return err
		}
		if err := want(res, 200); err != nil {
			return err
		}
		if res.body["sub"] != a.sub || res.body["email"] != a.email || res.body["company"] != "ACME" || res.body["hasProfile"] != true {
			return fmt.Errorf("profile %s, want sub %s, email %s, company ACME", truncate(res.raw), a.sub, a.email)
		}
		return nil
	})
}

// todos runs the CRUD flow and returns a todo of a's that stays for the
// isolation checks.
func (r *run) todos(a *user) (kept string) {
	id, version := r.createTodo(a)
	if id == "" {
		return ""
	}
	r.check("GET /todos lists it, newest first", func() error {
		res, err := r.expect(201, "POST", "/todos", a.tokens.Access, map[string]any{"title": "newer"})
		if err != nil {
			return err
		}
		newer, _ := res.body["id"].(string)
		r.defer_(func(context.Context) error { return r.deleteQuietly("/todos/"+newer, a.tokens.Access) })
		if res, err = r.expect(200, "GET", "/todos", a.tokens.Access, nil); err != nil {
			return err
		}
		if ids := itemIDs(res.body); len(ids) < 2 || ids[0] != newer || !slices.Contains(ids, id) {
			return fmt.Errorf("list %v, want %s first and %s in it", ids, newer, id)
		}
		return nil
	})
	r.check("GET /todos/{id} reads it", func() error {
		res, err := r.expect(200, "GET", "/todos/"+id, a.tokens.Access, nil)
		if err == nil && res.body["title"] != "buy milk" {
			err = fmt.Errorf("todo %s", truncate(res.raw))
		}
		return err
	})
	r.check("PUT /todos/{id} updates it; a stale version gets 409", func() error {
		res, err := r.expect(200, "PUT", "/todos/"+id, a.tokens.Access, map[string]any{"title": "buy oat milk", "done": true, "version": version})
		if err != nil {
			return err
		}
		if res.body["version"] != version+1 || res.body["done"] != true {
			return fmt.Errorf("updated %s", truncate(res.raw))
		}
		_, err = r.expect(409, "PUT", "/todos/"+id, a.tokens.Access, map[string]any{"title": "lost update", "done": false, "version": version})
		return err
	})
	r.check("DELETE /todos/{id} deletes it; reading it then gets 404", func() error {
		if _, err := r.expect(204, "DELETE", "/todos/"+id, a.tokens.Access, nil); err != nil {
			return err
		}
		_, err := r.expect(404, "GET", "/todos/"+id, a.tokens.Access, nil)
		return err
	})
	r.check("malformed input gets a JSON 400, not a 5xx", func() error {
		res, err := r.expect(400, "POST", "/todos", a.tokens.Access, map[string]any{"title": "x", "owner": "someone-else"})
		if err != nil {
			return err
		}
		if _, ok := res.body["error"].(string); !ok {
			return fmt.Errorf("error body %s has no error code", truncate(res.raw))
		}
		return nil
	})
	res, err := r.api("POST", "/todos", a.tokens.Access, map[string]any{"title": "A's secret"})
	if err != nil || res.status != 201 {
		return ""
	}
	kept, _ = res.body["id"].(string)
	r.defer_(func(context.Context) error { return r.deleteQuietly("/todos/"+kept, a.tokens.Access) })
	return kept
}

// createTodo is the first todo check; its id and version are what the
// others read, update and delete ("" when it failed).
func (r *run) createTodo(a *user) (id string, version float64) {
	r.check("POST /todos creates a todo", func() error {
		res, err := r.expect(201, "POST", "/todos", a.tokens.Access, map[string]any{"title": "buy milk"})
		if err != nil {
			return err
		}
		id, _ = res.body["id"].(string)
		version, _ = res.body["version"].(float64)
		if id == "" || version != 1 {
			id = ""
			return fmt.Errorf("created %s", truncate(res.raw))
		}
		r.defer_(func(context.Context) error { return r.deleteQuietly("/todos/"+id, a.tokens.Access) })
		return nil
	})
	return id, version
}

func itemIDs(body map[string]any) []string {
	var ids []string
	items, _ := body["items"].([]any)
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			id, _ := m["id"].(string)
			ids = append(ids, id)
		}
	}
	return ids
}

// deleteQuietly deletes what a check created; already gone is fine.
func (r *run) deleteQuietly(path, token string) error {
	res, err := r.api("DELETE", path, token, nil)
	if err != nil {
		return fmt.Errorf("DELETE %s: %w", path, err)
	}
	if res.status != 204 && res.status != 404 {
		return fmt.Errorf("DELETE %s: status %d", path, res.status)
	}
	return nil
}

// png is a 1x1 image, enough for S3 and the content-type check.
var png, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")

// photos runs the photo upload and list, returning a photo of a's that
// stays for the isolation checks.
func (r *run) photos(a *user) (kept string) {
	var id string
	var upload map[string]any
	r.check("POST /photos returns a presigned upload", func() error {
		res, err := r.expect(201, "POST", "/photos", a.tokens.Access, map[string]any{"contentType": "image/png", "size": len(png), "caption": "smoke"})
		if err != nil {
			return err
		}
		id, _ = res.body["id"].(string)
		upload, _ = res.body["upload"].(map[string]any)
		if id == "" || upload["url"] == nil {
			return fmt.Errorf("upload %s", truncate(res.raw))
		}
		r.defer_(func(context.Context) error { return r.deleteQuietly("/photos/"+id, a.tokens.Access) })
		return nil
	})
	if id == "" {
		return ""
	}
	// The photos role may list the bucket, so the handler's HeadObject
	// of the missing upload is a 404 (409 here), not S3's 403 (a 500).
	r.check("POST /photos/{id}/complete before the upload is 409", func() error {
		_, err := r.expect(409, "POST", "/photos/"+id+"/complete", a.tokens.Access, nil)
		return err
	})
	r.check("the presigned URL refuses a different Content-Type", func() error {
		res, err := r.put(upload, "text/plain", png)
		if err == nil && res.status != 403 {
			err = fmt.Errorf("status %d, want 403", res.status)
		}
		return err
	})
	if !r.check("the photo uploads through the presigned URL and completes", func() error {
		res, err := r.put(upload, "", png)
		if err != nil {
			return err
		}
		if res.status != 200 {
			return fmt.Errorf("upload status %d: %s", res.status, truncate(res.raw))
		}
		_, err = r.expect(200, "POST", "/photos/"+id+"/complete", a.tokens.Access, nil)
		return err
	}) {
		return ""
	}
	r.check("GET /photos lists it with a download URL that returns the bytes", func() error {
		res, err := r.expect(200, "GET", "/photos", a.tokens.Access, nil)
		if err != nil {
			return err
		}
		items, _ := res.body["items"].([]any)
		for _, it := range items {
			if p, _ := it.(map[string]any); p["id"] == id {
				return r.checkDownload(p)
			}
		}
		return fmt.Errorf("photo %s not listed: %s", id, truncate(res.raw))
	})
	return id
}

// checkDownload wants a listed photo's metadata and download URL to give
// back what the smoke run uploaded.
func (r *run) checkDownload(p map[string]any) error {
	if p["size"] != float64(len(png)) || p["contentType"] != "image/png" {
		return fmt.Errorf("metadata %v does not match the upload", p)
	}
	url, _ := p["url"].(string)
	req, err := http.NewRequestWithContext(r.ctx, "GET", url, nil)
	if err != nil {
		return err
	}
	got, err := r.do(req)
	if err != nil {
		return err
	}
	if got.status != 200 || !bytes.Equal(got.raw, png) {
		return fmt.Errorf("download status %d, %d bytes, want the %d uploaded", got.status, len(got.raw), len(png))
	}
	return nil
}

// put uploads body with the upload's method, URL and headers; a non-empty
// contentType replaces the signed one.
func (r *run) put(upload map[string]any, contentType string, body []byte) (response, error) {
	method, _ := upload["method"].(string)
	url, _ := upload["url"].(string)
	req, err := http.NewRequestWithContext(r.ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return response{}, err
	}
	headers, _ := upload["headers"].(map[string]any)
	for k, v := range headers {
		if s, ok := v.(string); ok && !strings.EqualFold(k, "content-length") {
			req.Header.Set(k, s)
		}
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return r.do(req)
}

func (r *run) isolation(a, b *user, todo, photo string) {
	if todo == "" || photo == "" {
		r.check("user B cannot reach user A's data", func() error { return errSkip{"A's todo or photo was not created"} })
		return
	}
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/todos/" + todo, nil},
		{"PUT", "/todos/" + todo, map[string]any{"title": "mine now", "done": true, "version": 1}},
		{"DELETE", "/todos/" + todo, nil},
		{"POST", "/photos/" + photo + "/complete", nil},
		{"DELETE", "/photos/" + photo, nil},
	} {
		r.check(fmt.Sprintf("user B gets 404 for %s on user A's item", c.method+" "+strings.Replace(strings.Replace(c.path, todo, "{id}", 1), photo, "{id}", 1)), func() error {
			res, err := r.api(c.method, c.path, b.tokens.Access, c.body)
			if err != nil {
				return err
			}
			return want(res, 404)
		})
	}
	for _, list := range []string{"/todos", "/photos"} {
		r.check("user B's "+list+" list does not show user A's items", func() error {
			res, err := r.api("GET", list, b.tokens.Access, nil)
			if err != nil {
				return err
			}
			if err := want(res, 200); err != nil {
				return err
			}
			if ids := itemIDs(res.body); slices.Contains(ids, todo) || slices.Contains(ids, photo) {
				return fmt.Errorf("B sees %v", ids)
			}
			return nil
		})
	}
	r.check("user A's items are intact after B's attempts", func() error {
		res, err := r.api("GET", "/todos/"+todo, a.tokens.Access, nil)
		if err != nil {
			return err
		}
		if err := want(res, 200); err != nil {
			return err
		}
		if res.body["title"] != "A's secret" {
			return fmt.Errorf("todo now %s", truncate(res.raw))
		}
		return nil
	})
}

// refused checks that the API refuses token on a JWT route.
func (r *run) refused(token string) error {
	res, err := r.api("GET", "/random", token, nil)
	if err != nil {
		return err
	}
	if res.status != 401 && res.status != 403 {
		return fmt.Errorf("status %d, want 401 or 403: %s", res.status, truncate(res.raw))
	}
	return nil
}

func (r *run) refusedTokens(a *user) {
	r.check("an ID token is refused (it carries no scope)", func() error { return r.refused(a.tokens.ID) })
	r.check("a tampered access token is refused", func() error { return r.refused(tamper(a.tokens.Access)) })
	r.check("a request without a token is refused", func() error { return r.refused("") })
	r.check("a token from another app client of the pool is refused", func() error {
		name := "smoke-other-" + randomHex(4)
		out, err := r.t.Cognito.CreateUserPoolClient(r.ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: &r.t.UserPoolID, ClientName: &name,
			ExplicitAuthFlows: []ciptypes.ExplicitAuthFlowsType{
				ciptypes.ExplicitAuthFlowsTypeAllowUserSrpAuth, ciptypes.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
				ciptypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
			},
		})
		if err != nil {
			return err
		}
		other := out.UserPoolClient.ClientId
		r.defer_(func(ctx context.Context) error {
			_, err := r.t.Cognito.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: &r.t.UserPoolID, ClientId: other})
			return err
		})
		tokens, err := r.t.SignIn(r.ctx, r.t.Cognito, *other, a.email, a.password, "")
		if err != nil {
			return fmt.Errorf("signing in through the other client: %w", err)
		}
		return r.refused(tokens.Access)
	})
}

func (r *run) expiredToken(a *user) {
	r.check("an expired access token is refused", func() error {
		if r.t.AdvanceClock == nil {
			return errSkip{"a deployed stage's clock cannot be moved, and its access tokens live for minutes"}
		}
		exp, err := claim(a.tokens.Access, "exp")
		if err != nil {
			return err
		}
		var secs float64
		if _, err := fmt.Sscan(exp, &secs); err != nil {
			return fmt.Errorf("exp %q: %w", exp, err)
		}
		by := time.Until(time.Unix(int64(secs), 0)) + time.Minute
		if err := r.t.AdvanceClock(r.ctx, by); err != nil {
			return err
		}
		r.skew += by
		return r.refused(a.tokens.Access)
	})
	// The SPA client rotates refresh tokens: it refreshes with
	// GetTokensFromRefreshToken (REFRESH_TOKEN_AUTH is refused) and keeps
	// the new refresh token it gets.
	r.check("user A's refresh token gets a new access token that works", func() error {
		out, err := r.t.Cognito.GetTokensFromRefreshToken(r.ctx, &cip.GetTokensFromRefreshTokenInput{
			ClientId:     &r.t.ClientID,
			RefreshToken: &a.tokens.Refresh,
		})
		if err != nil {
			return err
		}
		res := out.AuthenticationResult
		if res == nil || res.AccessToken == nil {
			return fmt.Errorf("no access token from the refresh")
		}
		if next := aws.ToString(res.RefreshToken); next != "" {
			if next == a.tokens.Refresh {
				return fmt.Errorf("the refresh returned the refresh token it was given, not a rotated one")
			}
			r.record("refresh token", next)
			a.tokens.Refresh = next
		}
		a.tokens.Access, a.tokens.ID = *res.AccessToken, aws.ToString(res.IdToken)
		got, err := r.api("GET", "/random", a.tokens.Access, nil)
		if err != nil {
			return err
		}
		return want(got, 200)
	})
}

// identity signs in to the identity pool with u's ID token.
func (r *run) identity(u *user) (id string, creds *v4Creds, err error) {
	iss, err := claim(u.tokens.ID, "iss")
	if err != nil {
		return "", nil, err
	}
	// The login key deployed clients send, cognito-idp.<region>.amazonaws.com/<poolId>,
	// whatever host issued the token: the local pool accepts it too.
	poolID := iss[strings.LastIndex(iss, "/")+1:]
	region, _, ok := strings.Cut(poolID, "_")
	if !ok {
		return "", nil, fmt.Errorf("issuer %q does not end with a user pool id", iss)
	}
	logins := map[string]string{"cognito-idp." + region + ".amazonaws.com/" + poolID: u.tokens.ID}
	got, err := r.t.Identity.GetId(r.ctx, &cognitoidentity.GetIdInput{IdentityPoolId: &r.t.IdentityPoolID, Logins: logins})
	if err != nil {
		return "", nil, fmt.Errorf("GetId: %w", err)
	}
	c, err := r.t.Identity.GetCredentialsForIdentity(r.ctx, &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: got.IdentityId, Logins: logins})
	if err != nil {
		return "", nil, fmt.Errorf("GetCredentialsForIdentity: %w", err)
	}
	return *got.IdentityId, &v4Creds{key: *c.Credentials.AccessKeyId, secret: *c.Credentials.SecretKey, token: *c.Credentials.SessionToken}, nil
}

type v4Creds struct{ key, secret, token string }

// signed calls an IAM route with a SigV4 signature of creds.
func (r *run) signed(method, path string, creds *v4Creds, body any) (response, error) {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return response{}, err
		}
	}
	req, err := http.NewRequestWithContext(r.ctx, method, strings.TrimSuffix(r.t.APIURL, "/")+path, bytes.NewReader(raw))
	if err != nil {
		return response{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	sum := sha256.Sum256(raw)
	hash := hex.EncodeToString(sum[:])
	if creds != nil {
		c := awsCredentials(creds)
		if err := v4.NewSigner().SignHTTP(r.ctx, c, req, hash, "execute-api", r.t.Region, time.Now().Add(r.skew)); err != nil {
			return response{}, err
		}
	}
	return r.do(req)
}

func (r *run) iamRoutes(a, b *user) {
	var aCreds, bCreds *v4Creds
	var aID, bID string
	if !r.check("users A and B get identity-pool credentials with their ID tokens (login key cognito-idp.<region>.amazonaws.com/<poolId>)", func() (err error) {
		if aID, aCreds, err = r.identity(a); err != nil {
			return err
		}
		bID, bCreds, err = r.identity(b)
		return err
	}) {
		return
	}
	r.direct(a, aID, bID, aCreds)
	id := r.signedTodo(a, aCreds)
	r.check("user B's credentials get 404 for A's todo and an empty view of it", func() error {
		if id == "" {
			return errSkip{"A's todo was not created"}
		}
		res, err := r.signed("GET", "/iam/todos/"+id, bCreds, nil)
		if err != nil {
			return err
		}
		if err := want(res, 404); err != nil {
			return err
		}
		res, err = r.signed("GET", "/iam/todos", bCreds, nil)
		if err != nil {
			return err
		}
		if slices.Contains(itemIDs(res.body), id) {
			return fmt.Errorf("B sees A's todo %s", id)
		}
		return nil
	})
	r.check("an IAM route refuses an unsigned request and a bearer token", func() error {
		res, err := r.signed("GET", "/iam/todos", nil, nil)
		if err != nil {
			return err
		}
		if err := want(res, 403); err != nil {
			return fmt.Errorf("unsigned: %w", err)
		}
		res, err = r.api("GET", "/iam/todos", a.tokens.Access, nil)
		if err != nil {
			return err
		}
		if res.status != 403 && res.status != 401 {
			return fmt.Errorf("bearer token: status %d, want 401 or 403", res.status)
		}
		return nil
	})
}

// signedTodo is the check that A's identity-pool credentials create and
// list a todo on the IAM routes; it returns the todo's id ("" if not).
func (r *run) signedTodo(a *user, creds *v4Creds) (id string) {
	r.check("POST /iam/todos signed with A's credentials creates A's todo", func() error {
		res, err := r.signed("POST", "/iam/todos", creds, map[string]any{"title": "signed"})
		if err != nil {
			return err
		}
		if err := want(res, 201); err != nil {
			return err
		}
		id, _ = res.body["id"].(string)
		r.defer_(func(context.Context) error { return r.deleteSigned(a, id) })
		res, err = r.signed("GET", "/iam/todos", creds, nil)
		if err != nil {
			return err
		}
		if !slices.Contains(itemIDs(res.body), id) {
			return fmt.Errorf("A's signed list %s lacks %s", truncate(res.raw), id)
		}
		return nil
	})
	return id
}

// deleteSigned deletes a's todo id through the IAM route, with fresh
// credentials: the run may have moved the clock past the first ones.
func (r *run) deleteSigned(a *user, id string) error {
	_, creds, err := r.identity(a)
	if err != nil {
		return fmt.Errorf("DELETE /iam/todos/%s: %w", id, err)
	}
	res, err := r.signed("DELETE", "/iam/todos/"+id, creds, nil)
	if err == nil && res.status != 204 && res.status != 404 {
		err = fmt.Errorf("status %d", res.status)
	}
	if err != nil {
		return fmt.Errorf("DELETE /iam/todos/%s: %w", id, err)
	}
	return nil
}

// claim reads a claim of a JWT without verifying it: the run checks what
// the API does with tokens, and reads its own tokens' claims only for ids.
func claim(token, name string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", err
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		return "", err
	}
	switch v := claims[name].(type) {
	case string:
		return v, nil
	case float64:
		return fmt.Sprintf("%.0f", v), nil
	}
	return "", fmt.Errorf("no claim %q", name)
}

// tamper changes one character of the token's payload, keeping it valid base64url.
func tamper(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(parts[1]) < 8 {
		return token + "x"
	}
	p := []byte(parts[1])
	i := len(p) / 2
	if p[i] == 'A' {
		p[i] = 'B'
	} else {
		p[i] = 'A'
	}
	return parts[0] + "." + string(p) + "." + parts[2]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func awsCredentials(c *v4Creds) aws.Credentials {
	return aws.Credentials{AccessKeyID: c.key, SecretAccessKey: c.secret, SessionToken: c.token}
}

// direct calls DynamoDB and S3 with A's identity-pool credentials, as a
// browser with Amplify would: A's own partition and private/<A>/ folder
// are reachable, B's are not (the identity pool role's dynamodb:LeadingKeys
// and private/${cognito-identity.amazonaws.com:sub}/ grants).
func (r *run) direct(a *user, aID, bID string, creds *v4Creds) {
	db, objects := r.clients(creds)
	// Cleanup gets fresh credentials: the run may have moved the clock
	// past these.
	fresh := func() (*dynamodb.Client, *s3.Client, error) {
		_, creds, err := r.identity(a)
		if err != nil {
			return nil, nil, err
		}
		db, objects := r.clients(creds)
		return db, objects, nil
	}
	table, bucket := aws.String(r.t.TodosTable), aws.String(r.t.PhotosBucket)
	itemKey := func(owner string) map[string]ddbtypes.AttributeValue {
		return map[string]ddbtypes.AttributeValue{
			schema.Todos.PartitionKey: &ddbtypes.AttributeValueMemberS{Value: owner},
			schema.Todos.SortKey:      &ddbtypes.AttributeValueMemberS{Value: "smoke-direct"},
		}
	}
	r.check("A's identity-pool credentials write and read A's own item in DynamoDB directly", func() error {
		if _, err := db.PutItem(r.ctx, &dynamodb.PutItemInput{TableName: table, Item: itemKey(aID)}); err != nil {
			return fmt.Errorf("PutItem: %w", err)
		}
		r.defer_(func(ctx context.Context) error {
			db, _, err := fresh()
			if err == nil {
				_, err = db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: itemKey(aID)})
			}
			return err
		})
		_, err := db.GetItem(r.ctx, &dynamodb.GetItemInput{TableName: table, Key: itemKey(aID)})
		return err
	})
	r.check("A's identity-pool credentials are denied B's partition in DynamoDB (GetItem, Query)", func() error {
		_, err := db.GetItem(r.ctx, &dynamodb.GetItemInput{TableName: table, Key: itemKey(bID)})
		if err := wantCode(err, "AccessDeniedException"); err != nil {
			return fmt.Errorf("GetItem: %w", err)
		}
		_, err = db.Query(r.ctx, &dynamodb.QueryInput{TableName: table,
			KeyConditionExpression:    aws.String("#o = :o"),
			ExpressionAttributeNames:  map[string]string{"#o": schema.Todos.PartitionKey},
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":o": &ddbtypes.AttributeValueMemberS{Value: bID}}})
		return wantCode(err, "AccessDeniedException")
	})
	own := schema.PhotoPrefix + aID + "/smoke-direct.txt"
	// Photos are written through the API only: IAM bounds neither size nor
	// content type of a direct write (docs/security.md).
	r.check("A's identity-pool credentials list private/<A>/ in S3 directly, and may not write there", func() error {
		if _, err := objects.ListObjectsV2(r.ctx, &s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String(schema.PhotoPrefix + aID + "/")}); err != nil {
			return fmt.Errorf("ListObjectsV2: %w", err)
		}
		_, err := objects.PutObject(r.ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(own), Body: strings.NewReader("smoke"),
			ServerSideEncryption: s3types.ServerSideEncryption(schema.PhotoEncryption)})
		if err := wantCode(err, "AccessDenied"); err != nil {
			return fmt.Errorf("PutObject: %w", err)
		}
		return nil
	})
	r.check("A's identity-pool credentials are denied private/<B>/ in S3 (PutObject, GetObject, ListObjectsV2)", func() error {
		other := schema.PhotoPrefix + bID + "/smoke-direct.txt"
		_, err := objects.PutObject(r.ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(other), Body: strings.NewReader("x")})
		if err := wantCode(err, "AccessDenied"); err != nil {
			return fmt.Errorf("PutObject: %w", err)
		}
		_, err = objects.GetObject(r.ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String(other)})
		if err := wantCode(err, "AccessDenied"); err != nil {
			return fmt.Errorf("GetObject: %w", err)
		}
		_, err = objects.ListObjectsV2(r.ctx, &s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String(schema.PhotoPrefix + bID + "/")})
		if err := wantCode(err, "AccessDenied"); err != nil {
			return fmt.Errorf("ListObjectsV2: %w", err)
		}
		return nil
	})
}

// clients are DynamoDB and S3 clients of the stage signing with creds.
func (r *run) clients(creds *v4Creds) (*dynamodb.Client, *s3.Client) {
	cfg := aws.Config{Region: r.t.Region, Credentials: credentialsOf(creds), RetryMaxAttempts: 1}
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if r.t.DynamoDBEndpoint != "" {
			o.BaseEndpoint = aws.String(r.t.DynamoDBEndpoint)
		}
	})
	objects := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if r.t.S3Endpoint != "" {
			o.BaseEndpoint = aws.String(r.t.S3Endpoint)
			o.UsePathStyle = true
		}
	})
	return db, objects
}

// wantCode checks that err is an AWS API error with the given code.
func wantCode(err error, code string) error {
	var apiErr smithy.APIError
	switch {
	case err == nil:
		return fmt.Errorf("allowed, want %s", code)
	case !errors.As(err, &apiErr) || apiErr.ErrorCode() != code:
		return fmt.Errorf("%v, want %s", err, code)
	}
	return nil
}

func credentialsOf(c *v4Creds) aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return awsCredentials(c), nil })
}
