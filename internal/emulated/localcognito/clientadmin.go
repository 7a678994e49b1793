package localcognito

import (
	"context"
	"crypto/rand"
	"time"
)

// createUserPoolClientInput is the part of CreateUserPoolClient the local
// pool honours: a client of the API flows with its token lifetimes.
type createUserPoolClientInput struct {
	UserPoolID           string            `json:"UserPoolId"`
	ClientName           string            `json:"ClientName"`
	GenerateSecret       bool              `json:"GenerateSecret"`
	ExplicitAuthFlows    []string          `json:"ExplicitAuthFlows"`
	AccessTokenValidity  int               `json:"AccessTokenValidity"`
	IDTokenValidity      int               `json:"IdTokenValidity"`
	RefreshTokenValidity int               `json:"RefreshTokenValidity"`
	TokenValidityUnits   map[string]string `json:"TokenValidityUnits"`
}

type userPoolClient struct {
	UserPoolID           string            `json:"UserPoolId"`
	ClientName           string            `json:"ClientName"`
	ClientID             string            `json:"ClientId"`
	ClientSecret         string            `json:"ClientSecret,omitempty"`
	ExplicitAuthFlows    []string          `json:"ExplicitAuthFlows"`
	AccessTokenValidity  int               `json:"AccessTokenValidity"`
	IDTokenValidity      int               `json:"IdTokenValidity"`
	RefreshTokenValidity int               `json:"RefreshTokenValidity"`
	TokenValidityUnits   map[string]string `json:"TokenValidityUnits"`
	CreationDate         float64           `json:"CreationDate"`
	LastModifiedDate     float64           `json:"LastModifiedDate"`
}

// Cognito's defaults: hours for access and ID tokens, days for refresh.
var validityUnits = map[string]time.Duration{"seconds": time.Second, "minutes": time.Minute, "hours": time.Hour, "days": 24 * time.Hour}

func validity(n int, units map[string]string, key, def string) (time.Duration, error) {
	if n == 0 {
		return 0, nil
	}
	unit := units[key]
	if unit == "" {
		unit = def
	}
	d, ok := validityUnits[unit]
	if !ok {
		return 0, invalidParameter("Invalid TokenValidityUnits.%s %q", key, unit)
	}
	return time.Duration(n) * d, nil
}

// createUserPoolClient adds an app client, as a platform team or the smoke
// run adds one next to the stage's own.
func (s *Server) createUserPoolClient(_ context.Context, in createUserPoolClientInput) (struct {
	UserPoolClient userPoolClient `json:"UserPoolClient"`
}, error) {
	var out struct {
		UserPoolClient userPoolClient `json:"UserPoolClient"`
	}
	if err := s.checkPool(in.UserPoolID); err != nil {
		return out, err
	}
	var v validation
	v.required("clientName", in.ClientName)
	v.check(len(in.ClientName) <= 128, "clientName", "Member must have length less than or equal to 128")
	if err := v.err(); err != nil {
		return out, err
	}
	c := Client{ID: randomClientID(), Name: in.ClientName, ExplicitAuthFlows: in.ExplicitAuthFlows}
	var err error
	if c.AccessTokenValidity, err = validity(in.AccessTokenValidity, in.TokenValidityUnits, "AccessToken", "hours"); err != nil {
		return out, err
	}
	if c.IDTokenValidity, err = validity(in.IDTokenValidity, in.TokenValidityUnits, "IdToken", "hours"); err != nil {
		return out, err
	}
	if c.RefreshTokenValidity, err = validity(in.RefreshTokenValidity, in.TokenValidityUnits, "RefreshToken", "days"); err != nil {
		return out, err
	}
	if in.GenerateSecret {
		c.Secret = randomString(51)
	}
	if err := c.normalize(); err != nil {
		return out, invalidParameter("%v", err)
	}
	_ = s.clients.change(func(byID map[string]*Client) error {
		byID[c.ID] = &c
		return nil
	})
	now := float64(s.now().Unix())
	out.UserPoolClient = userPoolClient{
		UserPoolID: s.id, ClientName: c.Name, ClientID: c.ID, ClientSecret: c.Secret,
		ExplicitAuthFlows:    c.ExplicitAuthFlows,
		AccessTokenValidity:  int(c.AccessTokenValidity / time.Minute),
		IDTokenValidity:      int(c.IDTokenValidity / time.Minute),
		RefreshTokenValidity: int(c.RefreshTokenValidity / time.Minute),
		TokenValidityUnits:   map[string]string{"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "minutes"},
		CreationDate:         now, LastModifiedDate: now,
	}
	return out, nil
}

type deleteUserPoolClientInput struct {
	UserPoolID string `json:"UserPoolId"`
	ClientID   string `json:"ClientId"`
}

// deleteUserPoolClient removes an app client; its tokens stop refreshing.
func (s *Server) deleteUserPoolClient(_ context.Context, in deleteUserPoolClientInput) (empty, error) {
	if err := s.checkPool(in.UserPoolID); err != nil {
		return empty{}, err
	}
	if _, err := s.client(in.ClientID); err != nil {
		return empty{}, err
	}
	_ = s.clients.change(func(byID map[string]*Client) error {
		delete(byID, in.ClientID)
		return nil
	})
	return empty{}, nil
}

const clientAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// randomClientID has the form of Cognito's: 26 lower-case letters and digits.
func randomClientID() string { return randomString(26) }

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = clientAlphabet[int(b[i])%len(clientAlphabet)]
	}
	return string(b)
}
