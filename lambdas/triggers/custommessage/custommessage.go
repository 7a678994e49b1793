// Package custommessage is the Cognito custom message trigger: it writes
// the verification, recovery, invitation and sign-in code messages in the
// product's voice, as a short SMS and an HTML email for each event, and
// Cognito sends whichever channel the user is reached on.
//
// Cognito substitutes the code (and, for invitations, the username) into the
// messages: they must carry the placeholders of request.codeParameter and
// request.usernameParameter verbatim, never real values.
package custommessage

import (
	"context"
	"fmt"
	"html"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/contract/schema"
)

// DefaultAppName names the product when APP_NAME is unset.
const DefaultAppName = contract.Brand

// maxSMS is the length Cognito allows a custom SMS message.
const maxSMS = 140

// maxAppName keeps the product name from crowding the code out of an SMS.
const maxAppName = 40

// Trigger sources this trigger writes messages for.
const (
	SignUp              = "CustomMessage_SignUp"
	ResendCode          = "CustomMessage_ResendCode"
	ForgotPassword      = "CustomMessage_ForgotPassword"
	UpdateUserAttribute = "CustomMessage_UpdateUserAttribute"
	VerifyUserAttribute = "CustomMessage_VerifyUserAttribute"
	AdminCreateUser     = "CustomMessage_AdminCreateUser"
	Authentication      = "CustomMessage_Authentication"
)

// Sources lists every trigger source with a message.
var Sources = []string{SignUp, ResendCode, ForgotPassword, UpdateUserAttribute, VerifyUserAttribute, AdminCreateUser, Authentication}

// Handler writes the messages.
type Handler struct {
	app string
}

// New writes messages signed with appName (DefaultAppName when empty).
func New(appName string) *Handler {
	appName = strings.TrimSpace(appName)
	if appName == "" {
		appName = DefaultAppName
	}
	if utf8.RuneCountInString(appName) > maxAppName {
		appName = string([]rune(appName)[:maxAppName])
	}
	return &Handler{app: appName}
}

// FromEnv reads the app name from schema.AppNameEnv.
func FromEnv(getenv func(string) string) *Handler { return New(getenv(schema.AppNameEnv)) }

// message is one event's wording: what the code is for, and the sentence
// around it. {app} is the app name, {code} the code, {user} the username.
type message struct {
	subject string
	sms     string
	intro   string // email paragraph before the code
	outro   string // email paragraph after the code
}

var messages = map[string]message{
	SignUp: {
		subject: "Verify your {app} account",
		sms:     "{app}: your verification code is {code}",
		intro:   "Welcome to {app}. Enter this code to verify your account:",
		outro:   "If you did not sign up, ignore this message.",
	},
	ResendCode: {
		subject: "Your {app} verification code",
		sms:     "{app}: your verification code is {code}",
		intro:   "Here is your new {app} verification code:",
		outro:   "If you did not ask for it, ignore this message.",
	},
	ForgotPassword: {
		subject: "Reset your {app} password",
		sms:     "{app}: your password reset code is {code}",
		intro:   "Enter this code to choose a new {app} password:",
		outro:   "If you did not ask to reset your password, ignore this message; your password stays as it is.",
	},
	UpdateUserAttribute: {
		subject: "Confirm your new {app} contact details",
		sms:     "{app}: your confirmation code is {code}",
		intro:   "Enter this code to confirm the new contact details of your {app} account:",
		outro:   "If you did not change them, sign in and review your account.",
	},
	VerifyUserAttribute: {
		subject: "Verify your {app} contact details",
		sms:     "{app}: your verification code is {code}",
		intro:   "Enter this code to verify the contact details of your {app} account:",
		outro:   "If you did not ask for it, ignore this message.",
	},
	AdminCreateUser: {
		subject: "Your {app} account",
		sms:     "{app}: sign in as {user} with temporary password {code}",
		intro:   "An account has been created for you at {app}. Sign in as {user} with this temporary password:",
		outro:   "You will choose your own password when you first sign in.",
	},
	Authentication: {
		subject: "Your {app} sign-in code",
		sms:     "{app}: your sign-in code is {code}",
		intro:   "Enter this code to finish signing in to {app}:",
		outro:   "If you are not signing in, change your password: someone else knows it.",
	},
}

// Handle is the Lambda handler. Events of other sources pass unchanged, so
// Cognito sends its default message.
func (h *Handler) Handle(_ context.Context, ev events.CognitoEventUserPoolsCustomMessage) (events.CognitoEventUserPoolsCustomMessage, error) {
	m, ok := messages[ev.TriggerSource]
	if !ok {
		return ev, nil
	}
	code, user := ev.Request.CodeParameter, ev.Request.UsernameParameter
	if code == "" {
		return ev, fmt.Errorf("custom message %s: the event has no codeParameter", ev.TriggerSource)
	}
	text := strings.NewReplacer("{app}", h.app, "{code}", code, "{user}", user)
	ev.Response.SMSMessage = text.Replace(m.sms)
	if utf8.RuneCountInString(ev.Response.SMSMessage) > maxSMS {
		// Only very long placeholders get here; the code must go through,
		// exactly as given (trimming could cut a placeholder).
		ev.Response.SMSMessage = code
		if user != "" {
			ev.Response.SMSMessage += " " + user
		}
	}
	ev.Response.EmailSubject = text.Replace(m.subject)
	ev.Response.EmailMessage = h.email(m, code, user)
	return ev, nil
}

// email is a plain HTML page. The placeholders go in unescaped, since
// Cognito replaces them literally; the app name is escaped, being config.
func (h *Handler) email(m message, code, user string) string {
	text := strings.NewReplacer("{app}", html.EscapeString(h.app), "{code}", code, "{user}", user)
	return text.Replace(`<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">` +
		"<p>" + m.intro + "</p>" +
		`<p style="font-size:1.5em;font-weight:bold;letter-spacing:.1em">{code}</p>` +
		"<p>" + m.outro + "</p>" +
		"<p>&mdash; {app}</p></body></html>")
}
