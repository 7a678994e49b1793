package browser

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/chromedp/chromedp"

	"github.com/portcullis-cdk/portcullis/internal/devstack"
	"github.com/portcullis-cdk/portcullis/internal/protocol/totp"
)

// TestJourney is the whole user journey of the dev stage in a browser:
// sign up, confirm with the code the stack sent, sign in, todos, the
// profile with a phone number, a passkey, codes by email and SMS, an
// authenticator, a photo, a password reset, sign out.
func TestJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser journey takes a while")
	}
	// Most of a journey is waiting (for pages, for the next TOTP period):
	// the two journeys, each with its own stack and browser, wait together.
	t.Parallel()
	started := time.Now()
	log := &codes{}
	stack, origin := startStack(t, log, "")
	b := newBrowser(t, "journey")

	email := "browser.user@example.com"
	phone := "+14155550142"
	password := "Journey-password-1!"
	newPassword := "Journey-password-2?"

	// Sign up with email, then confirm with the code.
	b.do("open the app", chromedp.Navigate(origin+"/"))
	b.screen("home")
	b.do("go to sign-up", click(`a[href="/signup"]`))
	b.do("fill the sign-up form",
		fill(`#f-username`, email), fill(`#f-password`, password),
		fill(`#f-name`, "Browser User"), fill(`#f-company`, "Acme"))
	b.screen("signup")
	sent := log.count(email)
	b.do("sign up", click(`#signup-form button[type=submit]`))
	b.screen("confirm")
	code := log.next(t, email, sent)
	b.do("confirm", fill(`#f-code`, code), click(`#confirm-form button[type=submit]`))
	b.waitScreen("home")
	b.waitText("main", "confirmed")

	// Sign in through the hosted UI (authorization code + PKCE).
	b.do("hosted sign-in", click(`#hosted-sign-in`))
	b.do("the hosted sign-in page", fill(`#signInFormUsername`, email), fill(`#signInFormPassword`, password))
	b.saveShot("hosted-ui-sign-in")
	b.do("sign in at the hosted UI", click(`button[name=signInSubmitButton]`))
	b.waitScreen("todos")
	if loc := value(b, "location", chromedp.Location()); loc != origin+"/todos" {
		t.Errorf("after the callback the address is %s, want %s/todos (no code left in it)", loc, origin)
	}

	// The tokens live in the tab's sessionStorage, never localStorage.
	if n := eval[int](b, `localStorage.length`); n != 0 {
		t.Errorf("localStorage holds %d items after sign-in, want none", n)
	}

	// Todos: create, edit, complete, delete.
	b.screen("todos")
	b.do("add a todo", fill(`#todo-form input[name=title]`, "Buy milk"), click(`#todo-form button[type=submit]`))
	b.waitText("#todo-list", "Buy milk")
	b.do("add a second todo", fill(`#todo-form input[name=title]`, "Water the plants"), click(`#todo-form button[type=submit]`))
	b.waitText("#todo-list", "Water the plants")
	b.saveShot("todos-added")
	b.do("edit the first", click(`#todo-list li:last-child button.edit`),
		fill(`#todo-list li:last-child .edit-form input`, "Buy oat milk"),
		click(`#todo-list li:last-child .edit-form button[type=submit]`))
	b.waitText("#todo-list li:last-child .title", "Buy oat milk")
	b.do("complete it", click(`#todo-list li:last-child input.toggle`))
	b.do("wait for done", chromedp.WaitVisible(chromedp.CSS(`#todo-list li.done`)))
	b.saveShot("todos-edited-completed")
	b.do("delete the second", click(`#todo-list li:first-child button.delete`))
	b.do("one todo left", chromedp.WaitNotPresent(chromedp.CSS(`#todo-list li:nth-child(2)`)))
	if got := b.text("#todo-list"); strings.Contains(got, "Water the plants") || !strings.Contains(got, "Buy oat milk") {
		t.Fatalf("todos after delete: %q", got)
	}
	// The list comes from the API: a reload shows the same.
	b.do("reload todos", chromedp.Reload())
	b.waitText("#todo-list", "Buy oat milk")
	b.saveShot("todos-after-reload")

	// Profile: view, edit the name and company, add a phone number (in
	// effect once its code is back), refresh the session.
	b.do("go to profile", click(`nav a[href="/profile"]`))
	b.screen("profile")
	if got := b.text("#profile-facts"); !strings.Contains(got, email) || !strings.Contains(got, "Acme") {
		t.Fatalf("profile shows %q, want the email and the company", got)
	}
	sent = log.count(phone)
	b.do("edit the profile", fill(`#f-name`, "Browser User Renamed"), fill(`input[name="custom:company"]`, "Initech"),
		fill(`#f-phone_number`, phone), click(`#profile-form button[type=submit]`))
	b.waitText("#verify", "confirm the new phone_number")
	b.do("verify the phone number", fill(`.verify-form input[name=code]`, log.next(t, phone, sent)), click(`.verify-form button[type=submit]`))
	b.waitText("main", "Your phone number is verified.")
	b.waitText("#profile-facts", phone+" (verified)")
	b.waitText("#profile-facts", "Initech")
	if name := eval[string](b, `document.querySelector("#f-name").value`); name != "Browser User Renamed" {
		t.Errorf("name after save: %q", name)
	}
	b.saveShot("profile-edited")
	// The SPA client rotates refresh tokens: oidc-client-ts keeps the one
	// the token endpoint's refresh_token grant returned.
	rotated := sessionRefreshToken(b)
	b.do("refresh the session", click(`#refresh-session`))
	b.waitText("main", "Your session was refreshed.")
	if sessionRefreshToken(b) == rotated {
		t.Error("after a refresh the tab holds the refresh token it refreshed with, want the rotated one")
	}

	// Without a password: a passkey added on the profile (before an
	// authenticator app: Cognito offers neither passkeys nor codes to a
	// user with MFA), then a code by email and one by SMS. The custom UI's
	// session then refreshes with GetTokensFromRefreshToken and keeps the
	// rotated token.
	passkeyJourney(t, b, email)
	codeJourney(t, b, log, email, "#signin-code", email)
	signOut(b)
	b.do("go to sign-in", click(`a[href="/signin"]`))
	codeJourney(t, b, log, email, "#signin-sms", phone)
	b.do("go to profile", click(`nav a[href="/profile"]`))
	b.waitScreen("profile")
	rotated = sessionRefreshToken(b)
	b.do("refresh the code's session", click(`#refresh-session`))
	b.waitText("main", "Your session was refreshed.")
	if sessionRefreshToken(b) == rotated {
		t.Error("after the custom UI's refresh the tab holds the refresh token it refreshed with, want the rotated one")
	}

	// An authenticator app from the profile (the dev stage's MFA is
	// optional): from now on sign-ins ask for its code.
	b.do("set up an authenticator", click(`a[href="/profile/mfa"]`))
	b.screen("mfa")
	secret := b.text("#totp-secret")
	var lastCode time.Time
	enterTOTP(b, secret, &lastCode, "#mfa-form")
	b.waitText("main", "Your authenticator app is set up")
	b.waitText("#profile-facts", "Authenticator (TOTP)on")
	b.saveShot("profile-totp-on")
	// The next sign-in waits for the authenticator's next code: the
	// photos take that time.
	photos(t, b)

	// Sign out: the refresh token is revoked, the tab holds no token.
	refresh := sessionRefreshToken(b)
	signOut(b)
	b.do("profile after sign-out", chromedp.Navigate(origin+"/profile"))
	b.screen("signin")
	assertRefused(t, stack, refresh)

	// Forgot password: reset with the code, sign in with the new one.
	b.do("go to forgot", click(`a[href="/forgot"]`))
	b.do("ask for a code", fill(`#f-username`, email))
	b.screen("forgot")
	sent = log.count(email)
	b.do("send the code", click(`#forgot-form button[type=submit]`))
	b.screen("reset")
	code = log.next(t, email, sent)
	b.do("reset", fill(`#f-username`, email), fill(`#f-code`, code), fill(`#f-password`, newPassword), click(`#reset-form button[type=submit]`))
	b.waitText("main", "Your password is changed")
	signIn(b, email, newPassword)
	b.screen("totp")
	enterTOTP(b, secret, &lastCode, "#totp-form")
	b.waitScreen("todos")
	b.waitText("#todo-list", "Buy oat milk")
	signOut(b)
	b.check("end")
	t.Logf("browser journey: %s", time.Since(started).Round(100*time.Millisecond))
}

