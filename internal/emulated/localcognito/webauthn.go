package localcognito

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// Passkeys (WebAuthn): registration by a signed-in user, listing and
// deletion, and the WEB_AUTHN challenge of choice-based sign-in. Every
// ceremony is verified by go-webauthn against the pool's relying party and
// origins; what the library leaves to its caller is done here: a challenge
// is used once and expires, and a signature counter that goes back is
// refused.
const (
	challengeWebAuthn = "WEB_AUTHN"

	errWebAuthnChallengeNotFound    = "WebAuthnChallengeNotFoundException"
	errWebAuthnClientMismatch       = "WebAuthnClientMismatchException"
	errWebAuthnConfigMissing        = "WebAuthnConfigurationMissingException"
	errWebAuthnNotSupported         = "WebAuthnCredentialNotSupportedException"
	errWebAuthnNotEnabled           = "WebAuthnNotEnabledException"
	errWebAuthnOriginNotAllowed     = "WebAuthnOriginNotAllowedException"
	errWebAuthnRelyingPartyMismatch = "WebAuthnRelyingPartyMismatchException"

	// Cognito documents up to 20 passkeys per user.
	maxPasskeys = 20
	// The timeouts of Cognito's creation and request options.
	registrationTimeout = 60 * time.Second
	loginTimeout        = 180 * time.Second
)

// WebAuthnConfig is the pool's passkey configuration.
type WebAuthnConfig struct {
	// RelyingPartyID is the pool's WebAuthnRelyingPartyID. Empty means the
	// pool has none: passkeys cannot be registered.
	RelyingPartyID string
	// UserVerification is "preferred" (the default) or "required".
	UserVerification string
	// Origins are the web origins passkeys are registered and used from,
	// scheme, host and port. Default: https://<RelyingPartyID>.
	Origins []string
}

// passkey is a registered WebAuthn credential of a user.
type passkey struct {
	cred     webauthn.Credential
	name     string
	rpID     string
	clientID string
	created  time.Time
}

// savedPasskey is a passkey in the pool's saved state (persist.go).
type savedPasskey struct {
	Credential webauthn.Credential
	Name       string
	RPID       string `json:"rpId"`
	ClientID   string `json:"clientId"`
	Created    time.Time
}

func savePasskeys(keys []passkey) []savedPasskey {
	var out []savedPasskey
	for _, k := range keys {
		out = append(out, savedPasskey{Credential: k.cred, Name: k.name, RPID: k.rpID, ClientID: k.clientID, Created: k.created})
	}
	return out
}

func loadPasskeys(saved []savedPasskey) []passkey {
	var out []passkey
	for _, k := range saved {
		out = append(out, passkey{cred: k.Credential, name: k.Name, rpID: k.RPID, clientID: k.ClientID, created: k.Created})
	}
	return out
}

// passkeyRegistration is a StartWebAuthnRegistration waiting for its
// CompleteWebAuthnRegistration.
type passkeyRegistration struct {
	session  webauthn.SessionData
	clientID string
	expires  time.Time
}

// validateWebAuthn checks the passkey configuration and builds the
// relying party.
func (p *pool) validateWebAuthn(cfg Config) []error {
	w := cfg.WebAuthn
	if w.UserVerification == "" {
		w.UserVerification = string(protocol.VerificationPreferred)
	}
	p.webAuthnUV = protocol.UserVerificationRequirement(w.UserVerification)
	var errs []error
	if p.webAuthnUV != protocol.VerificationPreferred && p.webAuthnUV != protocol.VerificationRequired {
		errs = append(errs, fmt.Errorf("WebAuthn.UserVerification %q: want preferred or required", w.UserVerification))
	}
	for _, f := range cfg.FirstAuthFactors {
		if !slices.Contains(firstFactors, f) {
			errs = append(errs, fmt.Errorf("FirstAuthFactors %q: want one of %v", f, firstFactors))
		}
	}
	p.firstFactors = cfg.FirstAuthFactors
	if len(p.firstFactors) == 0 {
		p.firstFactors = []string{factorPassword}
	}
	if w.RelyingPartyID == "" {
		return errs
	}
	origins := w.Origins
	if len(origins) == 0 {
		origins = []string{"https://" + w.RelyingPartyID}
	}
	wa, err := relyingParty(w.RelyingPartyID, origins)
	if err != nil {
		return append(errs, err)
	}
	p.webAuthn.Store(wa)
	return errs
}

