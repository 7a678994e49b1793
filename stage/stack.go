package stage

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
	"github.com/portcullis-cdk/portcullis/constructs/data"
	"github.com/portcullis-cdk/portcullis/constructs/edge"
	"github.com/portcullis-cdk/portcullis/constructs/gateway"
	"github.com/portcullis-cdk/portcullis/constructs/golambda"
	"github.com/portcullis-cdk/portcullis/constructs/monitoring"
	"github.com/portcullis-cdk/portcullis/constructs/storage"
	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
)

// Stack is one deployed stage and the constructs it is made of, exposed so
// tests and extensions can reach every resource.
type Stack struct {
	// Stack is the CloudFormation stack; pass it where a scope is wanted.
	Stack   awscdk.Stack
	Config  Config
	Users   *auth.UserPool
	Clients *auth.AppClients
	// Groups are the pool's Cognito groups by name.
	Groups   map[string]awscognito.CfnUserPoolGroup
	Identity *auth.IdentityPool
	// Tables by schema name ("todos", "photos", "profiles").
	Tables map[string]*data.Table
	Photos *storage.Bucket
	// Functions of the API by routes.Function, and the Cognito triggers by
	// their main package name ("presignup", ...).
	Functions map[routes.Function]*golambda.Function
	Triggers  map[string]*golambda.Function
	API       *gateway.API
	// Monitor holds the stage's alarms, their topic and the dashboard.
	Monitor *monitoring.Monitor
	// Edge is the distribution serving the app and, under /api, the API.
	Edge *edge.Edge
}

// New validates cfg and builds its stage as a stack of scope (usually the
// app), with cdk-nag's AwsSolutions checks attached.
func New(scope constructs.Construct, cfg Config) (*Stack, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var env *awscdk.Environment
	if cfg.Account != "" || cfg.Region != "" {
		env = &awscdk.Environment{}
		if cfg.Account != "" {
			env.Account = jsii.String(cfg.Account)
		}
		if cfg.Region != "" {
			env.Region = jsii.String(cfg.Region)
		}
	}
	stack := awscdk.NewStack(scope, jsii.String(cfg.StackName()), &awscdk.StackProps{
		StackName:   jsii.String(cfg.StackName()),
		Env:         env,
		Description: jsii.String(fmt.Sprintf("%s %s stage: sign-in, API, data and storage", contract.Brand, cfg.Name)),
		// The stage's own bootstrap: its deploy role is the only one the
		// stage's GitHub deploy role may assume.
		Synthesizer: awscdk.NewDefaultStackSynthesizer(&awscdk.DefaultStackSynthesizerProps{
			Qualifier: jsii.String(cfg.Qualifier()),
		}),
	})
	awscdk.Tags_Of(stack).Add(jsii.String("project"), jsii.String(cfg.Project), nil)
	awscdk.Tags_Of(stack).Add(jsii.String("stage"), jsii.String(cfg.Name), nil)

	s := &Stack{Stack: stack, Config: cfg}
	PrebuildFunctions()
	s.addData()
	s.addAuth()
	s.addGroups()
	s.addAPI()
	if err := s.addEdge(); err != nil {
		return nil, err
	}
	s.grantIdentityPool()
	s.addMonitoring()
	s.addOutputs()

	awscdk.Aspects_Of(stack).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	s.suppressNagFindings()
	return s, nil
}

func (s *Stack) ephemeral() bool { return s.Config.Removal == Destroy }

func (s *Stack) addData() {
	s.Tables = map[string]*data.Table{}
	for _, t := range schema.Tables() {
		s.Tables[t.Name] = data.NewTable(s.Stack, title(t.Name)+"Table", &data.TableProps{
			PartitionKey: t.PartitionKey,
			SortKey:      t.SortKey,
			TTLAttribute: t.TTL,
			Ephemeral:    s.ephemeral(),
		})
	}
	s.Photos = storage.NewBucket(s.Stack, "Photos", &storage.BucketProps{
		// Without Web.Domain the app's origin is known only once the
		// distribution exists: photoCORS sets the rule then.
		CORSOrigins: s.Config.photoCORSOrigins(),
		Expirations: []storage.Expiration{{Prefix: schema.UploadPrefix, Days: schema.UploadDays}},
		Ephemeral:   s.ephemeral(),
	})
	s.boundPhotoWrites()
}

