package localcognito

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
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

// csrfCookie holds the token every form posts back as _csrf: a double
// submit, so the pool keeps no state for a page it served.
const csrfCookie = "XSRF-TOKEN"

//go:embed hostedui/*.html
var pageFiles embed.FS

var pages = template.Must(template.ParseFS(pageFiles, "hostedui/*.html"))

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
	// Challenge and Session carry a sign-in challenge across its form.
	Challenge string
	Session   string
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
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
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
	p := page{Domain: s.domain, Query: r.URL.RawQuery, Message: r.URL.Query().Get("message")}
	switch r.URL.Path {
	case pathLogin:
		s.login(w, r, req, &p)
	case pathSignUp:
		s.signUpPage(w, r, req, &p)
	case pathConfirmUser:
		s.confirmUserPage(w, r, req, &p)
	case pathForgotPassword, pathConfirmForgotPassword:
		s.renderError(w, http.StatusNotFound, "Password reset on the sign-in pages is not available yet; use the ForgotPassword operation.")
	}
}

// render writes a page with a fresh CSRF token.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	p.CSRF = opaqueToken()
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: p.CSRF, Path: "/", HttpOnly: true, Secure: isHTTPS(r), SameSite: http.SameSiteLaxMode})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name, p); err != nil {
		s.log.Error("localcognito: page", "page", name, "error", err)
	}
}

