// Package routes is the contract of the Portcullis HTTP API: every route, the
// function that serves it, how callers authenticate and the OAuth scope a
// route requires. The CDK stage builds API Gateway routes from it, the
// handlers check requests against it, and the local dev server routes by it,
// so the deployed and the local API cannot drift apart.
package routes

import (
	"fmt"
	"strings"

	"github.com/portcullis-cdk/portcullis/contract"
)

// ResourceServerID is the identifier of the API's Cognito resource server,
// the project's name; scopes in tokens read "<ResourceServerID>/<scope>".
const ResourceServerID = contract.Project

// Scopes of the resource server.
const (
	TodosRead   = "todos.read"
	TodosWrite  = "todos.write"
	PhotosRead  = "photos.read"
	PhotosWrite = "photos.write"
	ProfileRead = "profile.read"
)

// ScopeDescriptions describe every scope, in a stable order.
var ScopeDescriptions = []struct{ Name, Description string }{
	{TodosRead, "Read your todos"},
	{TodosWrite, "Create, change and delete your todos"},
	{PhotosRead, "List and download your photos"},
	{PhotosWrite, "Upload and delete your photos"},
	{ProfileRead, "Read your profile"},
}

// FullScope is the scope string a token carries, "portcullis/todos.read".
func FullScope(scope string) string { return ResourceServerID + "/" + scope }

// FullScopes are every scope of the API as tokens carry them.
func FullScopes() []string {
	out := make([]string, len(ScopeDescriptions))
	for i, s := range ScopeDescriptions {
		out[i] = FullScope(s.Name)
	}
	return out
}

// Auth is how callers of a route authenticate.
type Auth int

const (
	// JWT routes take a Cognito user pool access token (Authorization:
	// Bearer), checked by API Gateway's JWT authorizer. The owner of the
	// caller's data is the token's sub.
	JWT Auth = iota
	// IAM routes take requests signed (SigV4) with identity-pool credentials.
	// The owner of the caller's data is the Cognito identity id.
	IAM
)

func (a Auth) String() string {
	if a == IAM {
		return "iam"
	}
	return "jwt"
}

// Function names a Lambda function of the API.
type Function string

// The API's functions; each is a main package under lambdas/cmd/.
const (
	Todos   Function = "todos"
	Photos  Function = "photos"
	Profile Function = "profile"
	Random  Function = "random"
)

// Route is one method and path of the API.
type Route struct {
	Method   string
	Path     string // API Gateway syntax: /todos/{id}
	Function Function
	Auth     Auth
	// Scope required of JWT callers (without the resource server prefix);
	// empty for IAM routes, where the identity pool role's policy decides.
	Scope string
}

// Key is the API Gateway route key, "GET /todos/{id}", which also arrives in
// the Lambda event as routeKey.
func (r Route) Key() string { return r.Method + " " + r.Path }

// IAMPrefix starts the path of every IAM-authorized route.
const IAMPrefix = "/iam"

// All returns every route of the API.
func All() []Route {
	return []Route{
		{"GET", "/todos", Todos, JWT, TodosRead},
		{"POST", "/todos", Todos, JWT, TodosWrite},
		{"GET", "/todos/{id}", Todos, JWT, TodosRead},
		{"PUT", "/todos/{id}", Todos, JWT, TodosWrite},
		{"DELETE", "/todos/{id}", Todos, JWT, TodosWrite},

		{"GET", "/photos", Photos, JWT, PhotosRead},
		{"POST", "/photos", Photos, JWT, PhotosWrite},
		{"POST", "/photos/{id}/complete", Photos, JWT, PhotosWrite},
		{"DELETE", "/photos/{id}", Photos, JWT, PhotosWrite},

		{"GET", "/me", Profile, JWT, ProfileRead},
		// The sample endpoint: any signed-in user; profile.read is the scope
		// every client of the pool is given.
		{"GET", "/random", Random, JWT, ProfileRead},

		// The todo API's second layer: identity-pool callers sign with SigV4.
		{"GET", IAMPrefix + "/todos", Todos, IAM, ""},
		{"POST", IAMPrefix + "/todos", Todos, IAM, ""},
		{"GET", IAMPrefix + "/todos/{id}", Todos, IAM, ""},
		{"PUT", IAMPrefix + "/todos/{id}", Todos, IAM, ""},
		{"DELETE", IAMPrefix + "/todos/{id}", Todos, IAM, ""},
	}
}

// Functions returns the distinct functions of the API, in route order.
func Functions() []Function {
	var out []Function
	seen := map[Function]bool{}
	for _, r := range All() {
		if !seen[r.Function] {
			seen[r.Function] = true
			out = append(out, r.Function)
		}
	}
	return out
}

// ByKey returns the route with the given key ("GET /todos/{id}").
func ByKey(key string) (Route, bool) {
	for _, r := range All() {
		if r.Key() == key {
			return r, true
		}
	}
	return Route{}, false
}

// Match finds the route for a concrete method and path ("GET", "/todos/01J...")
// and returns it with its path parameters. The bool is false when no route
// has the path; methodOK is false when a route has the path but not the method.
func Match(method, path string) (r Route, params map[string]string, found, methodOK bool) {
	for _, cand := range All() {
		p, ok := matchPath(cand.Path, path)
		if !ok {
			continue
		}
		found = true
		if cand.Method == method {
			return cand, p, true, true
		}
	}
	return Route{}, nil, found, false
}

func matchPath(pattern, path string) (map[string]string, bool) {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(xs) {
		return nil, false
	}
	params := map[string]string{}
	for i, seg := range ps {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			if xs[i] == "" {
				return nil, false
			}
			params[seg[1:len(seg)-1]] = xs[i]
			continue
		}
		if seg != xs[i] {
			return nil, false
		}
	}
	return params, true
}

// Validate checks the table itself: unique keys, a scope on every JWT route
// and none on IAM routes, IAM routes under IAMPrefix.
func Validate(rs []Route) error {
	seen := map[string]bool{}
	for _, r := range rs {
		switch {
		case seen[r.Key()]:
			return fmt.Errorf("route %q declared twice", r.Key())
		case r.Auth == JWT && r.Scope == "":
			return fmt.Errorf("JWT route %q has no scope", r.Key())
		case r.Auth == IAM && r.Scope != "":
			return fmt.Errorf("IAM route %q has a scope; IAM policies authorize it", r.Key())
		case r.Auth == IAM && !strings.HasPrefix(r.Path, IAMPrefix+"/"):
			return fmt.Errorf("IAM route %q is not under %s", r.Key(), IAMPrefix)
		}
		seen[r.Key()] = true
	}
	return nil
}
