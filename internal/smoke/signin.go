package smoke

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/portcullis-cdk/portcullis/internal/protocol/srp"
	"github.com/portcullis-cdk/portcullis/internal/protocol/totp"
)

// Authenticator signs users in and remembers what a later sign-in of the
// same user needs: the TOTP secret it enrolled and the last period it used,
// since Cognito refuses a code twice.
type Authenticator struct {
	// Now is the stage's clock, which TOTP codes and SRP proofs' timestamps
	// are computed at; nil means time.Now. A local stack's clock can be
	// moved forward a period instead of waiting for the next code.
	Now func() time.Time

	poolID  string // SRP proofs name the pool
	mu      sync.Mutex
	secrets map[string]string    // TOTP secret by username
	used    map[string]time.Time // last TOTP period used, by username
}

// NewAuthenticator returns an Authenticator for the users of a pool.
func NewAuthenticator(poolID string) *Authenticator {
	return &Authenticator{poolID: poolID, secrets: map[string]string{}, used: map[string]time.Time{}}
}

// Password signs in with USER_PASSWORD_AUTH, the AWS CLI's flow, through
// a client that allows it: a stage's CLI client. Unlike SRP it signs no
// timestamp, so it works against a local stack whose clock was moved.
func (a *Authenticator) Password(ctx context.Context, c *cip.Client, clientID, username, password, newPassword string) (Tokens, error) {
	out, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow:       ciptypes.AuthFlowTypeUserPasswordAuth,
		ClientId:       &clientID,
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password},
	})
	if err != nil {
		return Tokens{}, fmt.Errorf("InitiateAuth: %w", err)
	}
	return a.answer(ctx, c, clientID, username, password, newPassword, nil, challenge{out.ChallengeName, out.Session, out.ChallengeParameters, out.AuthenticationResult})
}

// SRP signs in with USER_SRP_AUTH, the flow the stage's SPA client allows,
// deployed and locally: the password never leaves the machine.
func (a *Authenticator) SRP(ctx context.Context, c *cip.Client, clientID, username, password, newPassword string) (Tokens, error) {
	s, err := srp.NewClient(a.poolID)
	if err != nil {
		return Tokens{}, err
	}
	out, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow:       ciptypes.AuthFlowTypeUserSrpAuth,
		ClientId:       &clientID,
		AuthParameters: map[string]string{"USERNAME": username, "SRP_A": s.A()},
	})
	if err != nil {
		return Tokens{}, fmt.Errorf("InitiateAuth: %w", err)
	}
	return a.answer(ctx, c, clientID, username, password, newPassword, s, challenge{out.ChallengeName, out.Session, out.ChallengeParameters, out.AuthenticationResult})
}

// challenge is where a sign-in stands: a challenge to answer, or the tokens.
type challenge struct {
	name   ciptypes.ChallengeNameType
	sess   *string
	params map[string]string
	result *ciptypes.AuthenticationResultType
}

// answer responds to the challenges after the first step of a sign-in
// until Cognito returns tokens.
func (a *Authenticator) answer(ctx context.Context, c *cip.Client, clientID, username, password, newPassword string, s *srp.Client, ch challenge) (Tokens, error) {
	for range 6 {
		if ch.result != nil {
			r := ch.result
			return Tokens{Access: aws.ToString(r.AccessToken), ID: aws.ToString(r.IdToken), Refresh: aws.ToString(r.RefreshToken)}, nil
		}
		user := username
		if u := ch.params["USER_ID_FOR_SRP"]; u != "" {
			user = u
		}
		var responses map[string]string
		var err error
		switch ch.name {
		case ciptypes.ChallengeNameTypePasswordVerifier:
			if s == nil {
				return Tokens{}, errors.New("PASSWORD_VERIFIER outside an SRP sign-in")
			}
			if responses, err = s.Respond(username, password, ch.params, a.now()); err != nil {
				return Tokens{}, err
			}
		case ciptypes.ChallengeNameTypeNewPasswordRequired:
			if newPassword == "" {
				return Tokens{}, errors.New("Cognito asks for a new password and none was given")
			}
			responses = map[string]string{"USERNAME": user, "NEW_PASSWORD": newPassword}
			password = newPassword
		case ciptypes.ChallengeNameTypeMfaSetup:
			if ch.sess, err = a.enrol(ctx, c, username, ch.sess); err != nil {
				return Tokens{}, err
			}
			responses = map[string]string{"USERNAME": user}
		case ciptypes.ChallengeNameTypeSoftwareTokenMfa:
			code, err := a.code(ctx, username)
			if err != nil {
				return Tokens{}, err
			}
			responses = map[string]string{"USERNAME": user, "SOFTWARE_TOKEN_MFA_CODE": code}
		default:
			return Tokens{}, fmt.Errorf("unexpected challenge %q", ch.name)
		}
		out, err := c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
			ClientId: &clientID, ChallengeName: ch.name, Session: ch.sess, ChallengeResponses: responses,
		})
		if err != nil {
			return Tokens{}, fmt.Errorf("RespondToAuthChallenge %s: %w", ch.name, err)
		}
		ch = challenge{out.ChallengeName, out.Session, out.ChallengeParameters, out.AuthenticationResult}
	}
	return Tokens{}, errors.New("sign-in did not finish after 6 challenges")
}

// enrol answers MFA_SETUP, as a person with an authenticator app would:
// it takes the TOTP secret and proves it with a code.
func (a *Authenticator) enrol(ctx context.Context, c *cip.Client, username string, session *string) (*string, error) {
	assoc, err := c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: session})
	if err != nil {
		return nil, fmt.Errorf("AssociateSoftwareToken: %w", err)
	}
	code, err := a.enrolCode(ctx, username, aws.ToString(assoc.SecretCode))
	if err != nil {
		return nil, err
	}
	out, err := c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session, UserCode: &code})
	if err != nil {
		return nil, fmt.Errorf("VerifySoftwareToken: %w", err)
	}
	if out.Status != ciptypes.VerifySoftwareTokenResponseTypeSuccess {
		return nil, fmt.Errorf("VerifySoftwareToken: %s", out.Status)
	}
	return out.Session, nil
}

// enrolCode remembers the authenticator secret Cognito gave username and
// returns the code that proves it.
func (a *Authenticator) enrolCode(ctx context.Context, username, secret string) (string, error) {
	a.mu.Lock()
	a.secrets[username] = secret
	a.mu.Unlock()
	return a.code(ctx, username)
}

func (a *Authenticator) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// code is the user's current TOTP code, waiting for the next period when
// this one's code was already used.
func (a *Authenticator) code(ctx context.Context, username string) (string, error) {
	a.mu.Lock()
	secret, last := a.secrets[username], a.used[username]
	a.mu.Unlock()
	if secret == "" {
		return "", fmt.Errorf("Cognito asks %s for a TOTP code, and no authenticator was enrolled in this run", username)
	}
	now := a.now()
	if period := now.Truncate(totp.Period); !period.After(last) {
		select {
		case <-time.After(totp.NextPeriod(now).Sub(now)):
		case <-ctx.Done():
			return "", ctx.Err()
		}
		now = a.now()
	}
	a.mu.Lock()
	a.used[username] = now.Truncate(totp.Period)
	a.mu.Unlock()
	return totp.Code(secret, now)
}
