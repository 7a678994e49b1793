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
