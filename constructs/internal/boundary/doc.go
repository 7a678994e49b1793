// Package boundary holds the test that keeps the construct library a module
// of its own: no package of it, tests included, links a package of the app
// around it or cdk-nag, whatever go.mod allows.
package boundary
