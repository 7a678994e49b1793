package hostedui

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localcognito"
	"github.com/portcullis-cdk/portcullis/internal/protocol/awsjson"
)

// The sign-in pages of the domain, at the paths of Cognito's classic hosted
// UI, with its form contract (the authorize parameters in the query; fields
// _csrf, username, password), so scripts written against the hosted UI work
// here.
const (
	pathLogin                 = "/login"
	pathSignUp                = "/signup"
	pathConfirmUser           = "/confirmUser"
	pathForgotPassword        = "/forgotPassword"
	pathConfirmForgotPassword = "/confirmForgotPassword"
	pathError                 = "/error"
)

// pageNotices are the notices a page shows after a redirect, by the key
// in its message parameter: a key, not the text, so a link cannot put
// words of its own on the sign-in page.
var pageNotices = map[string]string{
	"account_ready":     "Your account is ready. Sign in.",
	"account_confirmed": "Your account is confirmed. Sign in.",
	"reset_required":    "Your password must be reset. Ask for a code.",
	"code_sent":         "We sent a code to the email address or phone number you verified. Enter it with your new password.",
	"password_changed":  "Your password is changed. Sign in.",
}

// csrfCookie holds the token every form posts back as _csrf: a double
// submit, so the pool keeps no state for a page it served.
const csrfCookie = "XSRF-TOKEN"

//go:embed *.html
var pageFiles embed.FS

var pages = template.Must(template.ParseFS(pageFiles, "*.html"))

// page is what every page template gets.
type page struct {
	Title   string
	Domain  string
	CSRF    string
	Query   string // the authorize parameters, encoded, for form actions and links
	Error   string
	Message string
	// Username prefills a form; Fields are the sign-up form's attribute
	// inputs.
	Username string
	Fields   []field
	// Challenge and Session carry a sign-in challenge across its form;
	// Secret is the authenticator secret of an MFA_SETUP challenge, and
	// OTPAuthURI the same as an authenticator app's otpauth:// link.
	Challenge  string
	Session    string
	Secret     string
	OTPAuthURI template.URL
}

// URL is a page of the domain with the authorize parameters.
func (p *page) URL(path string) template.URL {
	// The query was parsed from the request and is encoded again, so it
	// cannot end the attribute it is written in.
	q, _ := url.ParseQuery(p.Query) // already parsed once by parseAuthorize
	delete(q, "message")
	return template.URL(path + "?" + q.Encode())
}

type field struct {
	Name, Label, Type string
}

// servePage serves the sign-in pages.
func (s *Handler) servePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	if r.URL.Path == pathError {
		s.renderError(w, http.StatusBadRequest, errorPageMessage(r.URL.Query()))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "The sign-in pages support GET and POST.", http.StatusMethodNotAllowed)
		return
	}
	req, failure := s.parseAuthorize(r.URL.Query())
	if failure != nil {
		s.failAuthorize(w, r, failure)
		return
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			s.renderError(w, http.StatusBadRequest, "The form could not be read: "+err.Error())
			return
		}
		if !csrfMatches(r) {
			s.renderError(w, http.StatusForbidden, "The form's CSRF token does not match its cookie. Reload the page and try again.")
			return
		}
	}
	p := page{Domain: s.pool.Domain(), Query: r.URL.RawQuery, Message: pageNotices[r.URL.Query().Get("message")]}
	switch r.URL.Path {
	case pathLogin:
		s.login(w, r, req, &p)
	case pathSignUp:
		s.signUpPage(w, r, req, &p)
	default:
		s.formPage(w, r, req, &p, formPages[r.URL.Path])
	}
}

// render writes a page with a fresh CSRF token.
func (s *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	p.CSRF = randomToken()
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: p.CSRF, Path: "/", HttpOnly: true, Secure: isHTTPS(r), SameSite: http.SameSiteLaxMode})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, p); err != nil {
		s.log.Error("hostedui: page", "page", name, "error", err)
	}
}

func (s *Handler) renderError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, "error.html", &page{Title: "Error", Domain: s.pool.Domain(), Error: message}); err != nil {
		s.log.Error("hostedui: error page", "error", err)
	}
}

func errorPageMessage(q url.Values) string {
	switch q.Get("error") {
	case oauthRedirectMismatch:
		return "redirect_mismatch: the redirect or logout URL is not registered for client " + q.Get("client_id") + "."
	case "":
		return "An error was encountered with the requested page."
	default:
		return q.Get("error") + ": an error was encountered with the requested page."
	}
}

func csrfMatches(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	got := r.PostForm.Get("_csrf")
	return err == nil && c.Value != "" && got != "" && subtle.ConstantTimeCompare([]byte(c.Value), []byte(got)) == 1
}

// nextURL is a page of the domain with the authorize parameters and extra
// ones.
func nextURL(path string, req *authorizeRequest, extra url.Values) string {
	q := url.Values{}
	for k, vs := range req.query {
		if k != "username" && k != "message" {
			q[k] = vs
		}
	}
	for k, vs := range extra {
		q[k] = vs
	}
	return path + "?" + q.Encode()
}

