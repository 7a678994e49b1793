// Package schema names the data stores the handlers use: each DynamoDB
// table's keys and the environment variables that carry resource names
// into a function. The stage creates the tables from the same
// definitions, so a key renamed here is renamed in the infrastructure and
// the code at once.
package schema

// Table describes a DynamoDB table of the stage.
type Table struct {
	// Name is the table's role, used in construct ids ("todos").
	Name string
	// PartitionKey is the owner of every item: a user pool sub or, for
	// identity-pool callers, a Cognito identity id.
	PartitionKey string
	// SortKey orders one owner's items; empty for a key-value table.
	SortKey string
	// TTL names the attribute DynamoDB expires items by; empty for none.
	TTL string
	// Env is the environment variable that carries the table name.
	Env string
	// Attributes are every attribute an item has, keys included; callers
	// with direct (identity-pool) access may write these and no others.
	// Empty for a table without direct access.
	Attributes []string
}

// The stage's tables. Every key is a string.
var (
	// Todos: one item per todo; the sort key is a time-ordered id, so a
	// descending Query lists newest first (userId/todoId).
	Todos = Table{Name: "todos", PartitionKey: "owner", SortKey: "id", Env: "TODOS_TABLE",
		Attributes: []string{"owner", "id", "title", "done", "createdAt", "updatedAt", "version"}}
	// Photos: one item per photo, keyed like todos; pending uploads expire.
	Photos = Table{Name: "photos", PartitionKey: "owner", SortKey: "id", TTL: "expiresAt", Env: "PHOTOS_TABLE"}
	// Profiles: one item per user, written by the post-confirmation trigger.
	Profiles = Table{Name: "profiles", PartitionKey: "owner", Env: "PROFILES_TABLE"}
	// Idempotency: one item per owner, route and Idempotency-Key of a
	// POST, expiring by TTL (lambdas/idempotency). A table of its own, so
	// the identity pool's direct access to the todos table never reaches
	// these records and the functions need only item calls on it.
	Idempotency = Table{Name: "idempotency", PartitionKey: "owner", SortKey: "key", TTL: "expiresAt", Env: "IDEMPOTENCY_TABLE"}
	// Usage: one item per owner counting what the quotas bound (todos,
	// photos, photo bytes; lambdas/quota). A table of its own, so the
	// identity pool's direct access to the todos table cannot reset it.
	Usage = Table{Name: "usage", PartitionKey: "owner", Env: "USAGE_TABLE"}
)

// Tables lists every table of the stage; the stage creates each.
func Tables() []Table {
	return []Table{
		Todos,
		Photos,
		Profiles,
		Idempotency,
		Usage,
	}
}

// Environment variables of the functions besides the table names.
const (
	// PhotosBucketEnv carries the photo bucket's name.
	PhotosBucketEnv = "PHOTOS_BUCKET"
	// PhotoPrefix starts the key of every completed photo:
	// private/<owner>/<photo id>.
	PhotoPrefix = "private/"
	// UploadPrefix starts the key a photo is uploaded to,
	// uploads/<owner>/<photo id>. Completing the upload moves the object
	// under PhotoPrefix; the bucket expires what is left here, so an upload
	// never completed leaves nothing behind.
	UploadPrefix = "uploads/"
	// UploadDays is how long an upload may wait for completion.
	UploadDays = 1
	// PhotoEncryption is the server-side encryption every write to the
	// photo bucket must ask for (its bucket policy denies a write
	// without): S3-managed keys, as the bucket's default.
	PhotoEncryption = "AES256"
	// TodosQuotaEnv, PhotosQuotaEnv and PhotoBytesQuotaEnv carry the
	// per-user quotas: at most so many todos, ready photos and bytes of
	// ready photos (positive integers).
	TodosQuotaEnv      = "TODOS_QUOTA"
	PhotosQuotaEnv     = "PHOTOS_QUOTA"
	PhotoBytesQuotaEnv = "PHOTO_BYTES_QUOTA"
	// IdentityPoolEnv carries the id of the stage's identity pool, the only
	// one whose identities a function's IAM routes accept.
	IdentityPoolEnv = "IDENTITY_POOL_ID"
	// AllowedEmailDomainsEnv is a comma-separated list of the email domains
	// the pre sign-up trigger accepts; empty accepts every domain.
	AllowedEmailDomainsEnv = "ALLOWED_EMAIL_DOMAINS"
	// AllowedCallingCodesEnv is a comma-separated list of the country
	// calling codes ("+1,+61") of the phone numbers the pre sign-up
	// trigger accepts; empty accepts no phone number.
	AllowedCallingCodesEnv = "ALLOWED_CALLING_CODES"
	// AppNameEnv is the product name the custom message trigger writes.
	AppNameEnv = "APP_NAME"
	// ClientScopesEnv is a JSON object from app client id to the full API
	// scopes the pre token generation trigger adds to that client's
	// API-flow access tokens: {"<client id>": ["portcullis/todos.read"]}.
	// A client it does not name gets none.
	ClientScopesEnv = "CLIENT_SCOPES"
)
