package localcognito

import (
	"errors"
	"sync"
	"time"
)

// userStore holds the pool's users and everything of theirs that changes
// (challenge sessions, SRP challenges, refresh tokens, revocations) behind
// one lock. Its methods take the lock themselves and hand out copies, so an
// operation never holds the lock or a stored user: a change to a user is a
// function the store runs on the stored user under its lock (update).
// Functions run under the lock must not call the store: they get a userTx
// for what else they may do.
type userStore struct {
	mu sync.Mutex
	// now is the pool's clock, which sessions expire by.
	now func() time.Time
	// usernameAttrs are the attributes users sign in with besides their
	// username (the pool's UsernameAttributes), which aliases index.
	usernameAttrs []string
	users         map[string]*user         // by folded username
	aliases       map[string]*user         // by aliasKey: the sign-in names of username-attribute pools
	sessions      map[string]*authSession  // challenge sessions by Session
	srp           map[string]*srpSession   // PASSWORD_VERIFIER challenges by SECRET_BLOCK
	refresh       map[string]*refreshToken // by token
	// revoked holds the origin_jti of signed-out sessions until no access
	// token of theirs can still be unexpired.
	revoked map[string]time.Time
	groups  map[string]*storedGroup // by name; users name theirs in user.groups

	// srpSweepAt is the number of challenges at which the SRP challenges
	// are next swept; sessionSweepAt and refreshSweepAt likewise.
	srpSweepAt, sessionSweepAt, refreshSweepAt int
}

func newUserStore(usernameAttrs []string, now func() time.Time) *userStore {
	return &userStore{
		now:           now,
		usernameAttrs: usernameAttrs,
		users:         map[string]*user{},
		aliases:       map[string]*user{},
		sessions:      map[string]*authSession{},
		srp:           map[string]*srpSession{},
		refresh:       map[string]*refreshToken{},
		revoked:       map[string]time.Time{},
		groups:        map[string]*storedGroup{},
	}
}

// locked runs fn with the store's lock held: the one place it is taken.
func (st *userStore) locked(fn func()) {
	st.mu.Lock()
	defer st.mu.Unlock()
	fn()
}

// errNoUser is the store's answer for a user it does not have; each
// operation words it as Cognito does for that operation.
var errNoUser = errors.New("no such user")

// userRef names a stored user: by a name they sign in with (their username
// or, in a username-attribute pool, their email address or phone number),
// or by username and sub, as tokens and sessions name them (the sub tells
// a deleted user from a new one who took the username).
type userRef struct {
	name, sub string
	bySub     bool
}

func byName(name string) userRef { return userRef{name: name} }

func bySub(username, sub string) userRef { return userRef{name: username, sub: sub, bySub: true} }

// resolve finds a stored user. The caller holds the lock.
func (st *userStore) resolve(ref userRef) *user {
	if ref.name == "" {
		return nil
	}
	if ref.bySub {
		if u := st.users[fold(ref.name)]; u != nil && ref.sub != "" && u.sub() == ref.sub {
			return u
		}
		return nil
	}
	if u := st.users[fold(ref.name)]; u != nil {
		return u
	}
	for _, a := range st.usernameAttrs {
		if u := st.aliases[aliasKey(a, ref.name)]; u != nil {
			return u
		}
	}
	return nil
}

// find returns a copy of the user ref names, or nil.
func (st *userStore) find(ref userRef) *user {
	var out *user
	st.locked(func() {
		if u := st.resolve(ref); u != nil {
			out = u.snapshot()
		}
	})
	return out
}

// update runs fn on the user ref names under the lock and returns a copy of
// the user as fn left them, also when fn fails: a failed attempt may count
// against the user (a wrong password, a wrong code). fn may change anything
// of the user but their username and sub; a change of sign-in attributes is
// indexed when fn returns, so fn checks tx.conflict first. A user that does
// not exist is errNoUser.
func (st *userStore) update(ref userRef, fn func(u *user, tx userTx) error) (*user, error) {
	var (
		out *user
		err error
	)
	st.locked(func() {
		u := st.resolve(ref)
		if u == nil {
			err = errNoUser
			return
		}
		err = fn(u, userTx{st})
		st.index(u)
		out = u.snapshot()
	})
	return out, err
}

