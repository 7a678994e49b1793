package devstack

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
)

// TestRestartKeepsState runs the stack twice on one state directory: the
// test user, an access token issued by the first run (the signing key), a
// todo created through the API and an object are all there in the second.
func TestRestartKeepsState(t *testing.T) {
	dir := t.TempDir()
	s, _, token := startSignedIn(t, Options{Template: golden, StateDir: dir})
	call := func(s *Stack, method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, s.Info.APIURL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b json.RawMessage
		_ = json.NewDecoder(resp.Body).Decode(&b)
		return resp.StatusCode, string(b)
	}
	if status, body := call(s, "POST", "/todos", `{"title":"survives a restart"}`); status != http.StatusCreated {
		t.Fatalf("POST /todos: %d %s", status, body)
	}
	if _, err := s.aws.S3(nil).PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(localaws.Bucket), Key: aws.String("kept.txt"), Body: strings.NewReader("kept"),
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// The issuer is the pool's URL: make dev's fixed port.
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.Info.CognitoEndpoint, "http://"))
	cognitoPort, _ := strconv.Atoi(port)
	again, err := Start(context.Background(), Options{Template: golden, StateDir: dir, CognitoPort: cognitoPort})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if status, body := call(again, "GET", "/todos", ""); status != http.StatusOK || !strings.Contains(body, "survives a restart") {
		t.Errorf("GET /todos after the restart, with the first run's token: %d %s", status, body)
	}
	if obj, err := again.aws.S3(nil).GetObject(context.Background(), &s3.GetObjectInput{
		Bucket: aws.String(localaws.Bucket), Key: aws.String("kept.txt"),
	}); err != nil {
		t.Errorf("the object after the restart: %v", err)
	} else {
		obj.Body.Close()
	}
	if _, err := again.CognitoClient().InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(again.Info.CLIClientID),
		AuthParameters: map[string]string{"USERNAME": again.Info.TestUser.Username, "PASSWORD": again.Info.TestUser.Password},
	}); err != nil {
		t.Errorf("the test user signs in after the restart: %v", err)
	}
}
