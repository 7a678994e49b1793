// Package userattr names the user pool attributes the app reads and
// writes: Cognito's standard ones it uses and the stage's custom ones. The
// stage declares the custom attributes on its pool from Custom (through the
// library's attr.Custom), the triggers and the smoke run read and write
// them by Key, so a renamed attribute is renamed everywhere at once.
package userattr

// Standard attributes, as Cognito names them.
const (
	Email         = "email"
	EmailVerified = "email_verified"
	PhoneNumber   = "phone_number"
	PhoneVerified = "phone_number_verified"
	Name          = "name"
	Sub           = "sub"
)

// Custom is a custom attribute of the stage's pool: a string of at most
// MaxLen characters, which the user may edit when Mutable.
type Custom struct {
	// Name without the "custom:" prefix, e.g. "company".
	Name    string
	MaxLen  int
	Mutable bool
}

// Key is the name tokens and the user pool API use: "custom:<Name>".
func (c Custom) Key() string { return "custom:" + c.Name }

// Custom attributes of the stage's user pool: profile fields a user sets at
// sign-up and edits (company), and one only an administrator sets
// (role_name; authorization roles are Cognito groups).
var (
	Company  = Custom{Name: "company", MaxLen: 256, Mutable: true}
	RoleName = Custom{Name: "role_name", MaxLen: 64, Mutable: true}
)

// Declared are the custom attributes the stage's pool declares. Removing
// one replaces the pool.
func Declared() []Custom { return []Custom{Company, RoleName} }