// boundPhotoWrites denies every principal a write (PutObject, CopyObject,
// a multipart upload's parts) that names a storage class other than
// STANDARD (DEEP_ARCHIVE bills 180 days of whatever was written), or that
// does not ask for server-side encryption: the photos function signs
// x-amz-server-side-encryption into its presigned PUTs and sends it with
// its copies. A write without a storage class is STANDARD.
// The condition keys of a write's x-amz-storage-class and
// x-amz-server-side-encryption headers.
const (
	storageClassKey = "s3:x-amz-storage-class"
	encryptionKey   = "s3:x-amz-server-side-encryption"
)

func (s *Stack) boundPhotoWrites() {
	objects := s.Photos.Bucket.ArnForObjects(jsii.String("*"))
	deny := func(sid string, conditions map[string]any) {
		s.Photos.Bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String(sid),
			Effect:     awsiam.Effect_DENY,
			Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
			Actions:    jsii.Strings("s3:PutObject"),
			Resources:  &[]*string{objects},
			Conditions: &conditions,
		}))
	}
	deny("DenyStorageClassOtherThanStandard", map[string]any{
		"StringNotEquals": map[string]any{storageClassKey: "STANDARD"},
		"Null":            map[string]any{storageClassKey: "false"},
	})
	deny("DenyWritesWithoutServerSideEncryption", map[string]any{
		"Null": map[string]any{encryptionKey: "true"},
	})
}

// triggerNames are the main packages of the Cognito triggers in lambdas/cmd.
var triggerNames = []string{"presignup", "custommessage", "postconfirmation", "pretokengen"}

// functionPackage is the main package of a function: lambdas/cmd/<name>.
func functionPackage(name string) string { return "./lambdas/cmd/" + name }

// PrebuildFunctions starts compiling every function of a stage, in one go
// build in the background (golambda.Prebuild). New does it too; an app that
// calls it before awscdk.NewApp overlaps the build with jsii's start.
func PrebuildFunctions() {
	var pkgs []string
	for _, f := range routes.Functions() {
		pkgs = append(pkgs, functionPackage(string(f)))
	}
	for _, name := range triggerNames {
		pkgs = append(pkgs, functionPackage(name))
	}
	golambda.Prebuild("", pkgs...)
}

// function builds lambdas/cmd/<name> with the stage's log settings.
func (s *Stack) function(id, name, description string, env map[string]string) *golambda.Function {
	return golambda.NewFunction(s.Stack, id, &golambda.FunctionProps{
		Package:          functionPackage(name),
		Description:      description,
		Environment:      env,
		LogRetentionDays: s.Config.LogRetentionDays,
		Ephemeral:        s.ephemeral(),
	})
}

// allow adds one least-privilege statement to a function's role.
func allow(fn *golambda.Function, actions []string, resources ...*string) {
	fn.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: &resources,
	}))
}

var (
	itemReadWrite = []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"}
	objectRWD     = []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
	// idempotencyRecords claim, read, complete and release one record.
	idempotencyRecords = []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
)

// RefreshTokenRotationGrace is how long the SPA client's rotated-out
// refresh token still works: a refresh whose answer was lost (a dropped
// connection, a closed tab) can be retried with it for this long, and
// after it the token presented again ends its whole session. The client
// refreshes as it signs in, from one tab at a time, so a few seconds
// cover a retry without keeping a stolen token useful.
const RefreshTokenRotationGrace = 10 * time.Second

