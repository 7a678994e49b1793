package localcognito

import (
	"slices"
	"time"
)

// Sweep thresholds: how many entries of a kind may pile up before the
// expired ones are swept out. Clients that start sign-ins and never finish
// them, or sign in over and over, would otherwise grow the pool for as long
// as it runs. After a sweep the next waits for the live entries to double,
// which keeps a flood of sign-ins from walking a map at every one.
const (
	srpSweepThreshold     = 1024
	sessionSweepThreshold = 1024
	// Every sign-in stores a refresh token.
	refreshSweepThreshold = 4096
)

// sweep deletes the entries of m that expired says are, once m holds
// max(*at, threshold) of them; the next sweep waits for twice what is left.
func sweep[V any](m map[string]V, at *int, threshold int, expired func(V) bool) {
	if len(m) < max(*at, threshold) {
		return
	}
	for k, v := range m {
		if expired(v) {
			delete(m, k)
		}
	}
	*at = 2 * len(m)
}

// openSession stores a challenge session for its validity (the client's
// AuthSessionValidity) and returns its id.
func (st *userStore) openSession(sess *authSession) string {
	var id string
	st.locked(func() { id = userTx{st}.openSession(sess) })
	return id
}

// withSession runs fn under the lock on a live challenge session and its
// user, and returns a copy of the user as fn left them. The session must be
// of challenge, opened by clientID unless that is empty, and its user must
// still exist and, when name is not empty, be the user called name.
// Otherwise the answer is invalidSession.
func (st *userStore) withSession(id, challenge, clientID, name string, fn func(sess *authSession, u *user, tx userTx) error) (*user, error) {
	var (
		out *user
		err error
	)
	st.locked(func() {
		sess := st.sessions[id]
		now := st.now()
		if sess == nil || sess.challenge != challenge || (clientID != "" && sess.clientID != clientID) || !now.Before(sess.expires) {
			err = invalidSession()
			return
		}
		u := st.resolve(bySub(sess.username, sess.sub))
		if u == nil {
			delete(st.sessions, id)
			err = invalidSession()
			return
		}
		if name != "" && st.resolve(byName(name)) != u {
			err = invalidSession()
			return
		}
		err = fn(sess, u, userTx{st})
		st.index(u)
		out = u.snapshot()
	})
	return out, err
}

// openSession is userStore.openSession for a function running under the
// lock: it sweeps out expired sessions once enough have piled up.
func (tx userTx) openSession(sess *authSession) string {
	st := tx.st
	now := st.now()
	sweep(st.sessions, &st.sessionSweepAt, sessionSweepThreshold, func(x *authSession) bool { return !now.Before(x.expires) })
	id := opaqueToken()
	validity := sess.validity
	if validity == 0 {
		validity = sessionValidity
	}
	sess.expires = now.Add(validity)
	st.sessions[id] = sess
	return id
}

// closeSession ends a challenge session.
func (tx userTx) closeSession(id string) { delete(tx.st.sessions, id) }

// putSRP stores a PASSWORD_VERIFIER challenge by its SECRET_BLOCK.
func (st *userStore) putSRP(block string, sess *srpSession) {
	st.locked(func() {
		now := st.now()
		sweep(st.srp, &st.srpSweepAt, srpSweepThreshold, func(x *srpSession) bool { return !now.Before(x.expires) })
		st.srp[block] = sess
	})
}

// takeSRP removes and returns the challenge of a SECRET_BLOCK: one answer
// per challenge, right or wrong. nil for none.
func (st *userStore) takeSRP(block string) *srpSession {
	var sess *srpSession
	st.locked(func() {
		sess = st.srp[block]
		delete(st.srp, block)
	})
	return sess
}

// addRefresh stores the refresh token of a new session, unless its user
// was deleted meanwhile (errNoUser).
func (st *userStore) addRefresh(rt *refreshToken) error {
	err := errNoUser
	st.locked(func() {
		if st.resolve(bySub(rt.username, rt.sub)) == nil {
			return
		}
		st.sweepRefresh(st.now())
		st.refresh[rt.token] = rt
		err = nil
	})
	return err
}

// sweepRefresh forgets expired refresh tokens and revocations that no
// longer matter. The caller holds the lock.
func (st *userStore) sweepRefresh(now time.Time) {
	if len(st.refresh)+len(st.revoked) < max(st.refreshSweepAt, refreshSweepThreshold) {
		return
	}
	for token, rt := range st.refresh {
		if !now.Before(rt.expires) {
			delete(st.refresh, token)
		}
	}
	for jti, until := range st.revoked {
		if !now.Before(until) {
			delete(st.revoked, jti)
		}
	}
	st.refreshSweepAt = 2 * (len(st.refresh) + len(st.revoked))
}

// refreshSession returns a copy of the session of a refresh token and of
// its user (nil when the user was deleted); ok is false for a token the
// pool does not know.
func (st *userStore) refreshSession(token string) (rt refreshToken, u *user, ok bool) {
	st.locked(func() {
		stored := st.refresh[token]
		if stored == nil {
			return
		}
		rt, ok = *stored, true
		rt.scopes = slices.Clone(stored.scopes)
		if x := st.resolve(bySub(stored.username, stored.sub)); x != nil {
			u = x.snapshot()
		}
	})
	return rt, u, ok
}

// revokeRefresh revokes the session of a refresh token issued to clientID.
// known is false for a token the pool does not know; issuedTo names the
// client a known token was issued to, which must be clientID for the
// session to end.
func (st *userStore) revokeRefresh(token, clientID string) (issuedTo string, known bool) {
	st.locked(func() {
		rt := st.refresh[token]
		if rt == nil {
			return
		}
		issuedTo, known = rt.clientID, true
		if rt.clientID == clientID {
			st.revokeSession(rt)
		}
	})
	return issuedTo, known
}

// revokeSession ends the session of a refresh token. The caller holds the
// lock.
func (st *userStore) revokeSession(rt *refreshToken) {
	rt.revoked = true
	// Access tokens last a day at most: after that none of the session's
	// can be presented, and the entry can go.
	st.revoked[rt.originJTI] = st.now().Add(24 * time.Hour)
}

// isRevoked reports whether the session of an access token was signed out.
func (st *userStore) isRevoked(originJTI string) bool {
	var revoked bool
	st.locked(func() { _, revoked = st.revoked[originJTI] })
	return revoked
}
