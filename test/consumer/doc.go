// Package platform is a platform team's CDK app as the construct library's
// users write one: its own module on Go 1.24, requiring the library (here
// through a replace of the copy in this repository) and nothing else of
// Portcullis, around a user pool and an HTTP API the team already has. Its
// test synthesizes the app, checks the template, and checks that requiring
// the library raised neither the go line nor the CDK beyond the library's
// floor.
package platform