func (s *Stack) addAuth() {
	cfg := s.Config
	profiles := s.Tables[schema.Profiles.Name].Table
	s.Triggers = map[string]*golambda.Function{
		"presignup": s.function("PreSignUp", "presignup", "Cognito pre sign-up: allowed email domains and phone calling codes",
			map[string]string{
				schema.AllowedEmailDomainsEnv: strings.Join(cfg.AllowedEmailDomains, ","),
				schema.AllowedCallingCodesEnv: strings.Join(cfg.AllowedCallingCodes, ","),
			}),
		"custommessage": s.function("CustomMessage", "custommessage", "Cognito custom message: verification codes by SMS and email",
			map[string]string{schema.AppNameEnv: contract.Brand}),
		"postconfirmation": s.function("PostConfirmation", "postconfirmation", "Cognito post confirmation: creates the user's profile",
			map[string]string{schema.Profiles.Env: *profiles.TableName()}),
		// Named, so the pool can name it before it exists: its environment
		// names the app clients, which are created after the pool.
		"pretokengen": golambda.NewFunction(s.Stack, "PreTokenGeneration", &golambda.FunctionProps{
			Package:          functionPackage("pretokengen"),
			Description:      "Cognito pre token generation: each app client's API scopes for SDK and CLI sign-ins",
			FunctionName:     cfg.preTokenGenerationName(),
			LogRetentionDays: cfg.LogRetentionDays,
			Ephemeral:        s.ephemeral(),
		}),
	}
	allow(s.Triggers["postconfirmation"], []string{"dynamodb:PutItem"}, profiles.TableArn())

	poolProps := cfg.userPoolProps()
	poolProps.Triggers = auth.Triggers{
		PreSignUp:              s.Triggers["presignup"].Function,
		CustomMessage:          s.Triggers["custommessage"].Function,
		PostConfirmation:       s.Triggers["postconfirmation"].Function,
		PreTokenGeneration:     s.Triggers["pretokengen"].Function,
		PreTokenGenerationName: cfg.preTokenGenerationName(),
	}
	s.Users = auth.NewUserPool(s.Stack, "Users", &poolProps)
	s.Clients = auth.NewAppClients(s.Stack, contract.Clients, &auth.AppClientsProps{
		UserPool:             s.Users.Pool,
		ResourceServerID:     routes.ResourceServerID,
		Scopes:               scopes(),
		CallbackURLs:         cfg.CallbackURLs,
		LogoutURLs:           cfg.LogoutURLs,
		ServerCallbackURLs:   cfg.ServerCallbackURLs,
		AccessTokenValidity:  cfg.AccessTokenValidity,
		IDTokenValidity:      cfg.IDTokenValidity,
		RefreshTokenValidity: cfg.RefreshTokenValidity,
		AuthSessionValidity:  cfg.AuthSessionValidity,
		SPAUserAuth:          true,
		// A public client's refresh tokens rotate (RFC 9700).
		SPARefreshTokenRotation: &auth.RefreshTokenRotation{GracePeriod: RefreshTokenRotationGrace},
		SPAScopes:               cfg.SPAScopes,
		ServerScopes:            cfg.ServerScopes,
		CLIClient:               cfg.CLIClient,
		CLIScopes:               cfg.cliScopes(),
		// custom:role_name is a job title users set at sign-up and edit,
		// shown on their profile; roles that authorize are groups.
		ReadAttributes:    append(auth.DefaultReadAttributes(), customAttributeKeys()...),
		WriteAttributes:   append(auth.DefaultWriteAttributes(), customAttributeKeys()...),
		SPAConstructID:    contract.SPAClient,
		ServerConstructID: contract.ServerClient,
		CLIConstructID:    contract.CLIClient,
	})
	s.Triggers["pretokengen"].Function.AddEnvironment(jsii.String(schema.ClientScopesEnv), jsii.String(clientScopes(s.Clients.Grants())), nil)
	s.Identity = auth.NewIdentityPool(s.Stack, "Identity", &auth.IdentityPoolProps{
		UserPool: s.Users.Pool,
		Clients:  []awscognito.IUserPoolClient{s.Clients.SPA},
	})
}

