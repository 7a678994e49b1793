package localcognito

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Placeholders Cognito substitutes into messages.
const (
	codePlaceholder     = "{####}"
	usernamePlaceholder = "{username}"
)

// Delivery mediums.
const (
	mediumEmail = "EMAIL"
	mediumSMS   = "SMS"
)

// Cognito's messages for pools without message customization.
const (
	defaultVerificationMessage = "Your verification code is {####}. "
	defaultInvitationMessage   = "Your username is {username} and temporary password is {####}. "
)

// codeDeliveryDetails is the CodeDeliveryDetailsType of the API.
type codeDeliveryDetails struct {
	Destination    string `json:"Destination"`
	DeliveryMedium string `json:"DeliveryMedium"`
	AttributeName  string `json:"AttributeName"`
}

// delivery is where a message goes.
type delivery struct {
	attr        string // email or phone_number
	medium      string
	destination string
}

func (d delivery) details() *codeDeliveryDetails {
	return &codeDeliveryDetails{Destination: mask(d.attr, d.destination), DeliveryMedium: d.medium, AttributeName: d.attr}
}

func deliveryTo(attr, destination string) delivery {
	medium := mediumEmail
	if attr == attrPhone {
		medium = mediumSMS
	}
	return delivery{attr: attr, medium: medium, destination: destination}
}

// verificationChannel picks the attribute a confirmation code goes to:
// the phone number when the pool verifies phone numbers (Cognito prefers
// SMS when both are auto-verified), else the email address. An attribute
// already verified needs no code.
func (p *pool) verificationChannel(u *user) (delivery, bool) {
	for _, attr := range []string{attrPhone, attrEmail} {
		verified := attrEmailVerified
		if attr == attrPhone {
			verified = attrPhoneVerified
		}
		if slices.Contains(p.autoVerified, attr) && u.attrs[attr] != "" && u.attrs[verified] != "true" {
			return deliveryTo(attr, u.attrs[attr]), true
		}
	}
	return delivery{}, false
}

// mask hides most of a destination the way CodeDeliveryDetails does:
// j***@e*** for an email address, +*******1234 for a phone number.
func mask(attr, dest string) string {
	if attr == attrPhone {
		if len(dest) <= 4 {
			return "+****"
		}
		return "+" + strings.Repeat("*", max(len(dest)-5, 1)) + dest[len(dest)-4:]
	}
	local, domain, _ := strings.Cut(dest, "@")
	return firstRune(local) + "***@" + firstRune(domain) + "***"
}

func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}

// message is one code message to send.
type message struct {
	source   string // CustomMessage_* trigger source
	clientID string
	user     *user // snapshot
	to       delivery
	code     string
	// signInName replaces {username} in invitations: the name the
	// administrator created the user with.
	signInName string
	metadata   map[string]string
}

// send composes the message — through the custom message trigger when the
// pool has one — and hands it to the code sink.
func (s *Server) send(ctx context.Context, m message) error {
	text := defaultVerificationMessage
	if m.source == sourceCustomMessageAdminCreate {
		text = defaultInvitationMessage
	}
	if s.triggers.CustomMessage != nil {
		custom, err := s.customMessage(ctx, m)
		if err != nil {
			return err
		}
		switch {
		case custom == "":
		case !strings.Contains(custom, codePlaceholder):
			// The code would never reach the user; Cognito requires the
			// placeholder, so fall back to its own message.
			s.log.Warn("localcognito: custom message has no code placeholder; sending the default message",
				"trigger_source", m.source, "placeholder", codePlaceholder)
		default:
			text = custom
		}
	}
	text = strings.NewReplacer(codePlaceholder, m.code, usernamePlaceholder, m.signInName).Replace(text)
	s.sink(m.user.username, m.to.destination, m.to.medium, text)
	return nil
}

func (s *Server) customMessage(ctx context.Context, m message) (string, error) {
	attrs := make(map[string]any, len(m.user.attrs)+1)
	for k, v := range m.user.eventAttributes() {
		attrs[k] = v
	}
	ev := events.CognitoEventUserPoolsCustomMessage{
		CognitoEventUserPoolsHeader: s.header(eventVersion1, m.source, m.clientID, m.user.username),
		Request: events.CognitoEventUserPoolsCustomMessageRequest{
			UserAttributes: attrs,
			CodeParameter:  codePlaceholder,
			ClientMetadata: m.metadata,
		},
	}
	if m.source == sourceCustomMessageAdminCreate {
		ev.Request.UsernameParameter = usernamePlaceholder
	}
	out, err := invoke(ctx, s.pool, triggerNameCustomMessage, s.triggers.CustomMessage, ev)
	if err != nil {
		return "", err
	}
	if m.to.medium == mediumSMS {
		return out.Response.SMSMessage, nil
	}
	return out.Response.EmailMessage, nil
}
