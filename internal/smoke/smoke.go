// Package smoke signs up, signs in and calls every endpoint against a running stage, local or
// deployed: two users sign up or are created by an administrator, sign in
// (answering NEW_PASSWORD_REQUIRED), call every endpoint, upload and list a
// photo through presigned URLs, prove that neither sees the other's data,
// that refused tokens are refused, and that identity-pool callers reach
// their own todos over SigV4. It prints one line per check and deletes what
// it created.
package smoke

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/portcullis-cdk/portcullis/contract/userattr"
)

// Target is the stage to check.
type Target struct {
	// Name is printed in the summary: "local", "dev", ...
	Name       string
	Region     string
	APIURL     string
	UserPoolID string
	// ClientID is the SPA client, whose tokens the API accepts.
	ClientID       string
	IdentityPoolID string
	// Cognito is a user pool client with administrator rights (sign-up
	// confirmation, user creation and deletion, a temporary app client).
	Cognito *cip.Client
	// Identity reaches the identity pool (GetId, GetCredentialsForIdentity).
	Identity *cognitoidentity.Client
	// TodosTable and PhotosBucket are reached directly with identity-pool
	// credentials; DynamoDBEndpoint and S3Endpoint are the local servers,
	// empty for AWS's own.
	TodosTable, PhotosBucket     string
	DynamoDBEndpoint, S3Endpoint string
	// SignIn signs a user in through an app client, answering the
	// challenges Cognito asks (password verifier, new password, MFA).
	SignIn SignIn
	// Code returns the last code the user pool sent a user, as the user
	// would read it in their inbox; nil where the run cannot read it (a
	// deployed stage), and the password reset check is then skipped.
	Code func(ctx context.Context, username string) (string, error)
	// HostedUI signs users in on the stage's Cognito domain with the code
	// grant and PKCE, as the SPA does; nil skips that check. Its Now and
	// HTTP are set by the run.
	HostedUI *HostedUI
	// AdvanceClock moves the stage's clock; nil where it cannot (a deployed
	// stage), and the expired-token check is then skipped.
	AdvanceClock func(context.Context, time.Duration) error
	// EmailDomain of the users it creates. Default: example.com.
	EmailDomain string
	// HTTP client for the API and presigned URLs. Default: 30s timeout.
	HTTP *http.Client
	// Record, when set, receives every secret and personal value the run
	// makes (passwords, tokens, email addresses, phone numbers), for a test
	// that proves none reaches a log.
	Record func(what, value string)
}

// SignIn returns the tokens of a user signed in through clientID.
// newPassword answers NEW_PASSWORD_REQUIRED.
type SignIn func(ctx context.Context, c *cip.Client, clientID, username, password, newPassword string) (Tokens, error)

// Tokens are a user pool sign-in's tokens.
type Tokens struct {
	Access, ID, Refresh string
}

// Result counts the checks of a run.
type Result struct {
	Passed, Failed, Skipped int
}

// run is one smoke run's state.
type run struct {
	t   Target
	ctx context.Context
	out io.Writer
	res Result
	// skew is how far the run has moved the stage's clock: signatures are
	// dated by the stage's clock, as a client in sync with it would.
	skew time.Duration
	// cleanup runs last to first.
	cleanup []func(context.Context) error
}