// addGroups creates the pool's Cognito groups, the users' authorization
// roles: tokens carry a user's groups in cognito:groups, and only an
// administrator adds users to them.
func (s *Stack) addGroups() {
	s.Groups = map[string]awscognito.CfnUserPoolGroup{}
	for i, g := range s.Config.groups() {
		s.Groups[g] = awscognito.NewCfnUserPoolGroup(s.Stack, jsii.String("Group"+groupID(g)), &awscognito.CfnUserPoolGroupProps{
			UserPoolId:  s.Users.Pool.UserPoolId(),
			GroupName:   jsii.String(g),
			Description: jsii.String("Authorization role " + g + " (tokens carry it in cognito:groups)"),
			// The first group listed wins where a user is in several.
			Precedence: jsii.Number(float64(i)),
		})
	}
}

// groupID is a construct id for a group name: its letters and digits, and
// its bytes in hex when it has others, so two names never share an id.
func groupID(name string) string {
	clean := strings.Map(func(r rune) rune {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return r
		}
		return -1
	}, name)
	if clean == name {
		return title(name)
	}
	return title(clean) + hex.EncodeToString([]byte(name))
}

func (s *Stack) addAPI() {
	todos := s.Tables[schema.Todos.Name].Table
	photos := s.Tables[schema.Photos.Name].Table
	profiles := s.Tables[schema.Profiles.Name].Table
	once := s.Tables[schema.Idempotency.Name].Table
	usage := s.Tables[schema.Usage.Name].Table
	bucket := s.Photos.Bucket
	q := s.Config.quotas()

	s.Functions = map[routes.Function]*golambda.Function{
		routes.Todos: s.function("TodosFunction", "todos", "Todos of the caller",
			map[string]string{schema.Todos.Env: *todos.TableName(), schema.Idempotency.Env: *once.TableName(),
				// Its IAM routes take identities of this pool only.
				schema.IdentityPoolEnv: *s.Identity.IdentityPoolID(),
				schema.Usage.Env:       *usage.TableName(), schema.TodosQuotaEnv: fmt.Sprint(q.Todos)}),
		routes.Photos: s.function("PhotosFunction", "photos", "Photo uploads and listing of the caller",
			map[string]string{schema.Photos.Env: *photos.TableName(), schema.PhotosBucketEnv: *bucket.BucketName(), schema.Idempotency.Env: *once.TableName(),
				schema.Usage.Env: *usage.TableName(), schema.PhotosQuotaEnv: fmt.Sprint(q.Photos), schema.PhotoBytesQuotaEnv: fmt.Sprint(q.PhotoBytes)}),
		routes.Profile: s.function("ProfileFunction", "profile", "The caller's profile",
			map[string]string{schema.Profiles.Env: *profiles.TableName()}),
		routes.Random: s.function("RandomFunction", "random", "An authenticated random number", nil),
	}
	allow(s.Functions[routes.Todos], itemReadWrite, todos.TableArn())
	allow(s.Functions[routes.Photos], itemReadWrite, photos.TableArn())
	// Idempotency-Key records of POST /todos and POST /photos: single-item
	// calls only, never a Query.
	allow(s.Functions[routes.Todos], idempotencyRecords, once.TableArn())
	allow(s.Functions[routes.Photos], idempotencyRecords, once.TableArn())
	// Quota counters: one item per owner, raised and lowered by UpdateItem;
	// photos also reads it to refuse an upload there is no room for.
	allow(s.Functions[routes.Todos], []string{"dynamodb:UpdateItem"}, usage.TableArn())
	allow(s.Functions[routes.Photos], []string{"dynamodb:GetItem", "dynamodb:UpdateItem"}, usage.TableArn())
	// Presigned URLs carry the function's own permissions to S3; completing
	// an upload copies it from the upload prefix to the photo prefix.
	allow(s.Functions[routes.Photos], objectRWD,
		bucket.ArnForObjects(jsii.String(schema.UploadPrefix+"*")), bucket.ArnForObjects(jsii.String(schema.PhotoPrefix+"*")))
	// Completing an upload asks HeadObject whether it arrived. S3 answers a
	// missing key with 404 only to a caller that may list the bucket, and
	// with 403 otherwise, so without this the handler could not tell "not
	// uploaded yet" (409) from a real failure (500). A GetObject carries no
	// s3:prefix, so a prefix-conditioned grant would not count here.
	allow(s.Functions[routes.Photos], []string{"s3:ListBucket"}, bucket.BucketArn())
	allow(s.Functions[routes.Profile], []string{"dynamodb:GetItem"}, profiles.TableArn())

	if err := servedRoutes(s.Functions); err != nil {
		panic(err)
	}
	var rs []gateway.Route
	for _, r := range routes.All() {
		gr := gateway.Route{Method: r.Method, Path: r.Path, Handler: s.Functions[r.Function].Function, Auth: gateway.JWT}
		if r.Auth == routes.IAM {
			gr.Auth = gateway.IAM
		} else {
			gr.Scopes = []string{routes.FullScope(r.Scope)}
		}
		rs = append(rs, gr)
	}
	s.API = gateway.NewAPI(s.Stack, "Api", &gateway.APIProps{
		Domain:                 s.apiDomain(),
		AccessLogCallerClaim:   httpapi.CallerClaim,
		Name:                   s.Config.StackName(),
		Routes:                 rs,
		JWTIssuer:              s.Users.IssuerURL(),
		JWTAudience:            s.Clients.ClientIDs(),
		CORSOrigins:            s.Config.Origins(),
		ThrottleRate:           s.Config.ThrottleRate,
		ThrottleBurst:          s.Config.ThrottleBurst,
		AccessLogRetentionDays: s.Config.LogRetentionDays,
		Ephemeral:              s.ephemeral(),
	})
}