func (s *Server) renderError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, "error.html", &page{Title: "Error", Domain: s.domain, Error: message}); err != nil {
		s.log.Error("localcognito: error page", "error", err)
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
func (s *Server) login(w http.ResponseWriter, r *http.Request, req *authorizeRequest, p *page) {
	p.Title = "Sign in"
	if r.Method != http.MethodPost {
		p.Username = r.URL.Query().Get("username")
		s.render(w, r, http.StatusOK, "login.html", p)
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	p.Username = username
	ctx, signIn := withHostedSignIn(r.Context())
	var (
		out authOutput
		err error
	)
	if challenge := r.PostForm.Get("_challenge"); challenge != "" {
		out, err = s.answerChallenge(ctx, req.client, challenge, username, r.PostForm)
	} else {
		password := r.PostForm.Get("password")
		if username == "" || password == "" {
			p.Error = "Enter your username and password."
			s.render(w, r, http.StatusOK, "login.html", p)
			return
		}
		params := map[string]string{"USERNAME": username, "PASSWORD": password}
		if req.client.Secret != "" {
			params["SECRET_HASH"] = SecretHash(req.client.ID, req.client.Secret, username)
		}
		out, err = s.passwordAuth(ctx, req.client, params, nil)
	}
	var oe *opError
	switch {
	case errors.As(err, &oe) && oe.Type == errUserNotConfirmed:
		http.Redirect(w, r, nextURL(pathConfirmUser, req, url.Values{"username": {username}}), http.StatusFound)
	case err != nil:
		p.Error = pageMessage(err)
		s.render(w, r, http.StatusOK, "login.html", p)
	case signIn.user != nil:
		sid, sess := s.startSession(w, r, signIn.user)
		s.redirectWithCode(w, r, req, sid, sess)
	case out.ChallengeName != "":
		p.Challenge, p.Session = out.ChallengeName, out.Session
		if name := out.ChallengeParameters["USER_ID_FOR_SRP"]; name != "" {
			p.Username = name
		}
		p.Title = challengeTitle(out.ChallengeName)
		s.render(w, r, http.StatusOK, "challenge.html", p)
	default:
		p.Error = "The sign-in did not complete."
		s.render(w, r, http.StatusOK, "login.html", p)
	}
}

// answerChallenge answers a challenge of the sign-in through
// RespondToAuthChallenge.
func (s *Server) answerChallenge(ctx context.Context, client *Client, challenge, username string, form url.Values) (authOutput, error) {
	resp := map[string]string{"USERNAME": username}
	switch challenge {
	case challengeNewPassword:
		resp["NEW_PASSWORD"] = form.Get("new_password")
	default:
		return authOutput{}, invalidParameter("The challenge %s cannot be answered on this page.", challenge)
	}
	if client.Secret != "" {
		resp["SECRET_HASH"] = SecretHash(client.ID, client.Secret, username)
	}
	return s.respondToAuthChallenge(ctx, respondToAuthChallengeInput{
		ChallengeName: challenge, ClientID: client.ID, Session: form.Get("_session"), ChallengeResponses: resp,
	})
}

func challengeTitle(challenge string) string {
	switch challenge {
	case challengeNewPassword:
		return "Change your password"
	}
	return "One more step"
}

// pageMessage is what a page shows for a failed operation: Cognito's
// message, without the exception name.
func pageMessage(err error) string {
	var oe *opError
	if errors.As(err, &oe) {
		return oe.Message
	}
	return "Something went wrong: " + err.Error()
}

// signUpPage serves /signup: the SignUp operation as a form, asking for the
// username (or the sign-in attribute) and the pool's required attributes.
func (s *Server) signUpPage(w http.ResponseWriter, r *http.Request, req *authorizeRequest, p *page) {
	p.Title = "Sign up"
	p.Fields = s.signUpFields()
	if r.Method != http.MethodPost {
		s.render(w, r, http.StatusOK, "signup.html", p)
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	p.Username = username
	in := signUpInput{ClientID: req.client.ID, Username: username, Password: r.PostForm.Get("password")}
	for _, f := range p.Fields {
		if v := strings.TrimSpace(r.PostForm.Get(f.Name)); v != "" {
			in.UserAttributes = append(in.UserAttributes, attribute{Name: f.Name, Value: v})
		}
	}
	if req.client.Secret != "" {
		in.SecretHash = SecretHash(req.client.ID, req.client.Secret, username)
	}
	out, err := s.signUp(r.Context(), in)
	switch {
	case err != nil:
		p.Error = pageMessage(err)
		s.render(w, r, http.StatusOK, "signup.html", p)
	case out.UserConfirmed:
		http.Redirect(w, r, nextURL(pathLogin, req, url.Values{"username": {username}, "message": {"Your account is ready. Sign in."}}), http.StatusFound)
	default:
		http.Redirect(w, r, nextURL(pathConfirmUser, req, url.Values{"username": {username}}), http.StatusFound)
	}
}

// signUpFields are the attribute inputs of the sign-up form.
func (s *Server) signUpFields() []field {
	var fs []field
	for _, a := range s.required {
		if len(s.usernameAttrs) == 1 && a == s.usernameAttrs[0] {
			continue // the username is this attribute: SignUp sets it
		}
		typ := "text"
		switch a {
		case attrEmail:
			typ = "email"
		case attrPhone:
			typ = "tel"
		}
		fs = append(fs, field{Name: a, Label: strings.ReplaceAll(a, "_", " "), Type: typ})
	}
	return fs
}

// confirmUserPage serves /confirmUser: ConfirmSignUp with the code sent at
// sign-up.
func (s *Server) confirmUserPage(w http.ResponseWriter, r *http.Request, req *authorizeRequest, p *page) {
	p.Title = "Confirm your account"
	p.Username = r.URL.Query().Get("username")
	if r.Method != http.MethodPost {
		s.render(w, r, http.StatusOK, "confirm.html", p)
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	p.Username = username
	in := confirmSignUpInput{ClientID: req.client.ID, Username: username, ConfirmationCode: strings.TrimSpace(r.PostForm.Get("code"))}
	if req.client.Secret != "" {
		in.SecretHash = SecretHash(req.client.ID, req.client.Secret, username)
	}
	if _, err := s.confirmSignUp(r.Context(), in); err != nil {
		p.Error = pageMessage(err)
		s.render(w, r, http.StatusOK, "confirm.html", p)
		return
	}
	http.Redirect(w, r, nextURL(pathLogin, req, url.Values{"username": {username}, "message": {"Your account is confirmed. Sign in."}}), http.StatusFound)
}
