package smoke

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/portcullis-cdk/portcullis/contract/userattr"
)

// profileEdit: user A edits their profile (a standard and a custom
// attribute) through the SPA client and reads it back.
func (r *run) profileEdit(a *user) {
	t := r.t
	r.check("user A edits their name and custom:company and reads them back", func() error {
		_, err := t.Cognito.UpdateUserAttributes(r.ctx, &cip.UpdateUserAttributesInput{
			AccessToken: &a.tokens.Access,
			UserAttributes: []ciptypes.AttributeType{
				{Name: aws.String(userattr.Name), Value: aws.String("Smoke A Edited")},
				{Name: aws.String(userattr.Company.Key()), Value: aws.String("ACME Two")},
			},
		})
		if err != nil {
			return fmt.Errorf("UpdateUserAttributes: %w", err)
		}
		out, err := t.Cognito.GetUser(r.ctx, &cip.GetUserInput{AccessToken: &a.tokens.Access})
		if err != nil {
			return fmt.Errorf("GetUser: %w", err)
		}
		got := map[string]string{}
		for _, at := range out.UserAttributes {
			got[aws.ToString(at.Name)] = aws.ToString(at.Value)
		}
		if got[userattr.Name] != "Smoke A Edited" || got[userattr.Company.Key()] != "ACME Two" {
			return fmt.Errorf("GetUser after the edit: name %q, company %q", got[userattr.Name], got[userattr.Company.Key()])
		}
		return nil
	})
}

// passwordReset: user B, whose email address is verified, resets a
// forgotten password with the emailed code and signs in with the new one
// (answering MFA where the stage requires it); the old one stops working.
func (r *run) passwordReset(b *user) {
	t := r.t
	r.check("user B resets a forgotten password with the emailed code", func() error {
		if t.Code == nil {
			return errSkip{"the run cannot read the stage's email"}
		}
		out, err := t.Cognito.ForgotPassword(r.ctx, &cip.ForgotPasswordInput{ClientId: &t.ClientID, Username: &b.email})
		if err != nil {
			return fmt.Errorf("ForgotPassword: %w", err)
		}
		if d := out.CodeDeliveryDetails; d == nil || d.DeliveryMedium != ciptypes.DeliveryMediumTypeEmail {
			return fmt.Errorf("ForgotPassword sent the code by %+v, want email", d)
		}
		code, err := t.Code(r.ctx, b.email)
		if err != nil {
			return err
		}
		next := password()
		r.record("password B", next)
		if _, err := t.Cognito.ConfirmForgotPassword(r.ctx, &cip.ConfirmForgotPasswordInput{
			ClientId: &t.ClientID, Username: &b.email, ConfirmationCode: &code, Password: &next,
		}); err != nil {
			return fmt.Errorf("ConfirmForgotPassword: %w", err)
		}
		old := b.password
		b.password = next
		_, err = t.SignIn(r.ctx, t.Cognito, t.ClientID, b.email, old, "")
		var na *ciptypes.NotAuthorizedException
		if !errors.As(err, &na) {
			return fmt.Errorf("signing in with the old password: %v, want NotAuthorizedException", err)
		}
		tokens, err := t.SignIn(r.ctx, t.Cognito, t.ClientID, b.email, next, "")
		if err != nil {
			return fmt.Errorf("signing in with the new password: %w", err)
		}
		r.record("access token", tokens.Access)
		r.record("ID token", tokens.ID)
		r.record("refresh token", tokens.Refresh)
		return nil
	})
}
