package test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
)

// TestLibraryZeroValuesValidate: a user pool from zero-value props, with
// clients given only the pool and callback URLs (the library's neutral
// defaults: no custom attribute, standard attributes only, no resource
// server), synthesizes and passes CloudFormation's validation, as a team
// adopting the constructs would first try them.
func TestLibraryZeroValuesValidate(t *testing.T) {
	dir := t.TempDir()
	app, err := newApp(dir)
	if err != nil {
		t.Fatal(err)
	}
	stack := awscdk.NewStack(app, jsii.String("adopter"), nil)
	users := auth.NewUserPool(stack, "Users", nil)
	auth.NewAppClients(stack, "Clients", &auth.AppClientsProps{
		UserPool:           users.Pool,
		CallbackURLs:       []string{"https://app.example.com/callback"},
		ServerCallbackURLs: []string{"https://app.example.com/server/callback"},
	})
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("synth: %v", r)
			}
		}()
		app.Synth(nil)
	}()
	got, err := findings(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range got {
		t.Error(f)
	}
}
