// Package stackinfo is what a client of a running stage needs: its
// endpoints, pool and client ids. The local stack writes it; the smoke
// command and front ends read it. It links no emulator, so cmd/smoke, which
// also checks deployed stages, stays small.
package stackinfo

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// Info is what a client of the local stack needs: the same values a
// deployed stage's stack outputs give, plus the local endpoints.
type Info struct {
	Region           string `json:"region"`
	APIURL           string `json:"apiUrl"`
	CognitoEndpoint  string `json:"cognitoEndpoint"`
	IdentityEndpoint string `json:"identityEndpoint"`
	DynamoDBEndpoint string `json:"dynamodbEndpoint"`
	S3Endpoint       string `json:"s3Endpoint"`
	UserPoolID       string `json:"userPoolId"`
	Issuer           string `json:"issuer"`
	SPAClientID      string `json:"spaClientId"`
	ServerClientID   string `json:"serverClientId"`
	// ServerClientSecret is shown for local use only; a deployed stage
	// keeps its secret in Cognito.
	ServerClientSecret string `json:"serverClientSecret"`
	// CLIClientID is the client of command-line sign-in (USER_PASSWORD_AUTH,
	// no secret) of a stage that has one (dev), the stack output
	// CliClientId; empty otherwise.
	CLIClientID    string `json:"cliClientId,omitempty"`
	IdentityPoolID string `json:"identityPoolId"`
	// TodosTable and PhotosBucket are the resources identity-pool
	// credentials reach directly, within the caller's own partition and
	// private/<identity id>/ folder.
	TodosTable   string `json:"todosTable"`
	PhotosBucket string `json:"photosBucket"`
	// ClockURL moves the stack's clock forward (POST ?by=2h): tokens
	// expire without waiting.
	ClockURL string `json:"clockUrl"`
	// CodeURL reads the last code or temporary password the user pool sent
	// a user (GET ?username=...), which the dev log also shows: scripts
	// and the smoke run confirm and reset with it.
	CodeURL string `json:"codeUrl,omitempty"`
	// CognitoDomain is the prefix of the pool's domain; CognitoDomainURL
	// serves that domain's OAuth 2.0 endpoints and sign-in pages locally
	// (https://<prefix>.auth.<region>.amazoncognito.com in AWS).
	CognitoDomain    string `json:"cognitoDomain,omitempty"`
	CognitoDomainURL string `json:"cognitoDomainUrl,omitempty"`
	// SPACallbackURL and SPALogoutURL are the first callback and logout
	// URLs of the SPA client, where the hosted UI sends the browser.
	SPACallbackURL string `json:"spaCallbackUrl,omitempty"`
	SPALogoutURL   string `json:"spaLogoutUrl,omitempty"`
	// ServerCallbackURL is the confidential client's first callback URL,
	// its own (a server-side app's), not the SPA's.
	ServerCallbackURL string `json:"serverCallbackUrl,omitempty"`
	// AdminAccessKeyID and AdminSecretAccessKey sign Cognito admin calls.
	AdminAccessKeyID     string   `json:"adminAccessKeyId"`
	AdminSecretAccessKey string   `json:"adminSecretAccessKey"`
	TestUser             TestUser `json:"testUser"`
	// AppURL is the web app on its local origin: its files, /api and
	// config.json (the distribution's stand-in).
	AppURL string `json:"appUrl,omitempty"`
}

// TestUser is a confirmed user created at start.
type TestUser struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Write writes info as JSON to path.
func Write(path string, info Info) error {
	raw, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(raw, '\n'), 0o600)
}

// Read reads what Write wrote.
func Read(path string) (Info, error) {
	var info Info
	raw, err := os.ReadFile(path)
	if err != nil {
		return info, fmt.Errorf("reading the local stack's info (is `make dev` running?): %w", err)
	}
	if err := json.Unmarshal(raw, &info); err != nil {
		return info, fmt.Errorf("%s: %w", path, err)
	}
	return info, nil
}

// CognitoClient is an SDK client of the user pool described by info, with
// the stack's admin key.
func CognitoClient(info Info) *cip.Client {
	return cip.New(cip.Options{
		Region:       info.Region,
		BaseEndpoint: aws.String(info.CognitoEndpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(info.AdminAccessKeyID, info.AdminSecretAccessKey, ""),
	})
}
