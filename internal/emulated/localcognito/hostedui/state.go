package hostedui

import (
	"slices"
	"sync"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localcognito"
)

const (
	// maxCodesPerSession bounds the codes one signed-in browser can hold
	// unexchanged; the oldest goes first.
	maxCodesPerSession = 16
	// oauthSweepThreshold is the size at which the code and session maps are
	// first swept of expired entries.
	oauthSweepThreshold = 1024
)

// authCode is an authorization code waiting to be exchanged.
type authCode struct {
	clientID    string
	redirectURI string
	challenge   string // S256 code_challenge; empty without PKCE
	user        localcognito.Identity
	session     string // the hosted session it was issued in
	grant       localcognito.Grant
	expires     time.Time
}

// hostedSession is a user signed in on the domain's pages.
type hostedSession struct {
	user    localcognito.Identity // AuthTime is when they signed in
	expires time.Time
	codes   []string // unexchanged codes issued in this session, oldest first
}

// codeStore holds the domain's codes and sign-in sessions. Its methods
// take its lock and hand out copies; it is never held together with the
// pool's.
type codeStore struct {
	mu       sync.Mutex
	codes    map[string]*authCode
	sessions map[string]*hostedSession
	// codeSweepAt and sessionSweepAt are the sizes at which the maps are
	// next swept.
	codeSweepAt, sessionSweepAt int
}

func newCodeStore() *codeStore {
	return &codeStore{codes: map[string]*authCode{}, sessions: map[string]*hostedSession{}}
}

// locked runs fn with the lock held: the one place it is taken.
func (cs *codeStore) locked(fn func()) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	fn()
}

// session returns the live sign-in session id; ok is false for none.
func (cs *codeStore) session(id string, now time.Time) (sess hostedSession, ok bool) {
	cs.locked(func() {
		if s := cs.sessions[id]; s != nil && now.Before(s.expires) {
			sess, ok = *s, true
			sess.codes = nil
		}
	})
	return sess, ok
}

// startSession stores a new sign-in session and returns its id.
func (cs *codeStore) startSession(sess hostedSession, now time.Time) string {
	id := randomToken()
	cs.locked(func() {
		sweep(cs.sessions, &cs.sessionSweepAt, func(s *hostedSession) bool { return !now.Before(s.expires) }, nil)
		cs.sessions[id] = &sess
	})
	return id
}

// endSession forgets a sign-in session and the codes issued in it.
func (cs *codeStore) endSession(id string) {
	cs.locked(func() {
		if sess := cs.sessions[id]; sess != nil {
			for _, code := range sess.codes {
				delete(cs.codes, code)
			}
			delete(cs.sessions, id)
		}
	})
}

// addCode stores a code issued in c.session; a session holding too many
// unexchanged codes loses its oldest.
func (cs *codeStore) addCode(code string, c authCode, now time.Time) {
	cs.locked(func() {
		sweep(cs.codes, &cs.codeSweepAt, func(x *authCode) bool { return !now.Before(x.expires) }, cs.dropCode)
		cs.codes[code] = &c
		sess := cs.sessions[c.session]
		if sess == nil {
			return
		}
		sess.codes = append(sess.codes, code)
		if len(sess.codes) > maxCodesPerSession {
			delete(cs.codes, sess.codes[0])
			sess.codes = slices.Delete(sess.codes, 0, 1)
		}
	})
}

// takeCode returns a copy of a code; a code issued to clientID is used up
// by being taken, right or wrong. ok is false for an unknown code.
func (cs *codeStore) takeCode(code, clientID string) (c authCode, ok bool) {
	cs.locked(func() {
		stored := cs.codes[code]
		if stored == nil {
			return
		}
		c, ok = *stored, true
		if stored.clientID == clientID {
			cs.dropCode(code, stored)
		}
	})
	return c, ok
}

// dropCode forgets a code and its place in its session. The caller holds
// the lock.
func (cs *codeStore) dropCode(id string, c *authCode) {
	delete(cs.codes, id)
	if sess := cs.sessions[c.session]; sess != nil {
		sess.codes = slices.DeleteFunc(sess.codes, func(x string) bool { return x == id })
	}
}

// sweep forgets the expired entries of m once it holds max(*at,
// oauthSweepThreshold), through drop when given; the next sweep waits for twice
// what is left.
func sweep[V any](m map[string]V, at *int, expired func(V) bool, drop func(string, V)) {
	if len(m) < max(*at, oauthSweepThreshold) {
		return
	}
	for k, v := range m {
		if !expired(v) {
			continue
		}
		if drop != nil {
			drop(k, v)
		} else {
			delete(m, k)
		}
	}
	*at = 2 * len(m)
}