// add stores a copy of a new user, unless their username or a sign-in
// attribute is taken (see userTx.conflict).
func (st *userStore) add(u *user, signInAttr string, admin bool) error {
	var err error
	st.locked(func() {
		if err = (userTx{st}).conflict(u, signInAttr, admin); err == nil {
			st.index(u.snapshot())
		}
	})
	return err
}

// checkFree reports the error conflict would, without storing anything: a
// new user's name is refused before the pre sign-up trigger runs.
func (st *userStore) checkFree(u *user, signInAttr string, admin bool) error {
	var err error
	st.locked(func() { err = (userTx{st}).conflict(u, signInAttr, admin) })
	return err
}

// remove deletes the user ref names and ends their sessions.
func (st *userStore) remove(ref userRef) error {
	err := errNoUser
	st.locked(func() {
		if u := st.resolve(ref); u != nil {
			st.unindex(u)
			delete(st.users, fold(u.username))
			userTx{st}.signOut(u)
			err = nil
		}
	})
	return err
}

// list returns copies of the users match accepts, in no order.
func (st *userStore) list(match func(*user) bool) []*user {
	var out []*user
	st.locked(func() {
		for _, u := range st.users {
			if match(u) {
				out = append(out, u.snapshot())
			}
		}
	})
	return out
}

// restore adds saved users and, when groups is not nil, replaces the
// pool's groups with them (LoadState, before the pool serves).
func (st *userStore) restore(users []*user, groups []*storedGroup) {
	st.locked(func() {
		for _, u := range users {
			st.index(u)
		}
		if groups != nil {
			clear(st.groups)
			for _, g := range groups {
				st.groups[g.Name] = g
			}
		}
	})
}

// index adds or re-indexes u under its username and sign-in attributes.
// The caller holds the lock.
func (st *userStore) index(u *user) {
	st.unindex(u)
	st.users[fold(u.username)] = u
	for _, a := range st.usernameAttrs {
		if v := u.attrs[a]; v != "" {
			k := aliasKey(a, v)
			st.aliases[k] = u
			u.aliasKeys = append(u.aliasKeys, k)
		}
	}
}

func (st *userStore) unindex(u *user) {
	for _, k := range u.aliasKeys {
		if st.aliases[k] == u {
			delete(st.aliases, k)
		}
	}
	u.aliasKeys = nil
}

// userTx is what a function the store runs under its lock may do besides
// changing its user.
type userTx struct{ st *userStore }

// conflict reports the error Cognito answers when u would share its
// username or a sign-in attribute with another user (users are told apart
// by sub, so u may be a copy of a stored user). signInAttr is the
// attribute the new user's name was given as ("" for a plain username).
func (tx userTx) conflict(u *user, signInAttr string, admin bool) error {
	if other := tx.st.users[fold(u.username)]; other != nil && other.sub() != u.sub() {
		return usernameExists(signInAttr, admin)
	}
	for _, a := range tx.st.usernameAttrs {
		v := u.attrs[a]
		if v == "" {
			continue
		}
		if other := tx.st.aliases[aliasKey(a, v)]; other != nil && other.sub() != u.sub() {
			if a == signInAttr {
				return usernameExists(a, admin)
			}
			return apiError(errAliasExists, "An account with the given %s already exists.", a)
		}
	}
	return nil
}

// signOut ends every session of u: refresh tokens stop working, and so do
// access tokens presented to the pool, challenges and sign-ins under way.
func (tx userTx) signOut(u *user) {
	st := tx.st
	for _, rt := range st.refresh {
		if rt.sub == u.sub() {
			st.revokeSession(rt)
		}
	}
	for id, sess := range st.sessions {
		if sess.sub == u.sub() {
			delete(st.sessions, id)
		}
	}
	for block, sess := range st.srp {
		if sess.sub == u.sub() {
			delete(st.srp, block)
		}
	}
}