// login serves /login: the sign-in form, and its answer, which goes
// through the pool's USER_PASSWORD_AUTH flow and its challenges.
func (s *Handler) login(w http.ResponseWriter, r *http.Request, req *authorizeRequest, p *page) {
	p.Title = "Sign in"
	if r.Method != http.MethodPost {
		p.Username = r.URL.Query().Get("username")
		s.render(w, r, http.StatusOK, "login.html", p)
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	p.Username = username
	var (
		step localcognito.SignInStep
		err  error
	)
	if challenge := r.PostForm.Get("_challenge"); challenge != "" {
		answer := strings.TrimSpace(r.PostForm.Get("totp_code"))
		if challenge == localcognito.ChallengeNewPassword {
			answer = r.PostForm.Get("new_password")
		}
		step, err = s.pool.AnswerChallenge(r.Context(), req.client, challenge, r.PostForm.Get("_session"), username, answer)
	} else {
		password := r.PostForm.Get("password")
		if username == "" || password == "" {
			p.Error = "Enter your username and password."
			s.render(w, r, http.StatusOK, "login.html", p)
			return
		}
		step, err = s.pool.SignInWithPassword(r.Context(), req.client, username, password)
	}
	if err != nil {
		s.signInFailed(w, r, req, p, err)
		return
	}
	s.signInStep(w, r, req, p, step)
}

// signInFailed answers a sign-in form that failed: a user who must confirm
// their account or reset their password is sent to that page; a wrong
// answer to a challenge (a code that does not match, a password the
// policy refuses) is asked again in the same session; anything else,
// an expired session included, goes back to the sign-in form.
func (s *Handler) signInFailed(w http.ResponseWriter, r *http.Request, req *authorizeRequest, p *page, err error) {
	username := p.Username
	var oe *awsjson.Error
	switch {
	case errors.As(err, &oe) && oe.Type == localcognito.TypeUserNotConfirmed:
		http.Redirect(w, r, nextURL(pathConfirmUser, req, url.Values{"username": {username}}), http.StatusFound)
	case errors.As(err, &oe) && oe.Type == localcognito.TypePasswordResetRequired:
		// The hosted UI sends a user whose password an administrator
		// reset to choose a new one with a code.
		http.Redirect(w, r, nextURL(pathForgotPassword, req, url.Values{"username": {username}, "message": {"reset_required"}}), http.StatusFound)
	case r.PostForm.Get("_challenge") != "" && !(errors.As(err, &oe) && oe.Type == localcognito.TypeNotAuthorized):
		p.Challenge, p.Session = r.PostForm.Get("_challenge"), r.PostForm.Get("_session")
		p.Secret = r.PostForm.Get("_secret")
		if p.Secret != "" {
			p.OTPAuthURI = otpauthURI(s.pool.Domain(), username, p.Secret)
		}
		p.Title = challengeTitle(p.Challenge)
		p.Error = pageMessage(err)
		s.render(w, r, http.StatusOK, "challenge.html", p)
	default:
		p.Error = pageMessage(err)
		s.render(w, r, http.StatusOK, "login.html", p)
	}
}

// signInStep goes on from a sign-in form that succeeded: a signed-in user
// back to the client with a code, anyone else to the challenge's form.
func (s *Handler) signInStep(w http.ResponseWriter, r *http.Request, req *authorizeRequest, p *page, step localcognito.SignInStep) {
	switch {
	case step.User != nil:
		sid, sess := s.startSession(w, r, *step.User)
		s.redirectWithCode(w, r, req, sid, sess)
	case step.Challenge == localcognito.ChallengeMFASetup && r.PostForm.Get("_challenge") != localcognito.ChallengeMFASetup:
		// The pool requires MFA and the user has no authenticator: the
		// page hands out a secret (AssociateSoftwareToken with the
		// session) and asks for a code from it.
		secret, session, err := s.pool.AssociateSoftwareToken(r.Context(), step.Session)
		if err != nil {
			p.Error = pageMessage(err)
			s.render(w, r, http.StatusOK, "login.html", p)
			return
		}
		p.Challenge, p.Session, p.Secret = localcognito.ChallengeMFASetup, session, secret
		p.OTPAuthURI = otpauthURI(s.pool.Domain(), p.Username, secret)
		p.Title = challengeTitle(localcognito.ChallengeMFASetup)
		s.render(w, r, http.StatusOK, "challenge.html", p)
	case step.Challenge != "":
		p.Challenge, p.Session = step.Challenge, step.Session
		if step.Username != "" {
			p.Username = step.Username
		}
		p.Title = challengeTitle(step.Challenge)
		s.render(w, r, http.StatusOK, "challenge.html", p)
	default:
		p.Error = "The sign-in did not complete."
		s.render(w, r, http.StatusOK, "login.html", p)
	}
}

func challengeTitle(challenge string) string {
	switch challenge {
	case localcognito.ChallengeNewPassword:
		return "Change your password"
	case localcognito.ChallengeSoftwareTokenMFA:
		return "Authenticator code"
	case localcognito.ChallengeMFASetup:
		return "Set up an authenticator app"
	}
	return "One more step"
}

// pageMessage is what a page shows for a failed operation: Cognito's
// message, without the exception name.
func pageMessage(err error) string {
	var oe *awsjson.Error
	if errors.As(err, &oe) {
		return oe.Message
	}
	return "Something went wrong: " + err.Error()
}

// signUpPage serves /signup: the SignUp operation as a form, asking for the
// username (or the sign-in attribute) and the pool's required attributes.
func (s *Handler) signUpPage(w http.ResponseWriter, r *http.Request, req *authorizeRequest, p *page) {
	p.Title = "Sign up"
	p.Fields = s.signUpFields()
	if r.Method != http.MethodPost {
		s.render(w, r, http.StatusOK, "signup.html", p)
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	p.Username = username
	var attrs []localcognito.Attribute
	for _, f := range p.Fields {
		if v := strings.TrimSpace(r.PostForm.Get(f.Name)); v != "" {
			attrs = append(attrs, localcognito.Attribute{Name: f.Name, Value: v})
		}
	}
	confirmed, err := s.pool.SignUp(r.Context(), req.client, username, r.PostForm.Get("password"), attrs)
	switch {
	case err != nil:
		p.Error = pageMessage(err)
		s.render(w, r, http.StatusOK, "signup.html", p)
	case confirmed:
		http.Redirect(w, r, nextURL(pathLogin, req, url.Values{"username": {username}, "message": {"account_ready"}}), http.StatusFound)
	default:
		http.Redirect(w, r, nextURL(pathConfirmUser, req, url.Values{"username": {username}}), http.StatusFound)
	}
}

// signUpFields are the attribute inputs of the sign-up form.
func (s *Handler) signUpFields() []field {
	var fs []field
	signInAttrs := s.pool.UsernameAttributes()
	for _, a := range s.pool.RequiredAttributes() {
		if len(signInAttrs) == 1 && a == signInAttrs[0] {
			continue // the username is this attribute: SignUp sets it
		}
		typ := "text"
		switch a {
		case "email":
			typ = "email"
		case "phone_number":
			typ = "tel"
		}
		fs = append(fs, field{Name: a, Label: strings.ReplaceAll(a, "_", " "), Type: typ})
	}
	return fs
}

// form is a page that is one operation on the user named in its form:
// a failure shows the form again with Cognito's message, success goes on
// to next with the username and a notice.
type form struct {
	title, template string
	run             func(s *Handler, ctx context.Context, client *localcognito.Client, username string, f url.Values) error
	next, notice    string
	// clearNotice drops the notice the page was reached with when it
	// shows an error.
	clearNotice bool
}

// formPages are the form pages by path.
var formPages = map[string]form{
	// ConfirmSignUp with the code sent at sign-up.
	pathConfirmUser: {
		title: "Confirm your account", template: "confirm.html", next: pathLogin, notice: "account_confirmed",
		run: func(s *Handler, ctx context.Context, c *localcognito.Client, username string, f url.Values) error {
			return s.pool.ConfirmSignUp(ctx, c, username, strings.TrimSpace(f.Get("code")))
		},
	},
	// ForgotPassword sends a code through the user's verified channel.
	pathForgotPassword: {
		title: "Forgot your password?", template: "forgot.html", next: pathConfirmForgotPassword, notice: "code_sent",
		run: func(s *Handler, ctx context.Context, c *localcognito.Client, username string, _ url.Values) error {
			return s.pool.ForgotPassword(ctx, c, username)
		},
	},
	// ConfirmForgotPassword sets the new password with the code.
	pathConfirmForgotPassword: {
		title: "Reset your password", template: "reset.html", next: pathLogin, notice: "password_changed", clearNotice: true,
		run: func(s *Handler, ctx context.Context, c *localcognito.Client, username string, f url.Values) error {
			return s.pool.ConfirmForgotPassword(ctx, c, username, strings.TrimSpace(f.Get("code")), f.Get("password"))
		},
	},
}

// formPage serves a form page.
func (s *Handler) formPage(w http.ResponseWriter, r *http.Request, req *authorizeRequest, p *page, f form) {
	p.Title = f.title
	p.Username = r.URL.Query().Get("username")
	if r.Method != http.MethodPost {
		s.render(w, r, http.StatusOK, f.template, p)
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	p.Username = username
	if err := f.run(s, r.Context(), req.client, username, r.PostForm); err != nil {
		if f.clearNotice {
			p.Message = ""
		}
		p.Error = pageMessage(err)
		s.render(w, r, http.StatusOK, f.template, p)
		return
	}
	http.Redirect(w, r, nextURL(f.next, req, url.Values{"username": {username}, "message": {f.notice}}), http.StatusFound)
}

// otpauthURI is the link an authenticator app reads (as a QR code) for a
// TOTP secret: issuer the domain, account the user.
func otpauthURI(issuer, account, secret string) template.URL {
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	// Built from the pool's own values and escaped: safe as a link,
	// though html/template allows only http(s) and mailto by default.
	return template.URL("otpauth://totp/" + label + "?" + url.Values{"secret": {secret}, "issuer": {issuer}}.Encode())
}
