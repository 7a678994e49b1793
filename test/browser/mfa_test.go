package browser

import (
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestJourneyMFA runs a stage whose MFA is required (make dev -mfa
// required): a user who signs up with a phone number enrols an
// authenticator at the first sign-in, and each later sign-in asks for its
// code.
func TestJourneyMFA(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser journey takes a while")
	}
	// Most of a journey is waiting (for pages, for the next TOTP period):
	// the two journeys, each with its own stack and browser, wait together.
	t.Parallel()
	started := time.Now()
	log := &codes{}
	_, origin := startStack(t, log, "required")
	b := newBrowser(t, "mfa")

	phone := "+14155550123"
	password := "Mfa-journey-password-1!"

	b.do("open the app", chromedp.Navigate(origin+"/signup"))
	b.do("sign up with a phone number", click(`input[name=kind][value=phone]`),
		fill(`#f-username`, phone), fill(`#f-password`, password), fill(`#f-name`, "Phone User"))
	b.waitScreen("signup")
	b.saveShot("signup-phone")
	sent := log.count(phone)
	b.do("sign up", click(`#signup-form button[type=submit]`))
	b.screen("confirm")
	b.do("confirm", fill(`#f-code`, log.next(t, phone, sent)), click(`#confirm-form button[type=submit]`))
	b.waitText("main", "confirmed")

	// A pool that requires MFA sends no one-time codes: the sign-in page
	// offers passkeys besides the password, and no code. The first
	// sign-in must enrol an authenticator (MFA_SETUP).
	b.do("go to sign-in", click(`a[href="/signin"]`))
	b.screen("signin")
	if got := eval[string](b, `[...document.querySelectorAll("#signin-form button[name=method]")].map((e) => e.id).join(" ")`); got != "signin-passkey" {
		t.Errorf("the sign-in page offers %q, want the passkey only", got)
	}
	b.do("sign in", fill(`#f-username`, phone), fill(`#f-password`, password), click(`#signin-form button[type=submit]`))
	b.screen("mfa-setup")
	secret := b.text("#totp-secret")
	var lastCode time.Time
	enterTOTP(b, secret, &lastCode, "#mfa-setup-form")
	b.screen("todos")
	b.do("add a todo", fill(`#todo-form input[name=title]`, "Signed in with a code"), click(`#todo-form button[type=submit]`))
	b.waitText("#todo-list", "Signed in with a code")
	signOut(b)

	// The next sign-in asks for a code (SOFTWARE_TOKEN_MFA).
	signIn(b, phone, password)
	b.screen("totp")
	enterTOTP(b, secret, &lastCode, "#totp-form")
	b.waitScreen("todos")
	b.waitText("#todo-list", "Signed in with a code")
	b.do("go to profile", click(`nav a[href="/profile"]`))
	b.waitText("#profile-facts", "Authenticator (TOTP)on")
	b.saveShot("profile")
	// The pool offers passkeys, so the profile manages them; where
	// config.json's firstAuthFactors leave WEB_AUTHN out, it does not.
	const passkeySection = `[...document.querySelectorAll("h2")].filter((e) => e.textContent === "Passkeys").length + document.querySelectorAll("#passkey-list, #add-passkey").length`
	if n := eval[int](b, passkeySection); n != 3 {
		t.Errorf("the profile shows %d of the passkey section's heading, list and button, want 3", n)
	}
	withoutFirstFactor(b, "WEB_AUTHN")
	b.do("reload the profile", chromedp.Navigate(origin+"/profile"))
	b.waitText("#profile-facts", "Authenticator (TOTP)on")
	if n := eval[int](b, passkeySection); n != 0 {
		t.Errorf("without WEB_AUTHN the profile still shows %d of the passkey section's heading, list and button", n)
	}
	b.saveShot("profile-without-passkeys")
	signOut(b)
	b.check("end")
	t.Logf("browser journey with MFA required: %s", time.Since(started).Round(100*time.Millisecond))
}

// withoutFirstFactor has the tab's next pages read config.json without
// factor in firstAuthFactors, as a stage whose pool does not offer it
// writes it.
func withoutFirstFactor(b *browser, factor string) {
	b.t.Helper()
	_, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `(() => {
  const fetched = window.fetch;
  window.fetch = async (input, init) => {
    const res = await fetched(input, init);
    if (!String(input).endsWith("/config.json")) return res;
    const cfg = await res.json();
    cfg.firstAuthFactors = cfg.firstAuthFactors.filter((f) => f !== ` + strconv.Quote(factor) + `);
    return new Response(JSON.stringify(cfg), { status: res.status, headers: res.headers });
  };
})();`,
	})
	if err != nil {
		b.t.Fatalf("leaving %s out of config.json: %v", factor, err)
	}
}
