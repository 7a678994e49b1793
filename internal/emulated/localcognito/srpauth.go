package localcognito

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/protocol/srp"
	"github.com/portcullis-cdk/portcullis/internal/protocol/uuid"
)

const challengePasswordVerifier = "PASSWORD_VERIFIER"

// srpSession is a USER_SRP_AUTH sign-in waiting for the answer to its
// PASSWORD_VERIFIER challenge. It is found by SECRET_BLOCK: Cognito sends
// no Session with this challenge, its SECRET_BLOCK carries the state.
type srpSession struct {
	server   *srp.Server
	clientID string
	userID   string // USER_ID_FOR_SRP, which the answer's USERNAME must be
	sub      string // "" for a user that does not exist
	verifier []byte // the verifier the challenge was made from
	expires  time.Time
}

// srpAuth starts a USER_SRP_AUTH sign-in with the PASSWORD_VERIFIER
// challenge. The password is checked when the challenge is answered, so
// a user's status is only revealed to someone who knows their password.
func (s *Server) srpAuth(client *Client, params map[string]string) (authOutput, error) {
	if err := checkParams(client, params, "USERNAME", "SRP_A"); err != nil {
		return authOutput{}, err
	}
	name, srpA := params["USERNAME"], params["SRP_A"]

	sess := &srpSession{clientID: client.ID}
	var salt []byte
	u := s.users.find(byName(name))
	if u == nil && client.LegacyUserExistenceErrors {
		return authOutput{}, userNotFound()
	}
	if u != nil && u.status == statusResetRequired {
		return authOutput{}, passwordResetRequired()
	}
	if u != nil && u.srpVerifier != nil {
		sess.userID, sess.sub, salt, sess.verifier = u.username, u.sub(), u.srpSalt, u.srpVerifier
	}
	if sess.sub == "" {
		sess.userID, salt = s.unknownUsers.user(name)
		sess.verifier = s.unknownUsers.verifier
	}

	server, err := srp.NewServer(s.srpPool, sess.userID, salt, sess.verifier, srpA)
	if errors.Is(err, srp.ErrInvalidA) {
		return authOutput{}, invalidParameter("Invalid %s", strings.TrimPrefix(err.Error(), "srp: invalid "))
	}
	if err != nil {
		return authOutput{}, fmt.Errorf("starting an SRP sign-in: %w", err)
	}
	sess.server = server
	challenge := server.Challenge()
	sess.expires = s.now().Add(client.AuthSessionValidity)
	s.users.putSRP(challenge["SECRET_BLOCK"], sess)
	return authOutput{ChallengeName: challengePasswordVerifier, ChallengeParameters: challenge}, nil
}

// passwordVerifier checks the answer to PASSWORD_VERIFIER and, if the
// user proved their password, finishes the sign-in as USER_PASSWORD_AUTH
// does. A wrong password, a user that does not exist and an answer that
// is replayed or signed for another challenge all get the same error.
func (s *Server) passwordVerifier(ctx context.Context, client *Client, in respondToAuthChallengeInput) (authOutput, error) {
	resp := in.ChallengeResponses
	if err := checkParams(client, resp, "USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"); err != nil {
		return authOutput{}, err
	}
	name, block := resp["USERNAME"], resp["PASSWORD_CLAIM_SECRET_BLOCK"]

	now := s.now()
	// One answer per challenge, right or wrong: a proof cannot be replayed,
	// and each password guess costs a new InitiateAuth.
	sess := s.users.takeSRP(block)
	switch {
	case sess == nil || sess.clientID != client.ID:
		return authOutput{}, incorrectCredentials()
	case !now.Before(sess.expires):
		return authOutput{}, apiError(errNotAuthorized, "Invalid session for the user, session is expired.")
	case fold(name) != fold(sess.userID):
		// Cognito wants the challenge's USERNAME back, not the alias the
		// user signed in with.
		return authOutput{}, incorrectCredentials()
	}
	// A locked-out user is told so only here, with the answer: the
	// challenge itself looks the same for every name.
	ref := bySub(sess.userID, sess.sub)
	if u := s.users.find(ref); u != nil && u.failures.signIn.blocked(now) {
		return authOutput{}, passwordAttemptsExceeded()
	}
	if err := sess.server.Verify(resp, now); err != nil {
		if errors.Is(err, srp.ErrInvalidTimestamp) {
			return authOutput{}, invalidParameter("TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
		}
		_, _ = s.users.update(ref, func(u *user, _ userTx) error {
			u.failures.signIn.fail(now)
			return nil
		})
		return authOutput{}, incorrectCredentials()
	}
	u, err := s.users.update(ref, func(u *user, _ userTx) error {
		// The password may have changed since the challenge was made.
		if !bytes.Equal(u.srpVerifier, sess.verifier) {
			return incorrectCredentials()
		}
		u.failures.signIn.succeed()
		return nil
	})
	if err != nil {
		// Or the user was deleted.
		return authOutput{}, incorrectCredentials()
	}
	return s.completeSignIn(ctx, client, u, in.ClientMetadata)
}

// simulatedUsers answer USER_SRP_AUTH for names that are not users, as
// Cognito does with PreventUserExistenceErrors: a challenge like a real
// one, with the same salt and a UUID for USER_ID_FOR_SRP each time for the
// same name, that no answer can pass.
type simulatedUsers struct {
	key []byte // keys the salts and ids, so they cannot be predicted
	// verifier stands in for every simulated user's: B = k·v + g^b does
	// not show v, and the password behind it is thrown away.
	verifier []byte
}

func newSimulatedUsers(poolName string) simulatedUsers {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
	_, verifier := srp.NewVerifier(poolName, newUUID(), opaqueToken())
	return simulatedUsers{key: key, verifier: verifier}
}

// user returns the USER_ID_FOR_SRP and salt of a name that is not a user.
// Cognito documents a UUID here whatever the pool's username settings; in
// a pool whose usernames are not UUIDs that tells an unknown name from a
// real one, which this pool, like Cognito, accepts.
func (u simulatedUsers) user(name string) (userID string, salt []byte) {
	var id [16]byte
	copy(id[:], u.derive("USER_ID_FOR_SRP", name))
	return uuid.V4(id), u.derive("SALT", name)
}

func (u simulatedUsers) derive(label, name string) []byte {
	m := hmac.New(sha256.New, u.key)
	m.Write([]byte(label))
	m.Write([]byte{0})
	m.Write([]byte(fold(name)))
	return m.Sum(nil)[:16]
}
