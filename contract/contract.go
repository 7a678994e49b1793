// Package contract names what the CDK side and the local stack (and the
// smoke run) both rely on: the construct ids the local stack finds
// resources by, and the stack outputs a client of a deployed stage reads.
// Renaming one here renames it on both sides at once, so a rename breaks
// the build, not `make dev` at run time. The environment variables that
// carry resource names into functions are in lambdas/schema, the API's
// routes and scopes in lambdas/routes.
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
