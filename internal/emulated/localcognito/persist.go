package localcognito

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtsign"
)

// state is what a pool keeps across restarts of a local stack: its signing
// key, so tokens it issued still verify, and its users with their
// passwords, software tokens and groups. Codes in flight, failure counts, sessions
// and refresh tokens are not kept: a restart ends them, as a new sign-in
// would.
type state struct {
	Version int         `json:"version"`
	KeyID   string      `json:"keyId"`
	Key     []byte      `json:"key"` // PKCS #1 DER
	Users   []savedUser `json:"users"`
	// Groups are the pool's groups (nil in a file written before the pool
	// had groups: the pool keeps its own).
	Groups []savedGroup `json:"groups,omitempty"`
}

type savedGroup struct {
	Group
	Created, Modified time.Time
}

// stateVersion changes with state's shape; a file of another version is
// refused rather than misread.
const stateVersion = 1

type savedUser struct {
	Username      string            `json:"username"`
	Attributes    map[string]string `json:"attributes"`
	Salt, Hash    []byte
	SRPSalt       []byte `json:"srpSalt"`
	SRPVerifier   []byte `json:"srpVerifier"`
	Status        string
	Created       time.Time
	Modified      time.Time
	TempExpires   time.Time         `json:",omitzero"`
	Disabled      bool              `json:",omitempty"`
	Pending       map[string]string `json:",omitempty"`
	TOTPSecret    string            `json:",omitempty"`
	TOTPEnabled   bool              `json:",omitempty"`
	TOTPPreferred bool              `json:",omitempty"`
	TOTPLastStep  int64             `json:",omitempty"`
	Passkeys      []savedPasskey    `json:",omitempty"`
	Groups        []string          `json:",omitempty"`
}

// SaveState writes the pool's signing key and users to w (see LoadState).
func (s *Server) SaveState(w io.Writer) error {
	st := state{Version: stateVersion, KeyID: s.key.ID, Key: x509.MarshalPKCS1PrivateKey(s.key.Private)}
	for _, u := range s.users.list(func(*user) bool { return true }) {
		st.Users = append(st.Users, savedUser{
			Username: u.username, Attributes: u.attrs, Salt: u.salt, Hash: u.hash, SRPSalt: u.srpSalt, SRPVerifier: u.srpVerifier,
			Status: u.status, Created: u.created, Modified: u.modified, TempExpires: u.tempExpires, Disabled: u.disabled,
			Pending: u.pending, TOTPSecret: u.totp.secret, TOTPEnabled: u.totp.enabled, TOTPPreferred: u.totp.preferred,
			TOTPLastStep: u.totp.lastStep, Passkeys: savePasskeys(u.passkeys), Groups: u.groups,
		})
	}
	for _, g := range s.users.allGroups() {
		st.Groups = append(st.Groups, savedGroup{Group: g.Group, Created: g.created, Modified: g.modified})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(st); err != nil {
		return fmt.Errorf("localcognito: saving the pool's state: %w", err)
	}
	return nil
}

// LoadState restores what SaveState wrote: the pool signs with the saved
// key and has the saved users, in place of its own. Call it before the
// pool serves; a file it cannot read changes nothing.
func (s *Server) LoadState(r io.Reader) error {
	var st state
	if err := json.NewDecoder(r).Decode(&st); err != nil {
		return fmt.Errorf("localcognito: reading the pool's state: %w", err)
	}
	if st.Version != stateVersion {
		return fmt.Errorf("localcognito: pool state version %d, this pool reads %d", st.Version, stateVersion)
	}
	priv, err := x509.ParsePKCS1PrivateKey(st.Key)
	if err != nil {
		return fmt.Errorf("localcognito: the saved signing key is not an RSA key: %w", err)
	}
	key := jwtsign.Key{ID: st.KeyID, Private: priv}
	if err := key.Check(); err != nil {
		return fmt.Errorf("localcognito: the saved state: %w", err)
	}
	users := make([]*user, 0, len(st.Users))
	for _, su := range st.Users {
		if su.Username == "" || su.Attributes[attrSub] == "" {
			return fmt.Errorf("localcognito: a saved user without username or sub: %q", su.Username)
		}
		u := &user{username: su.Username, attrs: su.Attributes, salt: su.Salt, hash: su.Hash, srpSalt: su.SRPSalt,
			srpVerifier: su.SRPVerifier, status: su.Status, created: su.Created, modified: su.Modified,
			tempExpires: su.TempExpires, disabled: su.Disabled, pending: su.Pending, passkeys: loadPasskeys(su.Passkeys)}
		u.totp.secret, u.totp.enabled, u.totp.preferred, u.totp.lastStep = su.TOTPSecret, su.TOTPEnabled, su.TOTPPreferred, su.TOTPLastStep
		u.groups = su.Groups
		users = append(users, u)
	}
	s.key = key
	var groups []*storedGroup
	if st.Groups != nil {
		groups = make([]*storedGroup, len(st.Groups))
		for i, g := range st.Groups {
			groups[i] = &storedGroup{Group: g.Group, created: g.Created, modified: g.Modified}
		}
	}
	s.users.restore(users, groups)
	return nil
}
