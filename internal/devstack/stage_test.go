package devstack

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/portcullis-cdk/portcullis/contract/userattr"
	"github.com/portcullis-cdk/portcullis/contract/webconfig"
	"github.com/portcullis-cdk/portcullis/internal/protocol/srp"
	"github.com/portcullis-cdk/portcullis/internal/smoke"
)

// TestProdStage runs prod's template as `make dev STAGE=prod` does: a
// user signs up with an email (prod's only username), confirms with the
// emailed code, is asked to enrol TOTP at first sign-in, enrols, and is
// asked for a TOTP code at the next; tokens last prod's 15 minutes; the
// hosted UI takes the local app's origin although prod's callback URLs
// name app.example.com, and the smoke run signs in on it; and what prod
// uses that the stack cannot emulate is named.
func TestProdStage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the local stack")
	}
	ctx := context.Background()
	s, err := Start(ctx, Options{Template: prodGolden})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, want := range []string{"threat protection (UserPoolAddOns AdvancedSecurityMode ENFORCED)", "EmailSendingAccount DEVELOPER", "custom domain app.example.com of the web app and its ACM certificate"} {
		if !containsLine(s.NotEmulated, want) {
			t.Errorf("not emulated %q lacks %q", s.NotEmulated, want)
		}
	}

	c := s.CognitoClient()
	const username, password = "prod.user@example.com", "Prod-stage-passw0rd!"
	signUp := func(name string) error {
		_, err := c.SignUp(ctx, &cip.SignUpInput{
			ClientId: aws.String(s.Info.SPAClientID), Username: aws.String(name), Password: aws.String(password),
			UserAttributes: []ciptypes.AttributeType{{Name: aws.String(userattr.Email), Value: aws.String(username)}},
		})
		return err
	}
	var invalid *ciptypes.InvalidParameterException
	if err := signUp("produser"); !errors.As(err, &invalid) {
		t.Errorf("sign-up with a username that is not an email: %v, want InvalidParameterException", err)
	}
	if err := signUp(username); err != nil {
		t.Fatal(err)
	}
	code := devCode(t, s.Info.CodeURL, username)
	if _, err := c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(s.Info.SPAClientID), Username: aws.String(username), ConfirmationCode: &code}); err != nil {
		t.Fatal(err)
	}

	auth := smoke.NewAuthenticator(s.Info.UserPoolID)
	wantChallenge(t, c, s.Info.UserPoolID, s.Info.SPAClientID, username, password, ciptypes.ChallengeNameTypeMfaSetup)
	tokens, err := auth.SRP(ctx, c, s.Info.SPAClientID, username, password, "")
	if err != nil {
		t.Fatalf("first sign-in enrolling TOTP: %v", err)
	}
	wantChallenge(t, c, s.Info.UserPoolID, s.Info.SPAClientID, username, password, ciptypes.ChallengeNameTypeSoftwareTokenMfa)
	if got := lifetime(t, tokens.Access); got != 15*time.Minute {
		t.Errorf("access token lasts %v, want prod's 15m", got)
	}

	q := url.Values{
		"response_type": {"code"}, "client_id": {s.Info.SPAClientID}, "scope": {"openid"},
		"redirect_uri":   {strings.TrimSuffix(s.Info.AppURL, "/") + webconfig.CallbackPath},
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"},
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(s.Info.CognitoDomainURL + "/oauth2/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/login?") {
		t.Errorf("hosted UI with the local app's callback %s: %d to %q, want the sign-in page", q.Get("redirect_uri"), resp.StatusCode, loc)
	}
	smokeHostedUI(t, s, auth, username, password)
}

// smokeHostedUI is the hosted-UI sign-in of `make smoke` against `make dev
// STAGE=prod`: the sign-in page asks the user who enrolled through the API
// for a code from the smoke run's authenticator, and a user whose first
// sign-in is on the page to enrol one. The stage's clock moves a TOTP
// period on instead of the test waiting for the next code.
func smokeHostedUI(t *testing.T, s *Stack, auth *smoke.Authenticator, username, password string) {
	t.Helper()
	ctx := context.Background()
	resp, err := http.Post(s.Info.ClockURL+"?by=30s", "", nil)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("moving the clock: %v %v", resp, err)
	}
	auth.Now = func() time.Time { return time.Now().Add(30 * time.Second) }
	hosted := smoke.HostedUI{
		Issuer: s.Info.Issuer, ClientID: s.Info.SPAClientID, RedirectURL: s.Info.SPACallbackURL,
		// GetUser below needs the scope of a user managing their account.
		Scopes: []string{"openid", "email", "aws.cognito.signin.user.admin"}, Now: auth.Now, TOTP: auth,
	}
	if _, err := hosted.SignIn(ctx, username, password); err != nil {
		t.Errorf("hosted UI sign-in answering SOFTWARE_TOKEN_MFA: %v", err)
	}

	const newcomer = "prod.newcomer@example.com"
	c := s.CognitoClient()
	if _, err := c.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(s.Info.SPAClientID), Username: aws.String(newcomer), Password: aws.String(password),
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String(userattr.Email), Value: aws.String(newcomer)}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(s.Info.UserPoolID), Username: aws.String(newcomer)}); err != nil {
		t.Fatal(err)
	}
	session, err := hosted.SignIn(ctx, newcomer, password)
	if err != nil {
		t.Fatalf("hosted UI first sign-in answering MFA_SETUP: %v", err)
	}
	got, err := c.GetUser(ctx, &cip.GetUserInput{AccessToken: &session.Access})
	if err != nil || aws.ToString(got.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" {
		t.Errorf("GetUser after enrolling on the page = %+v, %v; want TOTP preferred", got, err)
	}
}

