package devstack

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/portcullis-cdk/portcullis/contract/webconfig"
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
		AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(s.Info.CLIClientID),
		AuthParameters: map[string]string{"USERNAME": s.Info.TestUser.Username, "PASSWORD": s.Info.TestUser.Password},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The local clients allow exactly the template's flows: the SPA client
	// proves passwords by SRP, and USER_PASSWORD_AUTH is only the CLI
	// client's, locally as deployed.
	_, err = s.CognitoClient().InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(s.Info.SPAClientID),
		AuthParameters: map[string]string{"USERNAME": s.Info.TestUser.Username, "PASSWORD": s.Info.TestUser.Password},
	})
	var invalid *ciptypes.InvalidParameterException
	if !errors.As(err, &invalid) || invalid.ErrorMessage() != "USER_PASSWORD_AUTH flow not enabled for this client" {
		t.Errorf("USER_PASSWORD_AUTH through the SPA client: %v, want InvalidParameterException: USER_PASSWORD_AUTH flow not enabled for this client", err)
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

	// The app's origin: the local config names this stack, and /api
	// reaches the API with the prefix removed (a fresh token: the clock moved).
	out, err = s.CognitoClient().InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(s.Info.CLIClientID),
		AuthParameters: map[string]string{"USERNAME": s.Info.TestUser.Username, "PASSWORD": s.Info.TestUser.Password},
	})
	if err != nil {
		t.Fatal(err)
	}
	var cfg webconfig.Config
	if resp, err := http.Get(s.Info.AppURL + webconfig.File); err != nil {
		t.Fatal(err)
	} else {
		err = json.NewDecoder(resp.Body).Decode(&cfg)
		resp.Body.Close()
		if err != nil || resp.Header.Get("Content-Security-Policy") == "" {
			t.Fatalf("config: %v, CSP %q", err, resp.Header.Get("Content-Security-Policy"))
		}
	}
	if cfg.UserPoolID != s.Info.UserPoolID || cfg.ClientID != s.Info.SPAClientID || cfg.Issuer != s.Info.Issuer ||
		cfg.UserPoolEndpoint != s.Info.CognitoEndpoint || cfg.IdentityEndpoint != s.Info.IdentityEndpoint ||
		cfg.IdentityPoolID != s.Info.IdentityPoolID || cfg.CognitoDomain == "" || cfg.APIPath != webconfig.APIPath || len(cfg.Scopes) == 0 ||
		!slices.Contains(cfg.FirstAuthFactors, "PASSWORD") {
		t.Errorf("local config %+v does not name the local stack %+v", cfg, s.Info)
	}
	req, _ = http.NewRequest("GET", s.Info.AppURL+strings.TrimPrefix(cfg.APIPath, "/")+"/me", nil)
	req.Header.Set("Authorization", "Bearer "+*out.AuthenticationResult.AccessToken)
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != 200 || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("GET %s/me through the app's origin: %d, X-Frame-Options %q", cfg.APIPath, resp.StatusCode, resp.Header.Get("X-Frame-Options"))
	}

	endpoints := []string{strings.TrimSuffix(s.Info.AppURL, "/"), s.Info.APIURL, s.Info.CognitoEndpoint, s.Info.IdentityEndpoint, s.Info.DynamoDBEndpoint, s.Info.S3Endpoint}
	s.Close()
	closed = true
	for _, e := range endpoints {
		if conn, err := net.Dial("tcp", strings.TrimPrefix(e, "http://")); err == nil {
			conn.Close()
			t.Errorf("%s still listening after Close", e)
		}
	}
}