// photos uploads a photo with progress, sees it in the gallery and
// deletes it.
func photos(t *testing.T, b *browser) {
	photo := filepath.Join(t.TempDir(), "sunset.png")
	if err := os.WriteFile(photo, pngBytes(t), 0o644); err != nil {
		t.Fatal(err)
	}
	b.do("go to photos", click(`nav a[href="/photos"]`))
	b.screen("photos")
	b.do("choose a photo", chromedp.SetUploadFiles(chromedp.CSS(`#f-file`), []string{photo}), fill(`#f-caption`, "Sunset"))
	b.do("upload", click(`#photo-form button[type=submit]`))
	b.waitText("#upload-status", "Uploaded.")
	b.waitText("#gallery", "Sunset")
	value(b, "wait for the image", chromedp.Poll[bool](`(() => { const i = document.querySelector("#gallery img"); return !!i && i.complete && i.naturalWidth > 0 })()`, chromedp.WithPollingTimeout(15*time.Second)))
	if progress := eval[float64](b, `document.querySelector("#upload-progress").value`); progress != 1 {
		t.Errorf("upload progress ended at %v, want 1", progress)
	}
	b.saveShot("photos-uploaded")
	b.do("delete the photo", click(`#gallery li button.delete`))
	b.waitText("#gallery", "No photos yet.")
}

