package localcognito

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// TestStateSurvivesARestart: a pool loaded with another's saved state signs
// with its key and signs its users in with their passwords, under the same
// sub; a file of another version changes nothing.
func TestStateSurvivesARestart(t *testing.T) {
	first := newFixture(t, nil)
	first.confirmedUser("ana", "ana@example.com", "custom:company", "Acme")
	if err := first.srv.users.addGroup(storedGroup{Group: Group{Name: "admins"}}); err != nil {
		t.Fatal(err)
	}
	if err := first.srv.users.setMembership(byName("ana"), "admins", true); err != nil {
		t.Fatal(err)
	}
	before := claims(t, *first.signIn("ana", goodPassword).IdToken)
	var saved bytes.Buffer
	if err := first.srv.SaveState(&saved); err != nil {
		t.Fatal(err)
	}

	// Its own key, which the saved state replaces.
	second := newFixture(t, func(c *Config) { c.SigningKey = nil })
	if reflect.DeepEqual(second.srv.key.JWK(), first.srv.key.JWK()) {
		t.Fatal("the second pool started with the first one's key")
	}
	if err := second.srv.LoadState(bytes.NewReader(saved.Bytes())); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(second.srv.key.JWK(), first.srv.key.JWK()) {
		t.Error("the restored pool signs with another key")
	}
	after := claims(t, *second.signIn("ana", goodPassword).IdToken)
	if after["sub"] != before["sub"] || after["custom:company"] != "Acme" || after["email_verified"] != true ||
		!reflect.DeepEqual(after["cognito:groups"], []any{"admins"}) {
		t.Errorf("restored user's claims %v, before %v", after, before)
	}
	if _, err := second.passwordAuth(publicID, "ana", "Wrong-Horse-9"); err == nil {
		t.Error("a wrong password signed the restored user in")
	}

	third := newFixture(t, nil)
	err := third.srv.LoadState(strings.NewReader(strings.Replace(saved.String(), `"version": 1`, `"version": 99`, 1)))
	if err == nil || !strings.Contains(err.Error(), "version 99") {
		t.Errorf("LoadState of version 99: %v", err)
	}
	if _, err := third.passwordAuth(publicID, "ana", goodPassword); err == nil {
		t.Error("a refused state file added its users")
	}
}