// Run runs every check against t, printing a line for each to out, and
// returns an error if any failed.
func Run(ctx context.Context, t Target, out io.Writer) (Result, error) {
	if t.EmailDomain == "" {
		t.EmailDomain = "example.com"
	}
	if t.HTTP == nil {
		t.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	r := &run{t: t, ctx: ctx, out: out}
	r.all()
	r.check("everything the run created is deleted", r.cleanUp)
	fmt.Fprintf(out, "%d passed, %d failed, %d skipped\n", r.res.Passed, r.res.Failed, r.res.Skipped)
	if r.res.Failed > 0 {
		return r.res, fmt.Errorf("%d of %d checks failed against %s", r.res.Failed, r.res.Passed+r.res.Failed, t.Name)
	}
	return r.res, nil
}

// check runs f and prints its outcome; it returns whether f passed.
func (r *run) check(name string, f func() error) bool {
	err := f()
	var skip errSkip
	switch {
	case errors.As(err, &skip):
		r.res.Skipped++
		fmt.Fprintf(r.out, "skip  %s: %s\n", name, skip.why)
		return false
	case err != nil:
		r.res.Failed++
		fmt.Fprintf(r.out, "FAIL  %s: %v\n", name, err)
		return false
	}
	r.res.Passed++
	fmt.Fprintf(r.out, "ok    %s\n", name)
	return true
}

type errSkip struct{ why string }

func (e errSkip) Error() string { return "skipped: " + e.why }

func (r *run) defer_(f func(context.Context) error) { r.cleanup = append(r.cleanup, f) }

// cleanUp deletes what the run created, even after a failed or cancelled
// check, and reports what it could not delete.
func (r *run) cleanUp() error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), time.Minute)
	defer cancel()
	var failed []error
	for i := len(r.cleanup) - 1; i >= 0; i-- {
		if err := r.cleanup[i](ctx); err != nil {
			failed = append(failed, err)
		}
	}
	return errors.Join(failed...)
}

// user is a user the run created.
type user struct {
	name     string // "A", "B"
	email    string
	password string
	tokens   Tokens
	sub      string
}

func (r *run) newEmail(label string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("smoke-%s-%s@%s", strings.ToLower(label), hex.EncodeToString(b), r.t.EmailDomain)
}

// password meets any policy of the stage: upper, lower, digit, symbol, 20+ characters.
func password() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "Sm0ke!" + hex.EncodeToString(b)
}

func (r *run) deleteUser(u *user) {
	r.defer_(func(ctx context.Context) error {
		_, err := r.t.Cognito.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &r.t.UserPoolID, Username: aws.String(u.email)})
		if err != nil {
			return fmt.Errorf("user %s: %w", u.email, err)
		}
		return nil
	})
}

// record hands a secret to Target.Record.
func (r *run) record(what, value string) {
	if r.t.Record != nil && value != "" {
		r.t.Record(what, value)
	}
}

// phoneNumber is a random E.164 number in the +1 555 area code, which is
// assigned to no subscriber.
func phoneNumber() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("+1555%07d", (uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8|uint32(b[3]))%10_000_000)
}

// roleIsAProfileField: custom:role_name is a job title users set
// themselves (authorization roles are Cognito groups); GetUser shows it.
func (r *run) roleIsAProfileField(a *user) {
	t := r.t
	r.check("user A sets their own custom:role_name (a job title)", func() error {
		role := []ciptypes.AttributeType{{Name: aws.String(userattr.RoleName.Key()), Value: aws.String("Tester")}}
		if _, err := t.Cognito.UpdateUserAttributes(r.ctx, &cip.UpdateUserAttributesInput{AccessToken: &a.tokens.Access, UserAttributes: role}); err != nil {
			return fmt.Errorf("UpdateUserAttributes custom:role_name: %w", err)
		}
		out, err := t.Cognito.GetUser(r.ctx, &cip.GetUserInput{AccessToken: &a.tokens.Access})
		if err != nil {
			return err
		}
		for _, at := range out.UserAttributes {
			if aws.ToString(at.Name) == userattr.RoleName.Key() && aws.ToString(at.Value) == "Tester" {
				return nil
			}
		}
		return fmt.Errorf("GetUser after setting custom:role_name: %v", out.UserAttributes)
	})
}

func (r *run) all() {
	a := &user{name: "A", email: r.newEmail("a"), password: password()}
	b := &user{name: "B", email: r.newEmail("b"), password: password()}
	if r.createUsers(a, b) && r.signIn(a, b) {
		r.flows(a, b)
	}
}

