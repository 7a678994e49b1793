// Package attr names the standard user attributes of a Cognito user pool and
// describes custom ones.
//
// It has no CDK dependency, so Lambda handlers read attributes by the same
// typed names that the CDK constructs declare them with: an app that
// declares its custom attributes as Custom values once renames one
// everywhere at compile time.
package attr

import (
	"fmt"
	"regexp"
)

// Standard attributes of every pool (OpenID Connect claim names).
const (
	Email         = "email"
	EmailVerified = "email_verified"
	PhoneNumber   = "phone_number"
	PhoneVerified = "phone_number_verified"
	Name          = "name"
	Sub           = "sub"
)

// Custom describes a custom string attribute of a user pool.
type Custom struct {
	// Name without the "custom:" prefix, for example "company".
	Name string
	// MaxLen is the longest value Cognito accepts, in characters (1 to 2048).
	MaxLen int
	// Mutable reports whether a user may change the value after sign-up.
	// Changing it later replaces nothing but cannot be undone either way
	// without a new pool, so pick it deliberately.
	Mutable bool
}

// Key is the attribute's name as Cognito reports it in tokens, events and
// the user APIs, for example "custom:company".
func (c Custom) Key() string { return "custom:" + c.Name }

// Cognito: custom attribute names are 1-20 characters of [a-zA-Z0-9_:-]...
// we keep to lower snake case so they read the same in every language.
var customName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,19}$`)

// Validate reports whether Cognito would accept the attribute definition.
func (c Custom) Validate() error {
	if !customName.MatchString(c.Name) {
		return fmt.Errorf("custom attribute name %q: want 1-20 lower-case letters, digits or underscores, starting with a letter", c.Name)
	}
	if c.MaxLen < 1 || c.MaxLen > 2048 {
		return fmt.Errorf("custom attribute %q: MaxLen %d out of range 1..2048", c.Name, c.MaxLen)
	}
	return nil
}
