package stage

import (
	"strings"
	"testing"
	"time"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
)

func TestKnownStagesValidate(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Stages() {
		if err := c.Validate(); err != nil {
			t.Errorf("stage %s: %v", c.Name, err)
		}
		if seen[c.StackName()] {
			t.Errorf("two stages named %s", c.StackName())
		}
		seen[c.StackName()] = true
	}
	for _, name := range []string{"dev", "prod"} {
		if _, err := Lookup(name); err != nil {
			t.Error(err)
		}
	}
}

func TestStackName(t *testing.T) {
	c, _ := Lookup("dev")
	if got := c.StackName(); got != "portcullis-dev" {
		t.Errorf("StackName = %q, want portcullis-dev", got)
	}
}

func TestSelect(t *testing.T) {
	all, err := Select("")
	if err != nil || len(all) != len(Stages()) {
		t.Errorf("Select(\"\") = %d stages, %v; want every stage", len(all), err)
	}
	one, err := Select("prod")
	if err != nil || len(one) != 1 || one[0].Name != "prod" {
		t.Errorf("Select(prod) = %v, %v", one, err)
	}
	_, err = Select("qa")
	if err == nil {
		t.Fatal("Select(qa) succeeded")
	}
	for _, want := range []string{`"qa"`, "dev", "prod"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s: it should name the bad stage and list the known ones", err, want)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	base := func() Config { c, _ := Lookup("dev"); return c }
	prod := func() Config { c, _ := Lookup("prod"); return c }
	cases := []struct {
		name   string
		mutate func(*Config)
		from   func() Config
		want   string // a fragment the error must contain, naming the bad value
	}{
		{"empty stage name", func(c *Config) { c.Name = "" }, base, `Name ""`},
		{"upper-case stage name", func(c *Config) { c.Name = "Dev" }, base, `Name "Dev"`},
		{"stage name with hyphen", func(c *Config) { c.Name = "my-dev" }, base, `Name "my-dev"`},
		{"bad project", func(c *Config) { c.Project = "Portcullis!" }, base, `Project "Portcullis!"`},
		{"no callback URL", func(c *Config) { c.CallbackURLs = nil }, base, "CallbackURLs: at least one"},
		{"relative callback URL", func(c *Config) { c.CallbackURLs = []string{"/callback"} }, base, `"/callback": want an absolute URL`},
		{"http callback off localhost", func(c *Config) { c.CallbackURLs = []string{"http://app.example.com/cb"} }, base, `"http://app.example.com/cb": want https`},
		{"callback with fragment", func(c *Config) { c.CallbackURLs = []string{"https://app.example.com/cb#x"} }, base, "must not contain a fragment"},
		{"malformed URL", func(c *Config) { c.LogoutURLs = []string{"https://exa mple.com/"} }, base, `"https://exa mple.com/"`},
		{"localhost in prod", func(c *Config) { c.CallbackURLs = append(c.CallbackURLs, "http://localhost:5173/callback") }, prod, `"http://localhost:5173/callback": localhost is not allowed in a production stage`},
		{"calling code without +", func(c *Config) { c.AllowedCallingCodes = []string{"44"} }, base, `AllowedCallingCodes "44"`},
		{"calling code too long", func(c *Config) { c.AllowedCallingCodes = []string{"+4412"} }, base, `AllowedCallingCodes "+4412"`},
		{"phone-only sign-in without calling codes", func(c *Config) { c.SignIn = auth.SignInPhone; c.AllowedCallingCodes = nil }, base, "AllowedCallingCodes: none"},
		{"group with a space", func(c *Config) { c.Groups = []string{"site admins"} }, base, `Groups "site admins"`},
		{"group twice", func(c *Config) { c.Groups = []string{"admins", "admins"} }, base, `Groups "admins": listed twice`},
		{"domain without an API certificate", func(c *Config) { c.Web.APICertificateARN = "" }, prod, "Web.APICertificateARN: required with Web.Domain"},
		{"API certificate in another region", func(c *Config) { c.Region = "us-west-2" }, prod, `want a certificate in the stage's region us-west-2`},
		{"API domain without a domain", func(c *Config) { c.Web.APIDomain = "api.example.com" }, base, `Web.APIDomain "api.example.com"`},
		{"no server callback URL", func(c *Config) { c.ServerCallbackURLs = nil }, base, "ServerCallbackURLs: at least one"},
		{"localhost server callback in prod", func(c *Config) { c.ServerCallbackURLs = []string{"http://localhost:8000/cb"} }, prod, `"http://localhost:8000/cb": localhost is not allowed`},
		{"localhost logout in prod", func(c *Config) { c.LogoutURLs = []string{"https://127.0.0.1/"} }, prod, "localhost is not allowed"},
		{"prod destroys data", func(c *Config) { c.Removal = Destroy }, prod, "Removal destroy: a production stage must Retain"},
		{"prod MFA optional", func(c *Config) { c.MFA = auth.MFAOptional }, prod, "MFA optional: a production stage must require MFA"},
		{"unknown removal", func(c *Config) { c.Removal = 7 }, base, "Removal 7"},
		{"unknown sign-in", func(c *Config) { c.SignIn = 9 }, base, "SignIn 9"},
		{"domain prefix with cognito", func(c *Config) { c.DomainPrefix = "my-cognito" }, base, `"my-cognito": Cognito reserves the word "cognito"`},
		{"domain prefix upper case", func(c *Config) { c.DomainPrefix = "MyApp" }, base, `domain prefix "MyApp"`},
		{"access token too short", func(c *Config) { c.AccessTokenValidity = time.Minute }, base, "AccessTokenValidity 1m0s"},
		{"ID token too long", func(c *Config) { c.IDTokenValidity = 48 * time.Hour }, base, "IDTokenValidity 48h0m0s"},
		{"refresh shorter than access", func(c *Config) { c.RefreshTokenValidity = 2 * time.Hour; c.AccessTokenValidity = 3 * time.Hour }, base, "RefreshTokenValidity 2h0m0s: must be longer"},
		{"bad account", func(c *Config) { c.Account = "12345" }, base, `Account "12345"`},
		{"bad region", func(c *Config) { c.Region = "mars" }, base, `Region "mars"`},
		{"alarm email with a name", func(c *Config) { c.AlarmEmail = "Ops <ops@example.com>" }, base, `Email "Ops <ops@example.com>"`},
		{"negative alarm threshold", func(c *Config) { c.Alarms.APILatencyP99 = -time.Second }, prod, "Thresholds.APILatencyP99 -1s"},
		{"retaining stage without an SES sender", func(c *Config) { c.Email = nil }, prod, "Email: a stage that retains its users must send email through Amazon SES"},
		{"dev stage made to retain without a sender", func(c *Config) { c.Removal = Retain }, base, "Email: a stage that retains"},
		{"SES sender not an address", func(c *Config) { c.Email.From = "no-reply" }, prod, `Email.From "no-reply"`},
		{"SES identity of another domain", func(c *Config) { c.Email.VerifiedIdentity = "other.test" }, prod, `Email.VerifiedIdentity "other.test"`},
		{"SES region unknown", func(c *Config) { c.Email.Region = "" }, prod, "Email.Region: required"},
		{"auth session too short", func(c *Config) { c.AuthSessionValidity = 2 * time.Minute }, prod, "AuthSessionValidity 2m0s: want 3m..15m"},
		{"auth session too long", func(c *Config) { c.AuthSessionValidity = 20 * time.Minute }, base, "AuthSessionValidity 20m0s"},
		{"web domain without certificate", func(c *Config) { c.Web.CertificateARN = "" }, prod, `Web.Domain "app.example.com" and Web.CertificateARN "": give both`},
		{"web domain upper case", func(c *Config) { c.Web.Domain = "App.example.com" }, prod, `Web.Domain "App.example.com"`},
		{"certificate outside us-east-1", func(c *Config) {
			c.Web.CertificateARN = "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"
		}, prod, "want an ACM certificate ARN in us-east-1"},
		{"regional web ACL", func(c *Config) { c.Web.WebACLARN = "arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/a/b" }, base, "Web.WebACLARN"},
		{"unknown client scope", func(c *Config) { c.ServerScopes = []string{"admin"} }, base, `ServerScopes "admin": not an API scope`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.from()
			tc.mutate(&c)
			err := c.Validate()
			if err == nil {
				t.Fatalf("Validate accepted it; want an error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "stage ") {
				t.Errorf("error %q does not name the stage", err)
			}
		})
	}
}

// TestDeployGuard: the shipped prod stage carries placeholder URLs and an
// example sender; deploying it must fail naming every field to set, while a
// stage with real values, and dev's localhost URLs, pass.
func TestDeployGuard(t *testing.T) {
	prod, _ := Lookup("prod")
	err := prod.CheckDeployable()
	if err == nil {
		t.Fatal("the shipped prod stage passes the deploy guard")
	}
	for _, field := range []string{`stage "prod"`, "CallbackURLs", "LogoutURLs", "ServerCallbackURLs (https://app.example.com/server/oauth2/callback)", "Web.Domain (app.example.com)", "Email.From (no-reply@app.example.com)", "Email.VerifiedIdentity (app.example.com)"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("deploy guard error %q does not name %s", err, field)
		}
	}
	prod.CallbackURLs = []string{"https://app.acme.io/callback"}
	prod.LogoutURLs = []string{"https://app.acme.io/"}
	prod.ServerCallbackURLs = []string{"https://app.acme.io/server/oauth2/callback"}
	prod.Web.Domain = "app.acme.io"
	prod.Email = &auth.SESEmail{From: "no-reply@acme.io", VerifiedIdentity: "acme.io", Region: "eu-west-1"}
	if err := prod.Validate(); err != nil {
		t.Fatalf("a real prod config does not validate: %v", err)
	}
	if err := prod.CheckDeployable(); err != nil {
		t.Errorf("a prod stage with real values is refused: %v", err)
	}
	prod.Email.VerifiedIdentity = "ops@example.org"
	if err := prod.CheckDeployable(); err == nil || !strings.Contains(err.Error(), "Email.VerifiedIdentity (ops@example.org)") {
		t.Errorf("an example address identity passes: %v", err)
	}
	dev, _ := Lookup("dev")
	if err := CheckDeployable([]Config{dev}); err != nil {
		t.Errorf("dev (localhost URLs, Cognito's sender) is refused: %v", err)
	}
	if err := CheckDeployable(Stages()); err == nil || !strings.Contains(err.Error(), `stage "prod"`) {
		t.Errorf("deploying every stage passes with prod's placeholders: %v", err)
	}
}

func TestValidateAccepts(t *testing.T) {
	c, _ := Lookup("prod")
	c.Account, c.Region = "123456789012", "eu-west-1"
	c.DomainPrefix = "acme-login"
	c.CallbackURLs = []string{"https://app.acme.test/callback", "https://app.acme.test/alt"}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	d, _ := Lookup("dev")
	d.CallbackURLs = []string{"http://127.0.0.1:3000/cb", "https://dev.acme.test/cb"}
	if err := d.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}
