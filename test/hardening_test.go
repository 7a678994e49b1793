package test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/contract/userattr"
	"github.com/portcullis-cdk/portcullis/stage"
)

// TestUsersEditTheirProfileNotTheirVerification: every client has explicit
// attribute lists; users may edit their profile (custom:role_name, a job
// title, included: roles that authorize are groups) and contact channels
// (which Cognito verifies again) but never a verified flag.
func TestUsersEditTheirProfileNotTheirVerification(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		for _, id := range s.template.ofType("AWS::Cognito::UserPoolClient") {
			p := s.template.Resources[id].Properties
			read, write := strs(p["ReadAttributes"]), strs(p["WriteAttributes"])
			if len(read) == 0 || len(write) == 0 {
				t.Fatalf("client %s ReadAttributes %v, WriteAttributes %v: empty means every attribute", id, read, write)
			}
			for _, banned := range []string{userattr.EmailVerified, userattr.PhoneVerified} {
				if slices.Contains(write, banned) {
					t.Errorf("client %s lets users write %s", id, banned)
				}
			}
			for _, editable := range []string{userattr.Name, userattr.Company.Key(), userattr.RoleName.Key(), userattr.Email, userattr.PhoneNumber} {
				if !slices.Contains(write, editable) {
					t.Errorf("client %s does not let users edit %s", id, editable)
				}
			}
			if !slices.Contains(read, userattr.RoleName.Key()) || !slices.Contains(read, userattr.EmailVerified) {
				t.Errorf("client %s ReadAttributes %v: users should see their role and whether their email is verified", id, read)
			}
		}
		_, pool := s.template.at(t, "Users/Pool/Resource")
		keep := strs(prop(pool.Properties, "UserAttributeUpdateSettings", "AttributesRequireVerificationBeforeUpdate"))
		if s.config.SignIn != auth.SignInPhone && !slices.Contains(keep, userattr.Email) {
			t.Errorf("a changed email takes effect before it is verified (AttributesRequireVerificationBeforeUpdate %v)", keep)
		}
	})
}

// TestProductionEmailThroughSES: a stage that retains its users sends email
// through its own SES identity; Cognito's default sender is for development.
func TestProductionEmailThroughSES(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		_, pool := s.template.at(t, "Users/Pool/Resource")
		email := prop(pool.Properties, "EmailConfiguration")
		e := s.config.Email
		if e == nil {
			if s.config.Removal == stage.Retain {
				t.Fatal("a stage that retains its users has no SES sender")
			}
			if acct := prop(email, "EmailSendingAccount"); email != nil && acct != "COGNITO_DEFAULT" {
				t.Errorf("EmailSendingAccount %v without an SES sender", acct)
			}
			return
		}
		if prop(email, "EmailSendingAccount") != "DEVELOPER" || !strings.Contains(js(prop(email, "From")), e.From) {
			t.Errorf("EmailConfiguration %s, want DEVELOPER sending from %s", js(email), e.From)
		}
		identity := e.VerifiedIdentity
		if identity == "" {
			identity = e.From
		}
		if arn := js(prop(email, "SourceArn")); !strings.Contains(arn, ":ses:"+e.Region+":") || !strings.Contains(arn, ":identity/"+identity) {
			t.Errorf("SourceArn %s, want the SES identity %s in %s", arn, identity, e.Region)
		}
	})
	if stages["prod"].config.Email == nil {
		t.Error("prod has no SES sender")
	}
}

// TestAuthSessionLongEnoughForMFA: a first sign-in in a stage that requires
// MFA enrols TOTP within one auth session, which Cognito starts at 3 minutes.
func TestAuthSessionLongEnoughForMFA(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		want := s.config.AuthSessionValidity
		if want == 0 {
			want = 10 * time.Minute
		}
		for _, id := range s.template.ofType("AWS::Cognito::UserPoolClient") {
			got := s.template.Resources[id].Properties["AuthSessionValidity"]
			if got != want.Minutes() {
				t.Errorf("client %s AuthSessionValidity = %v, want %v minutes", id, got, want.Minutes())
			}
			if m, _ := got.(float64); s.config.MFA == auth.MFARequired && m < 10 {
				t.Errorf("client %s: %v minutes to enrol TOTP at first sign-in; want at least 10", id, m)
			}
		}
	})
}

// TestSMSOnlyWhereUsed: a pool that cannot send SMS (email sign-in, TOTP
// only) has no SMS configuration or role; where SMS is sent, the role may
// publish to phone numbers and no topic.
func TestSMSOnlyWhereUsed(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		_, pool := s.template.at(t, "Users/Pool/Resource")
		sms := s.config.SignIn != auth.SignInEmail
		if got := pool.Properties["SmsConfiguration"] != nil; got != sms {
			t.Errorf("SmsConfiguration present %v, want %v for sign-in %v", got, sms, s.config.SignIn)
		}
		var publishers []string
		for _, id := range s.template.ofType("AWS::IAM::Role") {
			if strings.Contains(js(statements(s.template, id)), "sns:Publish") {
				publishers = append(publishers, id)
			}
		}
		if !sms {
			if len(publishers) > 0 {
				t.Errorf("roles %v may publish to SNS in a pool that sends no SMS", publishers)
			}
			return
		}
		roleID, _ := s.template.at(t, "Users/SMSRole/Resource")
		if !slices.Equal(publishers, []string{roleID}) {
			t.Errorf("roles that may publish to SNS: %v, want only the SMS role", publishers)
		}
		var denied bool
		for _, st := range statements(s.template, roleID) {
			if prop(st, "Effect") == "Deny" && prop(st, "Action") == "sns:Publish" && strings.Contains(js(prop(st, "Resource")), `":sns:*:*:*"`) {
				denied = true
			}
		}
		if !denied {
			t.Errorf("SMS role %s may publish to topics: %s", roleID, js(statements(s.template, roleID)))
		}
	})
}

// TestDirectAccessBounded: identity-pool callers writing their own todos
// directly may only write the attributes the app defines, and reads must
// project those attributes (DynamoDB fine-grained access control).
func TestDirectAccessBounded(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		roleID, _ := s.template.at(t, "Identity/AuthenticatedRole/Resource")
		var found bool
		for _, st := range statements(s.template, roleID) {
			if !strings.Contains(js(prop(st, "Action")), "dynamodb:") {
				continue
			}
			found = true
			if got := js(prop(st, "Condition", "ForAllValues:StringEquals", "dynamodb:Attributes")); got != js(schema.Todos.Attributes) {
				t.Errorf("dynamodb:Attributes = %s, want %s", got, js(schema.Todos.Attributes))
			}
			if got := prop(st, "Condition", "StringEqualsIfExists", "dynamodb:Select"); got != "SPECIFIC_ATTRIBUTES" {
				t.Errorf("dynamodb:Select = %v, want SPECIFIC_ATTRIBUTES", got)
			}
			if got := js(prop(st, "Condition", "StringEqualsIfExists", "dynamodb:ReturnValues")); got != `["NONE","UPDATED_OLD","UPDATED_NEW"]` {
				t.Errorf("dynamodb:ReturnValues = %s, want NONE, UPDATED_OLD or UPDATED_NEW (ALL_OLD/ALL_NEW would return unlisted attributes)", got)
			}
		}
		if !found {
			t.Error("identity role has no DynamoDB statement")
		}
	})
}
