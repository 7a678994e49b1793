package localcognito

import (
	"strings"
	"testing"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtsign"
)

func TestNewValidates(t *testing.T) {
	valid := func() Config {
		return Config{
			PoolID:      "eu-west-1_abc",
			BaseURL:     "http://127.0.0.1:9229",
			Clients:     []Client{{ID: "client1"}},
			Credentials: testCredentials(),
		}
	}
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"pool id", func(c *Config) { c.PoolID = "pool" }, `pool id "pool"`},
		// SRP clients would take "west_1_abc" for the pool name.
		{"pool id with an underscore in the region", func(c *Config) { c.PoolID = "eu_west_1_abc"; c.Region = "eu_west_1" }, `pool id "eu_west_1_abc"`},
		{"region", func(c *Config) { c.Region = "us-east-1" }, `region "us-east-1" does not match`},
		{"base URL with a path", func(c *Config) { c.BaseURL = "http://localhost:9229/cognito" }, "without a path"},
		{"base URL scheme", func(c *Config) { c.BaseURL = "localhost:9229" }, "base URL"},
		{"username attribute", func(c *Config) { c.UsernameAttributes = []string{"preferred_username"} }, `username attribute "preferred_username"`},
		{"auto-verified attribute", func(c *Config) { c.AutoVerifiedAttributes = []string{"name"} }, `auto-verified attribute "name"`},
		{"custom attribute", func(c *Config) { c.CustomAttributes = []string{"company"} }, `custom attribute "company"`},
		{"required attribute", func(c *Config) { c.RequiredAttributes = []string{"custom:x"} }, `required attribute "custom:x"`},
		{"password length", func(c *Config) { c.PasswordPolicy = PasswordPolicy{MinLength: 4} }, "password minimum length 4"},
		{"no clients", func(c *Config) { c.Clients = nil }, "no app clients"},
		{"no credentials", func(c *Config) { c.Credentials = nil }, "no Credentials"},
		{"client id", func(c *Config) { c.Clients = []Client{{ID: "bad id"}} }, `client id "bad id"`},
		{"duplicate client", func(c *Config) { c.Clients = append(c.Clients, Client{ID: "client1"}) }, `client "client1" given twice`},
		{"auth flow", func(c *Config) { c.Clients[0].ExplicitAuthFlows = []string{"USER_PASSWORD_AUTH"} }, `auth flow "USER_PASSWORD_AUTH"`},
		{"token validity", func(c *Config) { c.Clients[0].AccessTokenValidity = time.Minute }, "validity"},
		{"signing key", func(c *Config) { c.SigningKey = &jwtsign.Key{Private: sharedKey().Private} }, "no key id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := valid()
			tc.edit(&cfg)
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v, want an error containing %q", err, tc.want)
			}
		})
	}

	srv, err := New(valid())
	if err != nil {
		t.Fatalf("New(valid): %v", err)
	}
	if srv.Region() != "eu-west-1" || srv.Issuer() != "http://127.0.0.1:9229/eu-west-1_abc" || srv.PoolID() != "eu-west-1_abc" {
		t.Errorf("region %q issuer %q", srv.Region(), srv.Issuer())
	}
	c := srv.clients.byID["client1"]
	if c.AccessTokenValidity != time.Hour || c.RefreshTokenValidity != 30*24*time.Hour || c.allows(AllowUserPasswordAuth) || !c.allows(AllowRefreshTokenAuth) {
		t.Errorf("client defaults = %+v", c)
	}
	if srv.policy != DefaultPasswordPolicy {
		t.Errorf("policy = %+v", srv.policy)
	}

	// A pool given a key signs with it; one without generates its own.
	given := valid()
	given.SigningKey = sharedKey()
	if srv, err := New(given); err != nil {
		t.Errorf("New with a signing key: %v", err)
	} else if srv.key.ID != sharedKey().ID {
		t.Errorf("New with a signing key signs with %q, not it", srv.key.ID)
	}
	if srv.key.ID == sharedKey().ID || srv.key.Private.N.BitLen() != 2048 {
		t.Errorf("a pool without a signing key signs with %q of %d bits", srv.key.ID, srv.key.Private.N.BitLen())
	}
}
