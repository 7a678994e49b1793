// Package contract is what the CDK side (stage), the handlers (lambdas),
// the local stack (internal/devstack) and the smoke run all rely on, named
// once so a rename breaks the build, not `make dev` or a deployed stage at
// run time. This package holds the construct ids the local stack finds
// resources by and the stack outputs a client of a deployed stage reads;
// its sub-packages hold the rest:
//
//   - routes: the HTTP API's routes, the functions serving them, their
//     authorization and the resource server's scopes;
//   - schema: the DynamoDB tables' keys and the environment variables that
//     carry resource names and settings into the functions;
//   - userattr: the user pool attributes the app reads and writes;
//   - webconfig: the web app's config.json.
//
// The tree imports nothing of the app and nothing of the construct library
// (constructs/), so a handler links neither the CDK nor the stage; the
// stage hands the library what it needs of it through the library's props.
package contract

// Construct ids of the app clients, below the stack.
const (
	// Clients is the id of the stage's auth.AppClients.
	Clients = "Clients"
	// SPAClient and ServerClient are the ids of its two clients.
	SPAClient    = "SPA"
	ServerClient = "Server"
	// SPAClientPath and ServerClientPath are the clients' construct paths
	// below the stack, which the local stack derives client ids from.
	SPAClientPath    = Clients + "/" + SPAClient
	ServerClientPath = Clients + "/" + ServerClient
	// CLIClient is the id of the command-line sign-in client of stages
	// that have one (stage.Config.CLIClient), CLIClientPath its path.
	CLIClient     = "CLI"
	CLIClientPath = Clients + "/" + CLIClient
)

// Stack outputs of a stage (CfnOutput ids), read by the smoke run and
// front ends.
const (
	OutputRegion           = "Region"
	OutputUserPoolID       = "UserPoolId"
	OutputUserPoolIssuer   = "UserPoolIssuer"
	OutputSPAClientID      = "SpaClientId"
	OutputServerClientID   = "ServerClientId"
	OutputCLIClientID      = "CliClientId"
	OutputHostedUIURL      = "HostedUiUrl"
	OutputIdentityPoolID   = "IdentityPoolId"
	OutputAPIURL           = "ApiUrl"
	OutputPhotosBucketName = "PhotosBucketName"
	OutputTodosTableName   = "TodosTableName"
	OutputAppURL           = "AppUrl"
)