// relyingParty is go-webauthn's relying party of id, accepting origins.
func relyingParty(id string, origins []string) (*webauthn.WebAuthn, error) {
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          id,
		RPDisplayName: id,
		RPOrigins:     origins,
		Timeouts: webauthn.TimeoutsConfig{
			// The pool's clock, not the library's, expires a challenge:
			// a registration by its own deadline, a sign-in with its session.
			Login:        webauthn.TimeoutConfig{Timeout: loginTimeout, TimeoutUVD: loginTimeout},
			Registration: webauthn.TimeoutConfig{Timeout: registrationTimeout, TimeoutUVD: registrationTimeout},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("WebAuthn relying party %q, origins %v: %w", id, origins, err)
	}
	return wa, nil
}

// AddPasskeyOrigins lets passkeys be registered and used from origins
// too, as the local stack's web app is served on an origin the pool's
// configuration cannot name in advance. A pool without a relying party
// has no passkeys to use them with: nothing changes.
func (s *Server) AddPasskeyOrigins(origins ...string) error {
	old := s.webAuthn.Load()
	if old == nil {
		return nil
	}
	all := slices.Clone(old.Config.RPOrigins)
	for _, o := range origins {
		if !slices.Contains(all, o) {
			all = append(all, o)
		}
	}
	wa, err := relyingParty(old.Config.RPID, all)
	if err != nil {
		return err
	}
	s.webAuthn.Store(wa)
	return nil
}

// passkeyUser is a user as go-webauthn sees them: the user handle is the
// sub, as Cognito's is.
type passkeyUser struct{ u *user }

func (p passkeyUser) WebAuthnID() []byte          { return []byte(p.u.sub()) }
func (p passkeyUser) WebAuthnName() string        { return p.u.username }
func (p passkeyUser) WebAuthnDisplayName() string { return "" }
func (p passkeyUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, len(p.u.passkeys))
	for i, k := range p.u.passkeys {
		out[i] = k.cred
	}
	return out
}

// passkeysEnabled is the answer for a pool where a user cannot register
// passkeys, or nil.
func (s *Server) passkeysEnabled() error {
	switch {
	case !slices.Contains(s.firstFactors, factorWebAuthn):
		return apiError(errWebAuthnNotEnabled, "WebAuthn is not enabled for the user pool.")
	case s.webAuthn.Load() == nil:
		return apiError(errWebAuthnConfigMissing, "The user pool has no WebAuthn relying party id.")
	}
	return nil
}

type startWebAuthnRegistrationOutput struct {
	CredentialCreationOptions json.RawMessage `json:"CredentialCreationOptions"`
}

// startWebAuthnRegistration hands a signed-in user the options to create a
// passkey with; the challenge waits for CompleteWebAuthnRegistration from
// the same client, once, within the timeout.
func (s *Server) startWebAuthnRegistration(_ context.Context, in accessTokenInput) (startWebAuthnRegistrationOutput, error) {
	call, err := s.asUser(in.AccessToken)
	if err != nil {
		return startWebAuthnRegistrationOutput{}, err
	}
	if err := s.passkeysEnabled(); err != nil {
		return startWebAuthnRegistrationOutput{}, err
	}
	var options []byte
	_, err = call.update(func(u *user, _ userTx) error {
		if len(u.passkeys) >= maxPasskeys {
			return apiError(errLimitExceeded, "A user can register up to %d passkeys.", maxPasskeys)
		}
		pu := passkeyUser{u}
		creation, session, err := s.webAuthn.Load().BeginRegistration(pu,
			webauthn.WithExclusions(webauthn.Credentials(pu.WebAuthnCredentials()).CredentialDescriptors()),
			webauthn.WithCredentialParameters([]protocol.CredentialParameter{
				{Type: protocol.PublicKeyCredentialType, Algorithm: -7},
				{Type: protocol.PublicKeyCredentialType, Algorithm: -257},
			}),
			webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
				RequireResidentKey: protocol.ResidentKeyRequired(),
				ResidentKey:        protocol.ResidentKeyRequirementRequired,
				UserVerification:   s.webAuthnUV,
			}),
			webauthn.WithConveyancePreference(protocol.PreferNoAttestation),
		)
		if err != nil {
			return fmt.Errorf("starting a passkey registration: %w", err)
		}
		if options, err = json.Marshal(creation.Response); err != nil {
			return err
		}
		u.passkeyPending = &passkeyRegistration{session: *session, clientID: call.claims.ClientID, expires: s.now().Add(registrationTimeout)}
		return nil
	})
	if err != nil {
		return startWebAuthnRegistrationOutput{}, err
	}
	return startWebAuthnRegistrationOutput{CredentialCreationOptions: options}, nil
}

type completeWebAuthnRegistrationInput struct {
	AccessToken string          `json:"AccessToken"`
	Credential  json.RawMessage `json:"Credential"`
}

