// Package photos serves the photo API: a caller asks for an
// upload and gets a presigned S3 PUT that only accepts the declared type
// and size, confirms the upload, lists their photos newest first with
// short-lived download URLs, and deletes them. Objects live under
// private/<owner>/<photo id>; the owner always comes from the token.
package photos

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/lambdas/awsenv"
	"github.com/portcullis-cdk/portcullis/lambdas/dynamo"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
	"github.com/portcullis-cdk/portcullis/lambdas/idempotency"
	"github.com/portcullis-cdk/portcullis/lambdas/ids"
	"github.com/portcullis-cdk/portcullis/lambdas/quota"
)

// Limits of an upload.
const (
	MaxSize    = 10 << 20 // bytes
	MaxCaption = 300      // characters
)

// ContentTypes are the image types a photo may have. Anything else could be
// served back from the bucket as HTML or script.
var ContentTypes = []string{"image/jpeg", "image/png", "image/webp", "image/gif"}

// How long the URLs and a pending upload stay valid.
const (
	UploadURLTTL   = 15 * time.Minute
	DownloadURLTTL = 5 * time.Minute
	// PendingTTL is when DynamoDB's TTL removes a photo whose upload was
	// never completed.
	PendingTTL = 24 * time.Hour
)

// Objects is the part of the S3 API the handler calls.
type Objects interface {
	HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	CopyObject(context.Context, *s3.CopyObjectInput, ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
	DeleteObject(context.Context, *s3.DeleteObjectInput, ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// Presigner signs S3 URLs locally, without a network call; *s3.PresignClient
// implements it.
type Presigner interface {
	PresignPutObject(context.Context, *s3.PutObjectInput, ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error)
	PresignGetObject(context.Context, *s3.GetObjectInput, ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error)
}

// Config wires a Handler to its table and bucket.
type Config struct {
	DB        dynamo.Items
	Objects   Objects
	Presigner Presigner
	Table     string
	Bucket    string
	// IdempotencyTable keeps the Idempotency-Key records of POST /photos.
	IdempotencyTable string
	// UsageTable counts each owner's ready photos and their bytes, at most
	// MaxPhotos and MaxPhotoBytes (lambdas/quota): a request or completion
	// over either is a 409 quota_exceeded. Default: none, no quota.
	UsageTable               string
	MaxPhotos, MaxPhotoBytes int64
}

// usage is the quota counter; nil without a UsageTable.
func (c Config) usage() *quota.Usage {
	if c.UsageTable == "" {
		return nil
	}
	return &quota.Usage{DB: c.DB, Table: c.UsageTable}
}

// share is a photo of size bytes, as the quotas count it.
func (c Config) share(size int64) []quota.Amount {
	return []quota.Amount{{Counter: quota.Photos, N: 1, Max: c.MaxPhotos}, {Counter: quota.PhotoBytes, N: size, Max: c.MaxPhotoBytes}}
}

// Photo is a photo as the API returns it.
type Photo struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	Caption     string `json:"caption,omitempty"`
	CreatedAt   string `json:"createdAt"`
	UploadedAt  string `json:"uploadedAt,omitempty"`
	// URL downloads a ready photo until URLExpiresAt.
	URL          string `json:"url,omitempty"`
	URLExpiresAt string `json:"urlExpiresAt,omitempty"`
}

// Upload tells the client how to send the bytes of a new photo.
type Upload struct {
	URL    string `json:"url"`
	Method string `json:"method"`
	// Headers must be sent exactly: they are part of the signature.
	Headers   map[string]string `json:"headers"`
	ExpiresAt string            `json:"expiresAt"`
}

// Created answers a new photo.
type Created struct {
	ID     string `json:"id"`
	Upload Upload `json:"upload"`
}

// List is a page of ready photos, newest first.
type List struct {
	Items      []Photo `json:"items"`
	NextCursor string  `json:"nextCursor,omitempty"`
}

// Handler serves the photos routes.
type Handler struct {
	// Router is the function's routes; its Handle is the Lambda handler.
	*httpapi.Router
	cfg Config
	now func() time.Time
	ids *ids.Generator
}

// New serves the photos of cfg.Table and cfg.Bucket.
func New(cfg Config) *Handler {
	h := &Handler{cfg: cfg, now: time.Now, ids: new(ids.Generator)}
	once := &idempotency.Store{DB: cfg.DB, Table: cfg.IdempotencyTable}
	h.Router = httpapi.MustRouter(routes.Photos, map[string]httpapi.HandlerFunc{
		"GET /photos":                h.list,
		"POST /photos":               once.Wrap(h.create),
		"POST /photos/{id}/complete": h.complete,
		"DELETE /photos/{id}":        h.delete,
	})
	return h
}

type createBody struct {
	ContentType *string `json:"contentType"`
	Size        *int64  `json:"size"`
	Caption     string  `json:"caption"`
}

func (b createBody) validate() (contentType string, size int64, caption string, err error) {
	switch {
	case b.ContentType == nil:
		return "", 0, "", httpapi.BadRequest("contentType is required")
	case !slices.Contains(ContentTypes, *b.ContentType):
		return "", 0, "", httpapi.BadRequest("contentType must be one of %s", strings.Join(ContentTypes, ", "))
	case b.Size == nil:
		return "", 0, "", httpapi.BadRequest("size is required")
	case *b.Size < 1:
		return "", 0, "", httpapi.BadRequest("size must be a positive number of bytes")
	case *b.Size > MaxSize:
		return "", 0, "", httpapi.TooLarge("a photo may have at most %d bytes", MaxSize)
	}
	caption = strings.TrimSpace(b.Caption)
	if utf8.RuneCountInString(caption) > MaxCaption {
		return "", 0, "", httpapi.BadRequest("caption is longer than %d characters", MaxCaption)
	}
	return *b.ContentType, *b.Size, caption, nil
}

// FromEnv configures the handler from a function's environment, read
// through getenv: the AWS settings of awsenv, the tables, the bucket and
// the quotas.
func FromEnv(getenv func(string) string) (*Handler, error) {
	env, err := awsenv.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	names, err := awsenv.Require(getenv, schema.Photos.Env, schema.PhotosBucketEnv, schema.Idempotency.Env, schema.Usage.Env)
	if err != nil {
		return nil, err
	}
	maxPhotos, err := quota.FromEnv(getenv, schema.PhotosQuotaEnv)
	if err != nil {
		return nil, err
	}
	maxBytes, err := quota.FromEnv(getenv, schema.PhotoBytesQuotaEnv)
	if err != nil {
		return nil, err
	}
	objects := s3.NewFromConfig(env.Config, func(o *s3.Options) {
		o.BaseEndpoint = env.S3Endpoint
		o.UsePathStyle = env.S3PathStyle
	})
	return New(Config{
		DB:               env.DynamoDB(),
		Objects:          objects,
		Presigner:        s3.NewPresignClient(objects),
		Table:            names[0],
		Bucket:           names[1],
		IdempotencyTable: names[2],
		UsageTable:       names[3],
		MaxPhotos:        maxPhotos,
		MaxPhotoBytes:    maxBytes,
	}), nil
}
