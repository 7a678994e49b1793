package sigv4

import (
	"sync"
	"time"
)

// Credential is an access key and the principal it stands for.
type Credential struct {
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken of temporary credentials; requests must present it in
	// X-Amz-Security-Token. Empty for long-term keys, which must come
	// without one.
	SessionToken string
	// Expiration of temporary credentials; zero for long-term keys.
	Expiration time.Time
	Principal  Principal
}

// Principal is who a credential acts for.
type Principal struct {
	// Admin marks the operator's key: allowed everywhere, as the account
	// owner's credentials are.
	Admin bool
	// ARN is the caller's ARN: an IAM user, or
	// arn:aws:sts::<account>:assumed-role/<role>/<session>.
	ARN string
	// AccountID owns the principal.
	AccountID string
	// RoleARN is the role whose identity-based policies apply; empty for
	// Admin.
	RoleARN string
	// UserID is the caller id API Gateway reports: <role id>:<session>.
	UserID string
	// CognitoIdentityID and CognitoIdentityPoolID are set for credentials
	// an identity pool issued; policy variables such as
	// ${cognito-identity.amazonaws.com:sub} resolve to CognitoIdentityID.
	CognitoIdentityID     string
	CognitoIdentityPoolID string
	// AMR is the identity's authentication methods reference.
	AMR []string
}

// Credentials looks up the credential of an access key id. Expired
// temporary credentials are still returned, so a service can tell an
// expired token from an unknown one.
type Credentials interface {
	Lookup(accessKeyID string) (Credential, bool)
}

// Store is the local stack's one credential store: the operator's key, a
// key per function role and the identity pool's temporary credentials. The
// zero value is empty and ready; it is safe for concurrent use.
type Store struct {
	mu sync.RWMutex
	m  map[string]Credential
}

// Put adds or replaces a credential.
func (s *Store) Put(c Credential) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]Credential{}
	}
	s.m[c.AccessKeyID] = c
}

// Lookup implements Credentials.
func (s *Store) Lookup(accessKeyID string) (Credential, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.m[accessKeyID]
	return c, ok
}

// DeleteExpired forgets temporary credentials that expired before now.
func (s *Store) DeleteExpired(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, c := range s.m {
		if !c.Expiration.IsZero() && !now.Before(c.Expiration) {
			delete(s.m, k)
		}
	}
}
