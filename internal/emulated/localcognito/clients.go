package localcognito

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// SecretHash is the SECRET_HASH a confidential app client sends with a
// username: Base64(HMAC-SHA256(clientSecret, username + clientID)).
func SecretHash(clientID, clientSecret, username string) string {
	m := hmac.New(sha256.New, []byte(clientSecret))
	m.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// client finds an app client of the pool.
func (p *pool) client(id string) (*Client, error) {
	var v validation
	v.required("clientId", id)
	if err := v.err(); err != nil {
		return nil, err
	}
	c, ok := p.clients.get(id)
	if !ok {
		return nil, apiError(errResourceNotFound, "User pool client %s does not exist.", id)
	}
	return c, nil
}

// signedClient finds the client a request names and verifies the
// request's SECRET_HASH for username, as every operation a user calls
// with a client id does.
func (p *pool) signedClient(id, username, hash string) (*Client, error) {
	c, err := p.client(id)
	if err != nil {
		return nil, err
	}
	if err := c.checkSecretHash(username, hash); err != nil {
		return nil, err
	}
	return c, nil
}

// checkPool answers an admin operation naming another pool as Cognito
// answers a pool that does not exist.
func (p *pool) checkPool(id string) error {
	var v validation
	v.required("userPoolId", id)
	if err := v.err(); err != nil {
		return err
	}
	if id != p.id {
		return apiError(errResourceNotFound, "User pool %s does not exist.", id)
	}
	return nil
}

// checkSecretHash verifies the SECRET_HASH of a confidential client.
// Clients without a secret ignore it.
func (c *Client) checkSecretHash(username, hash string) error {
	if c.Secret == "" {
		return nil
	}
	if hash == "" {
		return apiError(errNotAuthorized, "Client %s is configured for secret but secret was not received", c.ID)
	}
	if !hmac.Equal([]byte(hash), []byte(SecretHash(c.ID, c.Secret, username))) {
		return apiError(errNotAuthorized, "Unable to verify secret hash for client %s", c.ID)
	}
	return nil
}
