//go:build !unix

package locallambda

// lockDir does not lock where flock is missing: concurrent builds into one
// directory are then the caller's to avoid.
func lockDir(string) (func(), error) { return func() {}, nil }