// signIn signs in with the app's own form (SRP); the caller waits for
// the screen that follows (todos, or a TOTP step).
func signIn(b *browser, username, password string) {
	b.t.Helper()
	b.do("go to sign-in", click(`a[href="/signin"]`))
	b.do("fill sign-in", fill(`#f-username`, username), fill(`#f-password`, password))
	b.screen("signin")
	b.do("sign in", click(`#signin-form button[type=submit]`))
}

// enterTOTP submits the authenticator's current code in form. The pool
// takes each code once, so after a code used at *last it waits for the
// next period.
func enterTOTP(b *browser, secret string, last *time.Time, form string) {
	b.t.Helper()
	now := time.Now()
	if !last.IsZero() && now.Before(totp.NextPeriod(*last)) {
		time.Sleep(time.Until(totp.NextPeriod(*last)))
		now = time.Now()
	}
	code, err := totp.Code(secret, now)
	if err != nil {
		b.t.Fatalf("the secret the app showed (%q): %v", secret, err)
	}
	*last = now
	b.do("enter the TOTP code", fill(form+` input[name=code]`, code), click(form+` button[type=submit]`))
}

func signOut(b *browser) {
	b.t.Helper()
	b.do("sign out", click(`#sign-out`))
	b.screen("home")
	if left := eval[string](b, `Object.keys(sessionStorage).filter(k => /token|oidc\.user|portcullis/i.test(k)).join(",")`); left != "" {
		b.t.Errorf("after sign-out the tab still holds %s", left)
	}
}

// sessionRefreshToken reads the refresh token the tab holds (from the test
// only, never the app's logs).
func sessionRefreshToken(b *browser) string {
	b.t.Helper()
	tok := eval[string](b, `(() => {
  for (const k of Object.keys(sessionStorage)) {
    if (k === "portcullis.tokens") return JSON.parse(sessionStorage.getItem(k)).refresh || "";
    if (k.startsWith("oidc.user:")) return JSON.parse(sessionStorage.getItem(k)).refresh_token || "";
  }
  return "";
})()`)
	if tok == "" {
		b.t.Fatal("the signed-in tab holds no refresh token")
	}
	return tok
}

// pngBytes is a small real PNG (a gradient), so the gallery has something
// to decode.
func pngBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 320; x++ {
			img.Set(x, y, color.RGBA{uint8(200 + y/4), uint8(80 + x/4), uint8(60 + y/2), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// assertRefused checks that the user pool refuses a refresh token the app
// revoked at sign-out.
func assertRefused(t *testing.T, stack *devstack.Stack, refreshToken string) {
	t.Helper()
	_, err := stack.CognitoClient().GetTokensFromRefreshToken(context.Background(), &cip.GetTokensFromRefreshTokenInput{
		ClientId: aws.String(stack.Info.SPAClientID), RefreshToken: aws.String(refreshToken),
	})
	var na *ciptypes.NotAuthorizedException
	if !errors.As(err, &na) {
		t.Fatalf("refreshing with the token revoked at sign-out: %v, want NotAuthorizedException", err)
	}
}