// TestNotEmulated: each feature the local stack runs without is named
// from the template, and a template without them names nothing.
func TestNotEmulated(t *testing.T) {
	for _, tc := range []struct {
		name, resources string
		want            []string
	}{
		{"none", `{"P":{"Type":"AWS::Cognito::UserPool","Properties":{"UserPoolAddOns":{"AdvancedSecurityMode":"OFF"},"EmailConfiguration":{"EmailSendingAccount":"COGNITO_DEFAULT"}}}}`, nil},
		{"threat protection in audit", `{"P":{"Type":"AWS::Cognito::UserPool","Properties":{"UserPoolAddOns":{"AdvancedSecurityMode":"AUDIT"}}}}`,
			[]string{"threat protection (UserPoolAddOns AdvancedSecurityMode AUDIT)"}},
		{"hosted UI custom domain", `{"D":{"Type":"AWS::Cognito::UserPoolDomain","Properties":{"Domain":"auth.example.com","CustomDomainConfig":{"CertificateArn":"arn"}}}}`,
			[]string{"custom domain auth.example.com of the hosted UI"}},
		{"distribution web ACL", `{"E":{"Type":"AWS::CloudFront::Distribution","Properties":{"DistributionConfig":{"WebACLId":{"Fn::GetAtt":["W","Arn"]}}}},"W":{"Type":"AWS::WAFv2::WebACL","Properties":{}}}`,
			[]string{`WebACLId {"Fn::GetAtt":["W","Arn"]}`, "web ACL W (AWS::WAFv2::WebACL)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tmpl cfnTemplate
			if err := json.Unmarshal([]byte(`{"Resources":`+tc.resources+`}`), &tmpl); err != nil {
				t.Fatal(err)
			}
			got := readNotEmulated(tmpl)
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %d lines: %q", got, len(tc.want), tc.want)
			}
			for _, w := range tc.want {
				if !containsLine(got, w) {
					t.Errorf("got %q, want a line with %q", got, w)
				}
			}
		})
	}
	plan, err := ReadPlan(golden)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.NotEmulated) != 0 {
		t.Errorf("the dev template: not emulated %q, want nothing", plan.NotEmulated)
	}
}

func containsLine(lines []string, sub string) bool {
	for _, l := range lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

// wantChallenge signs in by SRP (the flow the stage's SPA client allows)
// and checks the challenge Cognito answers the password proof with,
// without answering it.
func wantChallenge(t *testing.T, c *cip.Client, poolID, clientID, username, password string, want ciptypes.ChallengeNameType) {
	t.Helper()
	ctx := context.Background()
	proof, err := srp.NewClient(poolID)
	if err != nil {
		t.Fatal(err)
	}
	start, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: ciptypes.AuthFlowTypeUserSrpAuth, ClientId: &clientID,
		AuthParameters: map[string]string{"USERNAME": username, "SRP_A": proof.A()},
	})
	if err != nil {
		t.Fatal(err)
	}
	responses, err := proof.Respond(username, password, start.ChallengeParameters, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: &clientID, ChallengeName: start.ChallengeName, Session: start.Session, ChallengeResponses: responses,
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.ChallengeName != want || out.AuthenticationResult != nil {
		t.Fatalf("sign-in: challenge %q, tokens %v; want %s", out.ChallengeName, out.AuthenticationResult != nil, want)
	}
}

// devCode is the last code the local pool sent the user.
func devCode(t *testing.T, codeURL, username string) string {
	t.Helper()
	resp, err := http.Get(codeURL + "?username=" + url.QueryEscape(username))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", codeURL, resp.StatusCode, b)
	}
	return strings.TrimSpace(string(b))
}

// lifetime is a JWT's exp minus its iat.
func lifetime(t *testing.T, jwt string) time.Duration {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct{ Exp, Iat int64 }
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	return time.Duration(c.Exp-c.Iat) * time.Second
}