// completeWebAuthnRegistration verifies the authenticator's answer to the
// pending registration (used up, right or wrong) and keeps the passkey.
func (s *Server) completeWebAuthnRegistration(_ context.Context, in completeWebAuthnRegistrationInput) (empty, error) {
	call, err := s.asUser(in.AccessToken, want(len(in.Credential) > 0 && string(in.Credential) != "null", "credential", "Member must not be null"))
	if err != nil {
		return empty{}, err
	}
	if err := s.passkeysEnabled(); err != nil {
		return empty{}, err
	}
	parsed, perr := protocol.ParseCredentialCreationResponseBytes(in.Credential)
	_, err = call.update(func(u *user, _ userTx) error {
		pending := u.passkeyPending
		u.passkeyPending = nil
		switch {
		case pending == nil || !s.now().Before(pending.expires):
			return apiError(errWebAuthnChallengeNotFound, "The registration challenge was not found or has expired.")
		case pending.clientID != call.claims.ClientID:
			return apiError(errWebAuthnClientMismatch, "The access token is for another app client than the one that started the registration.")
		case perr != nil:
			return invalidParameter("Credential: %s", webAuthnDetail(perr))
		}
		wa := s.webAuthn.Load()
		cred, err := wa.CreateCredential(passkeyUser{u}, pending.session, parsed)
		if err != nil {
			return registrationError(err)
		}
		if s.passkeyOwner(u, cred.ID) {
			return invalidParameter("The passkey is already registered.")
		}
		u.passkeys = append(u.passkeys, passkey{cred: *cred, name: passkeyName(parsed), rpID: wa.Config.RPID, clientID: pending.clientID, created: s.now()})
		return nil
	})
	return empty{}, err
}

// passkeyOwner reports whether u already has the credential id.
func (s *Server) passkeyOwner(u *user, id []byte) bool {
	return slices.ContainsFunc(u.passkeys, func(k passkey) bool { return string(k.cred.ID) == string(id) })
}

// passkeyName is the FriendlyCredentialName Cognito gives a passkey; it
// does not document how, so it names the authenticator's attachment.
func passkeyName(p *protocol.ParsedCredentialCreationData) string {
	if a := string(p.AuthenticatorAttachment); a != "" {
		return "passkey (" + a + ")"
	}
	return "passkey"
}

// registrationError is the Cognito error for a registration go-webauthn
// refused.
func registrationError(err error) error {
	d := webAuthnDetail(err)
	switch {
	case strings.Contains(d, "origin"):
		return apiError(errWebAuthnOriginNotAllowed, "The passkey's origin is not allowed for the user pool's relying party: %s", d)
	case strings.Contains(d, "RP Hash"), strings.Contains(d, "rpId"):
		return apiError(errWebAuthnRelyingPartyMismatch, "The passkey is for another relying party: %s", d)
	case strings.Contains(d, "challenge"):
		return apiError(errWebAuthnChallengeNotFound, "The registration challenge was not found or has expired: %s", d)
	}
	return apiError(errWebAuthnNotSupported, "The passkey is not supported: %s", d)
}

// webAuthnDetail is what go-webauthn says of a failure.
func webAuthnDetail(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return strings.TrimSpace(pe.Details + " " + pe.DevInfo)
	}
	return err.Error()
}

type listWebAuthnCredentialsInput struct {
	AccessToken string `json:"AccessToken"`
	NextToken   string `json:"NextToken"`
	MaxResults  *int   `json:"MaxResults"`
}

type webAuthnCredentialDescription struct {
	CredentialID            string   `json:"CredentialId"`
	FriendlyCredentialName  string   `json:"FriendlyCredentialName"`
	RelyingPartyID          string   `json:"RelyingPartyId"`
	AuthenticatorAttachment string   `json:"AuthenticatorAttachment,omitempty"`
	AuthenticatorTransports []string `json:"AuthenticatorTransports"`
	CreatedAt               float64  `json:"CreatedAt"`
}

type listWebAuthnCredentialsOutput struct {
	Credentials []webAuthnCredentialDescription `json:"Credentials"`
	NextToken   string                          `json:"NextToken,omitempty"`
}

