package localcognito

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portcullis-cdk/portcullis/internal/protocol/srp"
)

// Attribute names the pool treats specially.
const (
	attrSub           = "sub"
	attrEmail         = "email"
	attrEmailVerified = "email_verified"
	attrPhone         = "phone_number"
	attrPhoneVerified = "phone_number_verified"
)

// User statuses, as UserStatus reports them.
const (
	statusUnconfirmed = "UNCONFIRMED"
	statusConfirmed   = "CONFIRMED"
	statusForceChange = "FORCE_CHANGE_PASSWORD"
	// statusResetRequired is a user whose password an administrator reset:
	// they must choose a new one with a ForgotPassword code.
	statusResetRequired = "RESET_REQUIRED"
)

// maxAttributeLength is Cognito's limit on a string attribute value.
const maxAttributeLength = 2048

// codeValidity is how long a confirmation code can be used.
const codeValidity = 24 * time.Hour

var (
	emailPattern    = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)
	phonePattern    = regexp.MustCompile(`^\+[0-9]{4,15}$`)
	digitsPattern   = regexp.MustCompile(`^[0-9]+$`)
	usernamePattern = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$`)
)

type user struct {
	username string
	attrs    map[string]string // every attribute, sub included
	salt     []byte
	hash     []byte // HMAC-SHA256 of the password keyed with salt
	// srpSalt and srpVerifier are what USER_SRP_AUTH checks a password
	// claim against, as a user pool keeps them.
	srpSalt     []byte
	srpVerifier []byte
	status      string
	created     time.Time
	modified    time.Time
	// tempExpires ends the temporary password of a FORCE_CHANGE_PASSWORD user.
	tempExpires time.Time
	code        pendingCode
	// reset is the code of a password reset (ForgotPassword,
	// AdminResetUserPassword), apart from code: a reset must not undo a
	// pending verification, nor a verification code reset a password.
	reset pendingCode
	// disabled by AdminDisableUser: the user cannot sign in.
	disabled bool
	// failures counts wrong passwords and codes; see limits.go.
	failures failureCounts
	// groups are the names of the groups the user is in, in the order
	// they were added.
	groups []string
	totp   totpState
	// pending holds a changed email address or phone number that waits for
	// its code before it takes effect (the pool keeps originals).
	pending map[string]string
	// lastCode is the last code or temporary password sent, for Code.
	lastCode string
	// aliasKeys index the user in userStore.aliases.
	aliasKeys []string
}

// pendingCode is a confirmation code that verifies attr when entered.
type pendingCode struct {
	value string
	attr  string
	// dest is the email address or phone number the code went to, which
	// the code verifies: the pending value of an attribute whose original
	// is kept until then, else the value in effect.
	dest    string
	expires time.Time
	// failures counts wrong guesses; spent is a code guessed wrong too
	// often (see checkCode).
	failures int
	spent    bool
}

func (u *user) sub() string { return u.attrs[attrSub] }

// setPassword stores a salted hash for USER_PASSWORD_AUTH and an SRP
// verifier for USER_SRP_AUTH rather than the password, which keeps
// passwords out of logs and heap dumps even in a local tool. u.username
// must be final: it is the USER_ID_FOR_SRP the verifier is bound to.
func (p *pool) setPassword(u *user, password string) {
	u.salt = make([]byte, 16)
	_, _ = rand.Read(u.salt)
	u.hash = passwordHash(u.salt, password)
	u.srpSalt, u.srpVerifier = srp.NewVerifier(p.srpPool, u.username, password)
}

func (u *user) passwordMatches(password string) bool {
	return u.hash != nil && hmac.Equal(u.hash, passwordHash(u.salt, password))
}

func passwordHash(salt []byte, password string) []byte {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(password))
	return m.Sum(nil)
}

// fold makes usernames and aliases case-insensitive, as in a pool created
// with UsernameConfiguration CaseSensitive false (Portcullis' setting).
func fold(s string) string { return strings.ToLower(s) }

func aliasKey(attr, value string) string { return attr + "\x00" + fold(value) }

func usernameExists(signInAttr string, admin bool) error {
	switch {
	case signInAttr != "":
		return apiError(errUsernameExists, "An account with the given %s already exists.", signInAttr)
	case admin:
		return apiError(errUsernameExists, "User account already exists")
	default:
		return apiError(errUsernameExists, "User already exists")
	}
}

// snapshot is a copy of u that can be used after the store's lock is
// released. The password hashes and verifiers are shared: setPassword
// replaces them rather than writing to them.
func (u *user) snapshot() *user {
	c := *u
	c.attrs = maps.Clone(u.attrs)
	c.pending = maps.Clone(u.pending)
	c.groups = slices.Clone(u.groups)
	c.aliasKeys = nil // a copy is in no index
	return &c
}

// attribute is an AttributeType of the API.
type attribute struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// writer is who writes attributes: app clients may not mark their own
// email or phone number verified, administrators may.
type writer int

const (
	byClient writer = iota
	byAdmin
)

// checkAttributes validates attributes against the pool's schema and
// returns them as a map.
func (p *pool) checkAttributes(attrs []attribute, by writer) (map[string]string, error) {
	out := make(map[string]string, len(attrs))
	for _, a := range attrs {
		if a.Name == "" {
			return nil, invalidParameter("Attributes did not conform to the schema: an attribute has no name")
		}
		if a.Name == attrSub {
			return nil, invalidParameter("Attributes did not conform to the schema: sub: Attribute cannot be updated. (changing an immutable attribute)")
		}
		if !p.schema[a.Name] {
			return nil, invalidParameter("Attributes did not conform to the schema: %s: Attribute does not exist in the schema.\n", a.Name)
		}
		if _, dup := out[a.Name]; dup {
			return nil, invalidParameter("Attributes did not conform to the schema: %s: Attribute is given more than once.", a.Name)
		}
		if by == byClient && (a.Name == attrEmailVerified || a.Name == attrPhoneVerified) {
			return nil, apiError(errNotAuthorized, "A client attempted to write unauthorized attribute")
		}
		if utf8.RuneCountInString(a.Value) > maxAttributeLength {
			return nil, invalidParameter("Attributes did not conform to the schema: %s: String must be no longer than %d characters", a.Name, maxAttributeLength)
		}
		switch a.Name {
		case attrEmail:
			if !emailPattern.MatchString(a.Value) {
				return nil, invalidParameter("Invalid email address format.")
			}
		case attrPhone:
			if !phonePattern.MatchString(a.Value) {
				return nil, invalidParameter("Invalid phone number format.")
			}
		case attrEmailVerified, attrPhoneVerified:
			if a.Value != "true" && a.Value != "false" {
				return nil, invalidParameter("Attributes did not conform to the schema: %s: Value must be true or false", a.Name)
			}
		}
		out[a.Name] = a.Value
	}
	return out, nil
}

// checkRequired reports the first required attribute attrs lacks.
func (p *pool) checkRequired(attrs map[string]string) error {
	for _, a := range p.required {
		if attrs[a] == "" {
			return invalidParameter("Attributes did not conform to the schema: %s: The attribute is required\n", a)
		}
	}
	return nil
}

// signInName works out, for a username-attribute pool, which attribute the
// name given at sign-up is, and sets that attribute from it. Plain pools
// take any name matching Cognito's username pattern.
func (p *pool) signInName(name string, attrs map[string]string) (signInAttr string, err error) {
	if !p.usernameIsAttribute() {
		if !usernamePattern.MatchString(name) {
			return "", invalidParameter("1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+")
		}
		return "", nil
	}
	switch {
	case slices.Contains(p.usernameAttrs, attrEmail) && emailPattern.MatchString(name):
		signInAttr = attrEmail
	case slices.Contains(p.usernameAttrs, attrPhone) && phonePattern.MatchString(name):
		signInAttr = attrPhone
	case len(p.usernameAttrs) == 2:
		return "", invalidParameter("Username should be either an email or a phone number.")
	case p.usernameAttrs[0] == attrEmail:
		return "", invalidParameter("Username should be an email.")
	default:
		return "", invalidParameter("Username should be a phone number.")
	}
	if v, ok := attrs[signInAttr]; ok && fold(v) != fold(name) {
		// Cognito derives the attribute from the username; a different
		// value in the attributes would make two sign-in names for one user.
		return "", invalidParameter("Username and %s attribute do not match.", signInAttr)
	}
	attrs[signInAttr] = name
	return signInAttr, nil
}

// attributeList is the user's attributes as the API lists them: sub first,
// then by name.
func (u *user) attributeList(only []string) []attribute {
	names := make([]string, 0, len(u.attrs))
	for name := range u.attrs {
		if name != attrSub {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	names = append([]string{attrSub}, names...)
	out := make([]attribute, 0, len(names))
	for _, name := range names {
		if len(only) > 0 && !slices.Contains(only, name) {
			continue
		}
		out = append(out, attribute{Name: name, Value: u.attrs[name]})
	}
	return out
}

// eventAttributes are the attributes triggers receive: every attribute
// plus the user's status, as Cognito sends them.
func (u *user) eventAttributes() map[string]string {
	out := make(map[string]string, len(u.attrs)+1)
	for k, v := range u.attrs {
		out[k] = v
	}
	out["cognito:user_status"] = u.status
	return out
}

// userType is the UserType of AdminCreateUser and ListUsers.
type userType struct {
	Username             string      `json:"Username"`
	Attributes           []attribute `json:"Attributes"`
	UserCreateDate       epoch       `json:"UserCreateDate"`
	UserLastModifiedDate epoch       `json:"UserLastModifiedDate"`
	Enabled              bool        `json:"Enabled"`
	UserStatus           string      `json:"UserStatus"`
}

func (u *user) userType(only []string) userType {
	return userType{
		Username:             u.username,
		Attributes:           u.attributeList(only),
		UserCreateDate:       epoch(u.created),
		UserLastModifiedDate: epoch(u.modified),
		Enabled:              !u.disabled,
		UserStatus:           u.status,
	}
}

// epoch is a timestamp in the JSON 1.1 protocol: seconds since the epoch,
// with a fraction.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(time.Time(e).UnixMilli())/1000, 'f', 3, 64), nil
}
