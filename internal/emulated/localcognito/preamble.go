package localcognito

import "errors"

// The preamble every operation shares, in the order AWS answers: the
// request's members (all missing or malformed ones in one
// InvalidParameterException), then the shape checks it makes before looking
// anything up (a password's pattern), then who is calling: an app client
// and the SECRET_HASH of a name (asClient), an access token (asUser), or IAM
// credentials and a pool id (asAdmin). Each returns a call whose update and
// find reach the user through the store.

// check is one constraint an operation adds to its preamble: a member of
// the request, reported with the others, or a check made after them.
type check struct {
	member func(*validation)
	after  error
}

// need requires a member.
func need(member, value string) check {
	return check{member: func(v *validation) { v.required(member, value) }}
}

// want checks a member against a constraint, in AWS's words.
func want(ok bool, member, constraint string) check {
	return check{member: func(v *validation) { v.check(ok, member, constraint) }}
}

// then is a check made once the members are right; err nil passes.
func then(err error) check { return check{after: err} }

// runChecks applies common, then checks.
func runChecks(common []check, checks []check) error {
	all := append(common, checks...)
	var v validation
	for _, c := range all {
		if c.member != nil {
			c.member(&v)
		}
	}
	if err := v.err(); err != nil {
		return err
	}
	for _, c := range all {
		if c.after != nil {
			return c.after
		}
	}
	return nil
}

// clientCall is an operation a user makes with an app client and a name
// (SignUp, ConfirmSignUp, ForgotPassword, ...), past its preamble.
type clientCall struct {
	s      *Server
	client *Client
	name   string
}

// asClient runs the preamble of an operation a user makes with an app
// client: clientId and username, the operation's checks, the client, and
// the request's SECRET_HASH for the name.
func (s *Server) asClient(clientID, name, secretHash string, checks ...check) (clientCall, error) {
	if err := runChecks([]check{need("clientId", clientID), need("username", name)}, checks); err != nil {
		return clientCall{}, err
	}
	client, err := s.signedClient(clientID, name, secretHash)
	if err != nil {
		return clientCall{}, err
	}
	return clientCall{s: s, client: client, name: name}, nil
}

// update runs fn on the user the call names (userStore.update). For a name
// that is no user the answer is hidden, where the client prevents user
// existence errors, else UserNotFoundException; hidden nil answers nil
// with no user, for an operation that pretends to succeed.
func (c clientCall) update(hidden error, fn func(u *user, tx userTx) error) (*user, error) {
	u, err := c.s.users.update(byName(c.name), fn)
	if errors.Is(err, errNoUser) {
		if c.client.LegacyUserExistenceErrors {
			return nil, userNotFound()
		}
		return nil, hidden
	}
	return u, err
}

// tokenCall is an operation a signed-in user makes with their access
// token, past its preamble.
type tokenCall struct {
	s      *Server
	claims accessClaims
}

// asUser runs the preamble of an operation a user makes with an access
// token: accessToken, the operation's checks, and the token as Cognito
// checks it (verifyAccessToken).
func (s *Server) asUser(token string, checks ...check) (tokenCall, error) {
	if err := runChecks([]check{need("accessToken", token)}, checks); err != nil {
		return tokenCall{}, err
	}
	c, err := s.verifyAccessToken(token)
	if err != nil {
		return tokenCall{}, err
	}
	return tokenCall{s: s, claims: c}, nil
}

// client is the app client the token was issued to.
func (c tokenCall) client() (*Client, error) {
	client, err := c.s.client(c.claims.ClientID)
	if err != nil {
		// The client was deleted since the token was issued.
		return nil, apiError(errNotAuthorized, "Invalid Access Token")
	}
	return client, nil
}

// user is a copy of the token's user.
func (c tokenCall) user() (*user, error) {
	if u := c.s.users.find(c.ref()); u != nil {
		return u, nil
	}
	return nil, userNotFound()
}

// update runs fn on the token's user (userStore.update).
func (c tokenCall) update(fn func(u *user, tx userTx) error) (*user, error) {
	return updateOrNotFound(c.s.users, c.ref(), fn)
}

// ref names the token's user by sub, so a token of a deleted user does
// not reach a new one who took the username.
func (c tokenCall) ref() userRef { return bySub(c.claims.Username, c.claims.Sub) }

// adminCall is an admin operation on a user, past its preamble.
type adminCall struct {
	s    *Server
	name string
}

// asAdmin runs the preamble of an admin operation on a user (its SigV4
// signature is checked before, by adminOp): the pool id, username and the
// operation's checks.
func (s *Server) asAdmin(poolID, name string, checks ...check) (adminCall, error) {
	if err := s.checkPool(poolID); err != nil {
		return adminCall{}, err
	}
	if err := runChecks([]check{need("username", name)}, checks); err != nil {
		return adminCall{}, err
	}
	return adminCall{s: s, name: name}, nil
}

// user is a copy of the user the call names.
func (c adminCall) user() (*user, error) {
	if u := c.s.users.find(byName(c.name)); u != nil {
		return u, nil
	}
	return nil, userNotFound()
}

// update runs fn on the user the call names (userStore.update).
func (c adminCall) update(fn func(u *user, tx userTx) error) (*user, error) {
	return updateOrNotFound(c.s.users, byName(c.name), fn)
}

func updateOrNotFound(st *userStore, ref userRef, fn func(u *user, tx userTx) error) (*user, error) {
	u, err := st.update(ref, fn)
	if errors.Is(err, errNoUser) {
		return nil, userNotFound()
	}
	return u, err
}

// forClient runs the preamble of an operation that names an app client
// but no user yet (InitiateAuth, RespondToAuthChallenge, RevokeToken): the
// operation's members, clientId, and the client.
func (s *Server) forClient(clientID string, checks ...check) (*Client, error) {
	if err := runChecks(checks, []check{need("clientId", clientID)}); err != nil {
		return nil, err
	}
	return s.client(clientID)
}

// checkParams is the preamble of an auth flow or a challenge answer: the
// AuthParameters or ChallengeResponses it needs, in order, then the
// SECRET_HASH of its USERNAME.
func checkParams(client *Client, params map[string]string, needed ...string) error {
	for _, p := range needed {
		if params[p] == "" {
			return missingParameter(p)
		}
	}
	return client.checkSecretHash(params["USERNAME"], params["SECRET_HASH"])
}