// listWebAuthnCredentials lists a signed-in user's passkeys, oldest first,
// MaxResults (1-20, default 20) at a time.
func (s *Server) listWebAuthnCredentials(_ context.Context, in listWebAuthnCredentialsInput) (listWebAuthnCredentialsOutput, error) {
	size := maxPasskeys
	if in.MaxResults != nil {
		size = *in.MaxResults
	}
	from, terr := strconv.Atoi(in.NextToken)
	call, err := s.asUser(in.AccessToken,
		want(size >= 1 && size <= maxPasskeys, "maxResults", "Member must have value between 1 and 20"),
		want(in.NextToken == "" || (terr == nil && from >= 0), "nextToken", "Member must be a token from a previous response"))
	if err != nil {
		return listWebAuthnCredentialsOutput{}, err
	}
	u, err := call.user()
	if err != nil {
		return listWebAuthnCredentialsOutput{}, err
	}
	out := listWebAuthnCredentialsOutput{Credentials: []webAuthnCredentialDescription{}}
	for i := from; i < len(u.passkeys) && len(out.Credentials) < size; i++ {
		k := u.passkeys[i]
		d := webAuthnCredentialDescription{
			CredentialID:            base64.RawURLEncoding.EncodeToString(k.cred.ID),
			FriendlyCredentialName:  k.name,
			RelyingPartyID:          k.rpID,
			AuthenticatorAttachment: string(k.cred.Authenticator.Attachment),
			AuthenticatorTransports: []string{},
			CreatedAt:               float64(k.created.UnixMilli()) / 1000,
		}
		for _, t := range k.cred.Transport {
			d.AuthenticatorTransports = append(d.AuthenticatorTransports, string(t))
		}
		out.Credentials = append(out.Credentials, d)
		if i+1 < len(u.passkeys) && len(out.Credentials) == size {
			out.NextToken = strconv.Itoa(i + 1)
		}
	}
	return out, nil
}

type deleteWebAuthnCredentialInput struct {
	AccessToken  string `json:"AccessToken"`
	CredentialID string `json:"CredentialId"`
}

// deleteWebAuthnCredential removes one of a signed-in user's passkeys.
func (s *Server) deleteWebAuthnCredential(_ context.Context, in deleteWebAuthnCredentialInput) (empty, error) {
	call, err := s.asUser(in.AccessToken, need("credentialId", in.CredentialID))
	if err != nil {
		return empty{}, err
	}
	_, err = call.update(func(u *user, _ userTx) error {
		n := len(u.passkeys)
		u.passkeys = slices.DeleteFunc(u.passkeys, func(k passkey) bool {
			return base64.RawURLEncoding.EncodeToString(k.cred.ID) == in.CredentialID
		})
		if len(u.passkeys) == n {
			return apiError(errResourceNotFound, "The user has no passkey %s.", in.CredentialID)
		}
		return nil
	})
	return empty{}, err
}

// webAuthnChallenge asks for one of u's passkeys: the WEB_AUTHN challenge
// with the request options, whose challenge the session keeps.
func (s *Server) webAuthnChallenge(client *Client, u *user) (authOutput, error) {
	wa := s.webAuthn.Load()
	if wa == nil {
		return authOutput{}, apiError(errWebAuthnConfigMissing, "The user pool has no WebAuthn relying party id.")
	}
	assertion, session, err := wa.BeginLogin(passkeyUser{u}, webauthn.WithUserVerification(s.webAuthnUV))
	if err != nil {
		return authOutput{}, fmt.Errorf("starting a passkey sign-in: %w", err)
	}
	options, err := json.Marshal(assertion.Response)
	if err != nil {
		return authOutput{}, err
	}
	id := s.users.openSession(&authSession{challenge: challengeWebAuthn, clientID: client.ID, validity: client.AuthSessionValidity, username: u.username, sub: u.sub(), webAuthn: session, source: sourceTokenAuthentication})
	return authOutput{
		ChallengeName:       challengeWebAuthn,
		Session:             id,
		ChallengeParameters: map[string]string{"CREDENTIAL_REQUEST_OPTIONS": string(options)},
	}, nil
}

// answerWebAuthn answers WEB_AUTHN with the authenticator's assertion.
// The session takes one answer, right or wrong: its challenge cannot be
// replayed. A passkey whose signature counter went back (a cloned
// authenticator) is refused.
func (s *Server) answerWebAuthn(ctx context.Context, client *Client, in respondToAuthChallengeInput) (authOutput, error) {
	resp := in.ChallengeResponses
	if err := checkParams(client, resp, "USERNAME", "CREDENTIAL"); err != nil {
		return authOutput{}, err
	}
	parsed, perr := protocol.ParseCredentialRequestResponseBytes([]byte(resp["CREDENTIAL"]))
	refused := func(why string) error {
		return apiError(errNotAuthorized, "Incorrect passkey: %s", why)
	}
	return s.finishChallenge(ctx, client, in, func(sess *authSession, u *user, tx userTx) error {
		tx.closeSession(in.Session)
		if perr != nil {
			return refused(webAuthnDetail(perr))
		}
		cred, err := s.webAuthn.Load().ValidateLogin(passkeyUser{u}, *sess.webAuthn, parsed)
		if err != nil {
			return refused(webAuthnDetail(err))
		}
		if cred.Authenticator.CloneWarning {
			return refused("the signature counter went back: the authenticator may be cloned")
		}
		for i := range u.passkeys {
			if string(u.passkeys[i].cred.ID) == string(cred.ID) {
				u.passkeys[i].cred.Authenticator.SignCount = cred.Authenticator.SignCount
				u.passkeys[i].cred.Flags = cred.Flags
			}
		}
		return nil
	})
}
