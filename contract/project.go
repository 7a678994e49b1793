package contract

// The app's names, in one place: `go run ./cmd/rename` rewrites them with
// the module path (docs/make-it-yours.md), and the Makefile reads Project
// from this file.
const (
	// Project names the app in AWS and on this machine: every stage's
	// stack is "<Project>-<stage>" (cdk.out/<Project>-dev.template.json),
	// its resources carry a project tag of it, and the API's resource
	// server is Project (tokens carry "<Project>/todos.read"). 3 to 32
	// lower-case letters, digits or hyphens, starting with a letter.
	Project = "portcullis"
	// Brand names the app to people: the user pool's emails and texts,
	// the sender name of a stage's email, the stacks' descriptions and the
	// local stack's banner.
	Brand = "Portcullis"
)
