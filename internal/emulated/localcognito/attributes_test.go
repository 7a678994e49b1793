package localcognito

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// withAttributeLists gives both clients Portcullis' lists: users edit their
// profile and contact channels, read everything including their role, and
// only an administrator sets custom:role_name.
func withAttributeLists(keepOriginal bool) func(*Config) {
	return func(c *Config) {
		for i := range c.Clients {
			c.Clients[i].ReadAttributes = []string{"email", "email_verified", "phone_number", "phone_number_verified", "name", "custom:company", "custom:role_name"}
			c.Clients[i].WriteAttributes = []string{"email", "phone_number", "name", "custom:company"}
		}
		if keepOriginal {
			c.KeepOriginal = []string{"email"}
		}
	}
}

func (f *fixture) getUser(token string) map[string]string {
	f.t.Helper()
	out, err := f.idp.GetUser(f.ctx, &cip.GetUserInput{AccessToken: aws.String(token)})
	if err != nil {
		f.t.Fatalf("GetUser: %v", err)
	}
	m := map[string]string{}
	for _, a := range out.UserAttributes {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

func (f *fixture) adminUpdate(username string, kv ...string) error {
	_, err := f.idp.AdminUpdateUserAttributes(f.ctx, &cip.AdminUpdateUserAttributesInput{
		UserPoolId: aws.String(testPoolID), Username: aws.String(username), UserAttributes: attrs(kv...),
	})
	return err
}

// TestUserCannotGrantThemselvesARole: a signed-in user's attempt to set
// custom:role_name, at sign-up or afterwards, is refused as Cognito refuses
// a write outside the client's WriteAttributes; an administrator sets it.
func TestUserCannotGrantThemselvesARole(t *testing.T) {
	f := newFixture(t, withAttributeLists(true))
	_, err := f.idp.SignUp(f.ctx, &cip.SignUpInput{
		ClientId: aws.String(publicID), Username: aws.String("mallory"), Password: aws.String(goodPassword),
		UserAttributes: attrs("email", "mallory@example.com", "custom:role_name", "admin"),
	})
	wantAPIError(t, err, errNotAuthorized, "A client attempted to write unauthorized attribute")

	f.confirmedUser("ada", "ada@example.com", "custom:company", "ACME")
	tokens := f.signIn("ada", goodPassword)
	_, err = f.idp.UpdateUserAttributes(f.ctx, &cip.UpdateUserAttributesInput{
		AccessToken: tokens.AccessToken, UserAttributes: attrs("name", "Ada", "custom:role_name", "admin"),
	})
	wantAPIError(t, err, errNotAuthorized, "A client attempted to write unauthorized attribute")
	if got := f.getUser(aws.ToString(tokens.AccessToken)); got["custom:role_name"] != "" || got["name"] != "" {
		t.Fatalf("a refused update changed the user: %v", got)
	}

	out, err := f.idp.UpdateUserAttributes(f.ctx, &cip.UpdateUserAttributesInput{
		AccessToken: tokens.AccessToken, UserAttributes: attrs("name", "Ada Lovelace", "custom:company", "Analytical"),
	})
	if err != nil || len(out.CodeDeliveryDetailsList) != 0 {
		t.Fatalf("profile update: %v, deliveries %v", err, out)
	}
	if err := f.adminUpdate("ada", "custom:role_name", "Inventor"); err != nil {
		t.Fatalf("AdminUpdateUserAttributes: %v", err)
	}
	got := f.getUser(aws.ToString(tokens.AccessToken))
	if got["name"] != "Ada Lovelace" || got["custom:company"] != "Analytical" || got["custom:role_name"] != "Inventor" {
		t.Errorf("after the updates GetUser shows %v", got)
	}
	refreshed, err := f.refresh(publicID, aws.ToString(tokens.RefreshToken))
	if err != nil {
		t.Fatal(err)
	}
	if id := claims(t, aws.ToString(refreshed.AuthenticationResult.IdToken)); id["custom:role_name"] != "Inventor" {
		t.Errorf("ID token custom:role_name = %v, want the administrator's Inventor", id["custom:role_name"])
	}

	_, err = f.idp.UpdateUserAttributes(f.ctx, &cip.UpdateUserAttributesInput{
		AccessToken: tokens.AccessToken, UserAttributes: attrs("email_verified", "true"),
	})
	wantAPIError(t, err, errNotAuthorized, "unauthorized attribute")
	_, err = f.idp.AdminUpdateUserAttributes(f.ctx, &cip.AdminUpdateUserAttributesInput{
		UserPoolId: aws.String(testPoolID), Username: aws.String("nobody"), UserAttributes: attrs("name", "x"),
	})
	wantAPIError(t, err, errUserNotFound, "User does not exist.")
}

// TestReadAttributesLimitWhatAClientSees: GetUser and the ID token carry
// only what the token's client may read.
func TestReadAttributesLimitWhatAClientSees(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.Clients[0].ReadAttributes = []string{"email", "email_verified"}
	})
	f.confirmedUser("ada", "ada@example.com", "custom:company", "ACME")
	tokens := f.signIn("ada", goodPassword)
	got := f.getUser(aws.ToString(tokens.AccessToken))
	if got["custom:company"] != "" || got["email"] != "ada@example.com" || got["sub"] == "" {
		t.Errorf("GetUser through a client reading email only: %v", got)
	}
	if id := claims(t, aws.ToString(tokens.IdToken)); id["custom:company"] != nil || id["email"] != "ada@example.com" {
		t.Errorf("ID token through a client reading email only: %v", id)
	}
}

