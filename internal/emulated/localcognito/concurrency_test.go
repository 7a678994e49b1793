package localcognito

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// TestConcurrency runs whole sign-up-to-sign-out journeys side by side,
// and races sign-ups for one email address: exactly one may win. Run it
// with -race.
func TestConcurrency(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.UsernameAttributes = []string{"email"} })
	const users = 12
	var wg sync.WaitGroup
	errs := make(chan error, users*2)
	for i := range users {
		wg.Go(func() {
			email := fmt.Sprintf("user%d@example.com", i)
			if _, err := f.idp.SignUp(f.ctx, &cip.SignUpInput{ClientId: aws.String(publicID), Username: aws.String(email), Password: aws.String(goodPassword)}); err != nil {
				errs <- fmt.Errorf("%s: SignUp: %w", email, err)
				return
			}
			code, _ := f.srv.Code(email)
			if _, err := f.idp.ConfirmSignUp(f.ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(publicID), Username: aws.String(email), ConfirmationCode: aws.String(code)}); err != nil {
				errs <- fmt.Errorf("%s: ConfirmSignUp: %w", email, err)
				return
			}
			out, err := f.passwordAuth(publicID, email, goodPassword)
			if err != nil {
				errs <- fmt.Errorf("%s: InitiateAuth: %w", email, err)
				return
			}
			res := out.AuthenticationResult
			me, err := f.idp.GetUser(f.ctx, &cip.GetUserInput{AccessToken: res.AccessToken})
			if err != nil {
				errs <- fmt.Errorf("%s: GetUser: %w", email, err)
				return
			}
			if got, _ := attrValue(me.UserAttributes, "email"); got != email {
				errs <- fmt.Errorf("%s: GetUser returned %s", email, got)
			}
			if _, err := f.refresh(publicID, aws.ToString(res.RefreshToken)); err != nil {
				errs <- fmt.Errorf("%s: refresh: %w", email, err)
			}
			if _, err := f.idp.GlobalSignOut(f.ctx, &cip.GlobalSignOutInput{AccessToken: res.AccessToken}); err != nil {
				errs <- fmt.Errorf("%s: GlobalSignOut: %w", email, err)
			}
		})
	}
	var won atomic.Int32
	for range users {
		wg.Go(func() {
			_, err := f.idp.SignUp(f.ctx, &cip.SignUpInput{ClientId: aws.String(publicID), Username: aws.String("Contested@example.com"), Password: aws.String(goodPassword)})
			if err == nil {
				won.Add(1)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := won.Load(); n != 1 {
		t.Errorf("%d sign-ups took one email address, want 1", n)
	}
	out, err := f.idp.ListUsers(f.ctx, &cip.ListUsersInput{UserPoolId: aws.String(testPoolID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Users) != users+1 {
		t.Errorf("%d users, want %d", len(out.Users), users+1)
	}
}