// createUsers makes A by sign-up and B by an administrator.
func (r *run) createUsers(a, b *user) bool {
	t := r.t
	initial, phone := password(), phoneNumber()
	for what, v := range map[string]string{"email A": a.email, "password A": a.password, "email B": b.email,
		"password B": b.password, "temporary password B": initial, "phone B": phone} {
		r.record(what, v)
	}
	signedUp := r.check("user A signs up  and an administrator confirms it", func() error {
		_, err := t.Cognito.SignUp(r.ctx, &cip.SignUpInput{
			ClientId: &t.ClientID, Username: &a.email, Password: &a.password,
			UserAttributes: []ciptypes.AttributeType{
				{Name: aws.String(userattr.Email), Value: &a.email},
				{Name: aws.String(userattr.Name), Value: aws.String("Smoke A")},
				{Name: aws.String(userattr.Company.Key()), Value: aws.String("ACME")},
			},
		})
		if err != nil {
			return err
		}
		r.deleteUser(a)
		_, err = t.Cognito.AdminConfirmSignUp(r.ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &t.UserPoolID, Username: &a.email})
		return err
	})
	created := r.check("user B is created by an administrator with a temporary password", func() error {
		_, err := t.Cognito.AdminCreateUser(r.ctx, &cip.AdminCreateUserInput{
			UserPoolId: &t.UserPoolID, Username: &b.email,
			TemporaryPassword: &initial,
			MessageAction:     ciptypes.MessageActionTypeSuppress,
			// A verified phone number too: no code is sent, and a phone
			// number is personal data the logs must not show.
			UserAttributes: []ciptypes.AttributeType{
				{Name: aws.String(userattr.Email), Value: &b.email},
				{Name: aws.String(userattr.EmailVerified), Value: aws.String("true")},
				{Name: aws.String(userattr.PhoneNumber), Value: &phone},
				{Name: aws.String(userattr.PhoneVerified), Value: aws.String("true")},
			},
		})
		if err == nil {
			r.deleteUser(b)
		}
		return err
	})
	return signedUp && created
}

// signIn signs both users in, B through NEW_PASSWORD_REQUIRED with a
// temporary password the run sets (known to it, unlike the first).
func (r *run) signIn(a, b *user) bool {
	t := r.t
	temp := password()
	r.record("temporary password B", temp)
	if !r.check("user B's temporary password is set", func() error {
		_, err := t.Cognito.AdminSetUserPassword(r.ctx, &cip.AdminSetUserPasswordInput{
			UserPoolId: &t.UserPoolID, Username: &b.email, Password: &temp, Permanent: false,
		})
		return err
	}) {
		return false
	}
	okA := r.check("user A signs in", func() (err error) {
		a.tokens, err = t.SignIn(r.ctx, t.Cognito, t.ClientID, a.email, a.password, "")
		return err
	})
	okB := r.check("user B signs in and answers NEW_PASSWORD_REQUIRED", func() (err error) {
		b.tokens, err = t.SignIn(r.ctx, t.Cognito, t.ClientID, b.email, temp, b.password)
		return err
	})
	if !okA || !okB {
		return false
	}
	for _, tk := range []Tokens{a.tokens, b.tokens} {
		r.record("access token", tk.Access)
		r.record("ID token", tk.ID)
		r.record("refresh token", tk.Refresh)
	}
	a.sub, _ = claim(a.tokens.Access, "sub")
	b.sub, _ = claim(b.tokens.Access, "sub")
	return true
}

// flows are the checks of the signed-in users, one concern each.
func (r *run) flows(a, b *user) {
	r.roleIsAProfileField(a)
	r.profileEdit(a)
	r.passwordReset(b)
	r.endpoints(a)
	r.hostedUI(a)
	todo := r.todos(a)
	photo := r.photos(a)
	r.isolation(a, b, todo, photo)
	r.refusedTokens(a)
	r.iamRoutes(a, b)
	r.expiredToken(a)
}
