package devstack

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// TestStartServeClose starts the stack from the dev template on free ports,
// signs the test user in with the AWS SDK, calls the API, and checks that
// Close leaves nothing listening.
func TestStartServeClose(t *testing.T) {
	ctx := context.Background()
	s, err := Start(ctx, Options{Template: golden})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			s.Close()
		}
	}()
	out, err := s.CognitoClient().InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(s.Info.SPAClientID),
		AuthParameters: map[string]string{"USERNAME": s.Info.TestUser.Username, "PASSWORD": s.Info.TestUser.Password},
	})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", s.Info.APIURL+"/me", nil)
	req.Header.Set("Authorization", "Bearer "+*out.AuthenticationResult.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /me: %d", resp.StatusCode)
	}
	// The clock moves for the API too: the token expires.
	c, err := http.Post(s.Info.ClockURL+"?by=25h", "", nil)
	if err != nil || c.StatusCode != http.StatusNoContent {
		t.Fatalf("moving the clock: %v %v", c, err)
	}
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("GET /me after the token expired: %d, want 401", resp.StatusCode)
	}

	endpoints := []string{s.Info.APIURL, s.Info.CognitoEndpoint, s.Info.IdentityEndpoint, s.Info.DynamoDBEndpoint, s.Info.S3Endpoint}
	s.Close()
	closed = true
	for _, e := range endpoints {
		if conn, err := net.Dial("tcp", strings.TrimPrefix(e, "http://")); err == nil {
			conn.Close()
			t.Errorf("%s still listening after Close", e)
		}
	}
}