// TestChangedEmailIsVerifiedAgain: where the pool keeps originals, a new
// address waits unverified for its code while the old one stays in effect;
// otherwise it takes effect unverified. Either way a code goes to it.
func TestChangedEmailIsVerifiedAgain(t *testing.T) {
	for _, keep := range []bool{true, false} {
		f := newFixture(t, withAttributeLists(keep))
		f.confirmedUser("ada", "ada@example.com")
		tokens := f.signIn("ada", goodPassword)
		out, err := f.idp.UpdateUserAttributes(f.ctx, &cip.UpdateUserAttributesInput{
			AccessToken: tokens.AccessToken, UserAttributes: attrs("email", "ada@new.example"),
		})
		if err != nil {
			t.Fatalf("keep %v: %v", keep, err)
		}
		if len(out.CodeDeliveryDetailsList) != 1 || out.CodeDeliveryDetailsList[0].DeliveryMedium != types.DeliveryMediumTypeEmail ||
			aws.ToString(out.CodeDeliveryDetailsList[0].Destination) != "a***@n***" {
			t.Errorf("keep %v: CodeDeliveryDetailsList %+v, want one email to a***@n***", keep, out.CodeDeliveryDetailsList)
		}
		if m := f.sink.last(t); m.Destination != "ada@new.example" {
			t.Errorf("keep %v: code sent to %s, want the new address", keep, m.Destination)
		}
		got := f.getUser(aws.ToString(tokens.AccessToken))
		want := map[bool][2]string{true: {"ada@example.com", "true"}, false: {"ada@new.example", "false"}}[keep]
		if got["email"] != want[0] || got["email_verified"] != want[1] {
			t.Errorf("keep %v: email %s verified %s, want %s %s", keep, got["email"], got["email_verified"], want[0], want[1])
		}
	}

	f := newFixture(t, withAttributeLists(true))
	f.confirmedUser("ada", "ada@example.com")
	before := len(f.sink.all())
	if err := f.adminUpdate("ada", "email", "ada@corp.example", "email_verified", "true"); err != nil {
		t.Fatal(err)
	}
	tokens := f.signIn("ada", goodPassword)
	if got := f.getUser(aws.ToString(tokens.AccessToken)); got["email"] != "ada@corp.example" || got["email_verified"] != "true" {
		t.Errorf("an administrator's verified address: %v", got)
	}
	if len(f.sink.all()) != before {
		t.Error("a code was sent for an address the administrator marked verified")
	}
}