// servedRoutes checks that the stage makes the function of every route: a
// route added to the contract without its function here is a clear error,
// not a nil function deep in the API's construct.
func servedRoutes(fns map[routes.Function]*golambda.Function) error {
	var errs []error
	for _, f := range routes.Functions() {
		if fns[f] == nil {
			errs = append(errs, fmt.Errorf("stage: function %q serves routes of contract/routes, but the stage does not make it: add it to Stack.Functions in addAPI (stage/stack.go; docs/make-it-yours.md)", f))
		}
	}
	return errors.Join(errs...)
}

// apiDomain is the API's custom domain in a stage with a Web.Domain: the
// API then answers only there, behind the distribution (nil otherwise).
// TLS 1.2, as the distribution's viewers.
func (s *Stack) apiDomain() awsapigatewayv2.IDomainName {
	w := s.Config.Web
	if w.Domain == "" {
		return nil
	}
	return awsapigatewayv2.NewDomainName(s.Stack, jsii.String("ApiDomain"), &awsapigatewayv2.DomainNameProps{
		DomainName:     jsii.String(w.apiDomain()),
		Certificate:    awscertificatemanager.Certificate_FromCertificateArn(s.Stack, jsii.String("ApiCertificate"), jsii.String(w.APICertificateARN)),
		SecurityPolicy: awsapigatewayv2.SecurityPolicy_TLS_1_2,
	})
}

// grantIdentityPool gives identity-pool callers the todo API's second and third
// layers: invoking the IAM routes, their own todos, and reading their photo
// folder.
func (s *Stack) grantIdentityPool() {
	s.Identity.GrantOwnItems(s.Tables[schema.Todos.Name].Table, schema.Todos.Attributes, itemReadWrite...)
	// No s3:PutObject: IAM bounds neither an object's size nor its content
	// type, so direct writes could store any number of bytes, or an HTML
	// page a self-signed URL serves. Photos are written through the API,
	// whose presigned PUT signs both (see docs/security.md); callers keep
	// reading, listing and deleting what their folder holds.
	s.Identity.GrantOwnObjects(s.Photos.Bucket, schema.PhotoPrefix, "s3:GetObject", "s3:DeleteObject")
	var arns []*string
	for _, r := range routes.All() {
		if r.Auth == routes.IAM {
			arns = append(arns, s.API.InvokeARN(r.Method, r.Path))
		}
	}
	s.Identity.GrantInvoke(arns...)
}

// addMonitoring alarms on every function (API handlers and triggers), the
// API, the tables and the user pool.
func (s *Stack) addMonitoring() {
	fns := map[string]awslambda.IFunction{}
	for name, fn := range s.Functions {
		fns[title(string(name))] = fn.Function
	}
	for name, fn := range s.Triggers {
		fns[title(name)] = fn.Function
	}
	tables := map[string]awsdynamodb.ITable{}
	for name, t := range s.Tables {
		tables[title(name)] = t.Table
	}
	s.Monitor = monitoring.NewMonitor(s.Stack, "Monitoring", &monitoring.MonitorProps{
		Functions:       fns,
		API:             s.API.API,
		Tables:          tables,
		UserPool:        s.Users.Pool,
		UserPoolClients: s.clients(),
		Email:           s.Config.AlarmEmail,
		Thresholds:      s.Config.Alarms,
		DashboardName:   s.Config.StackName(),
		Ephemeral:       s.ephemeral(),
	})
}

// clients are the stage's app clients.
func (s *Stack) clients() []awscognito.IUserPoolClient {
	out := []awscognito.IUserPoolClient{s.Clients.SPA, s.Clients.Server}
	if s.Clients.CLI != nil {
		out = append(out, s.Clients.CLI)
	}
	return out
}

func (s *Stack) output(id, description string, value *string) {
	awscdk.NewCfnOutput(s.Stack, jsii.String(id), &awscdk.CfnOutputProps{
		Description: jsii.String(description),
		Value:       value,
	})
}

// addOutputs exports what a front end or the smoke command needs; never a
// secret (the server client's secret stays in Cognito).
func (s *Stack) addOutputs() {
	s.output(contract.OutputRegion, "Region of every resource of the stage", s.Stack.Region())
	s.output(contract.OutputUserPoolID, "Cognito user pool id", s.Users.Pool.UserPoolId())
	s.output(contract.OutputUserPoolIssuer, "Issuer (iss) of the pool's tokens", s.Users.IssuerURL())
	s.output(contract.OutputSPAClientID, "Public SPA app client id (authorization code + PKCE)", s.Clients.SPA.UserPoolClientId())
	s.output(contract.OutputServerClientID, "Confidential app client id (secret in Cognito)", s.Clients.Server.UserPoolClientId())
	if s.Clients.CLI != nil {
		s.output(contract.OutputCLIClientID, "Command-line app client id (USER_PASSWORD_AUTH, no secret)", s.Clients.CLI.UserPoolClientId())
	}
	s.output(contract.OutputHostedUIURL, "Base URL of the Cognito-hosted sign-in pages and OAuth endpoints", s.Users.Domain.BaseUrl(nil))
	s.output(contract.OutputIdentityPoolID, "Cognito identity pool id", s.Identity.IdentityPoolID())
	s.output(contract.OutputAPIURL, "Base URL of the HTTP API", s.API.URL())
	s.output(contract.OutputPhotosBucketName, "Photo bucket (private/<identity id>/ is writable with identity-pool credentials)", s.Photos.Bucket.BucketName())
	s.output(contract.OutputTodosTableName, "Todos table (items keyed by the identity id are writable with identity-pool credentials)", s.Tables[schema.Todos.Name].Table.TableName())
}

// clientScopes is the pre token generation trigger's CLIENT_SCOPES: a JSON
// object from each client's id (a token, resolved by CloudFormation) to its
// API scopes.
func clientScopes(grants []auth.Grant) string {
	parts := make([]string, len(grants))
	for i, g := range grants {
		scopes, _ := json.Marshal(g.Scopes)
		parts[i] = `"` + *g.ClientID + `":` + string(scopes)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func scopes() []auth.Scope {
	out := make([]auth.Scope, len(routes.ScopeDescriptions))
	for i, s := range routes.ScopeDescriptions {
		out[i] = auth.Scope{Name: s.Name, Description: s.Description}
	}
	return out
}

// title upper-cases the first letter: "todos" -> "Todos".
func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
