package photos

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
	"github.com/portcullis-cdk/portcullis/lambdas/quota"
)

// Conflict codes of the complete route.
const (
	CodeUploadIncomplete = "upload_incomplete"
	CodeUploadMismatch   = "upload_mismatch"
)

// objectKey is where a completed photo's bytes live.
func objectKey(owner, id string) string { return schema.PhotoPrefix + owner + "/" + id }

// uploadKey is where the bytes are uploaded to: under a prefix the bucket
// expires, so an upload nobody completes does not outlive its record.
func uploadKey(owner, id string) string { return schema.UploadPrefix + owner + "/" + id }

func (h *Handler) create(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
	var b createBody
	if err := r.Decode(&b); err != nil {
		return httpapi.Response{}, err
	}
	contentType, size, caption, err := b.validate()
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := h.roomFor(ctx, r.Owner, size); err != nil {
		return httpapi.Response{}, err
	}
	now := h.now().UTC()
	it := item{
		Owner: r.Owner, ID: h.ids.New(now), Status: statusPending,
		ContentType: contentType, Size: size, Caption: caption,
		CreatedAt: now.Format(timeFormat), ExpiresAt: now.Add(PendingTTL).Unix(),
	}
	// The URL signs Content-Type and Content-Length: S3 refuses an upload
	// of another type or size, so the declared limits hold for the bytes.
	// It signs the encryption header the bucket's policy requires too.
	signed, err := h.cfg.Presigner.PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket:               aws.String(h.cfg.Bucket),
		Key:                  aws.String(uploadKey(r.Owner, it.ID)),
		ContentType:          aws.String(contentType),
		ContentLength:        aws.Int64(size),
		ServerSideEncryption: s3types.ServerSideEncryption(schema.PhotoEncryption),
	}, s3.WithPresignExpires(UploadURLTTL))
	if err != nil {
		return httpapi.Response{}, fmt.Errorf("presign upload: %w", err)
	}
	if err := h.store().put(ctx, it); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.Created(Created{ID: it.ID, Upload: Upload{
		URL:    signed.URL,
		Method: http.MethodPut,
		Headers: map[string]string{
			"Content-Type":                 contentType,
			"Content-Length":               strconv.FormatInt(size, 10),
			"X-Amz-Server-Side-Encryption": schema.PhotoEncryption,
		},
		ExpiresAt: now.Add(UploadURLTTL).Format(timeFormat),
	}}), nil
}

func (h *Handler) complete(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
	it, err := h.lookup(ctx, r)
	if err != nil {
		return httpapi.Response{}, err
	}
	id := it.ID
	if it.Status == statusReady {
		return h.ok(ctx, it) // completing twice is harmless
	}
	if it.ExpiresAt != 0 && h.now().Unix() > it.ExpiresAt {
		// Expired but not yet removed by DynamoDB's TTL sweep.
		return httpapi.Response{}, errNotFound
	}

	upload := uploadKey(r.Owner, id)
	head, err := h.cfg.Objects.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(h.cfg.Bucket), Key: aws.String(upload)})
	if isNotFound(err) {
		return httpapi.Response{}, httpapi.Conflict(CodeUploadIncomplete, "the photo has not been uploaded yet")
	}
	if err != nil {
		return httpapi.Response{}, fmt.Errorf("head %s: %w", upload, err)
	}
	size := aws.ToInt64(head.ContentLength)
	if size != it.Size || aws.ToString(head.ContentType) != it.ContentType {
		// The signed URL makes this unreachable through S3 itself; if it
		// happens anyway, the bytes are not what was declared: drop them.
		if err := h.deleteObject(ctx, upload); err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.Response{}, httpapi.Conflict(CodeUploadMismatch, "the uploaded object does not match the declared type and size; upload again")
	}
	// Count, copy, record, then drop the upload: a failure at any step
	// gives the count back and leaves a retry that succeeds, and at worst
	// an upload the bucket expires. Over the quota, the upload stays
	// pending: it completes once the owner makes room.
	usage := h.cfg.usage()
	if usage != nil {
		if err := usage.Take(ctx, r.Owner, h.cfg.share(size)...); err != nil {
			return httpapi.Response{}, err
		}
	}
	ready, err := h.publish(ctx, r.Owner, id, upload, size)
	if err != nil {
		if usage != nil {
			usage.Give(ctx, r.Owner, h.cfg.share(size)...)
		}
		return httpapi.Response{}, err
	}
	if err := h.deleteObject(ctx, upload); err != nil {
		slog.WarnContext(ctx, "completed upload left for the bucket to expire", "key", upload, "err", err)
	}
	return h.ok(ctx, ready)
}

// roomFor refuses a new upload the owner's quota has no room for, before
// it is signed; completing it counts it (a request is only a promise).
func (h *Handler) roomFor(ctx context.Context, owner string, size int64) error {
	usage := h.cfg.usage()
	if usage == nil {
		return nil
	}
	used, err := usage.Get(ctx, owner)
	if err != nil {
		return err
	}
	share := h.cfg.share(size)
	for _, a := range share {
		if a.Max > 0 && used[a.Counter]+a.N > a.Max {
			return quota.Exceeded(share)
		}
	}
	return nil
}

// publish copies a checked upload to the photo's key and marks it ready.
func (h *Handler) publish(ctx context.Context, owner, id, upload string, size int64) (item, error) {
	key := objectKey(owner, id)
	if _, err := h.cfg.Objects.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket: aws.String(h.cfg.Bucket),
		Key:    aws.String(key),
		// Ids and subs need no escaping in a copy source.
		CopySource:           aws.String(h.cfg.Bucket + "/" + upload),
		ServerSideEncryption: s3types.ServerSideEncryption(schema.PhotoEncryption),
	}); err != nil {
		return item{}, fmt.Errorf("copy %s to %s: %w", upload, key, err)
	}
	return h.store().markReady(ctx, owner, id, size, h.now().UTC().Format(timeFormat))
}

func (h *Handler) deleteObject(ctx context.Context, key string) error {
	if _, err := h.cfg.Objects.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(h.cfg.Bucket), Key: aws.String(key)}); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

func (h *Handler) ok(ctx context.Context, it item) (httpapi.Response, error) {
	p, err := h.photo(ctx, it)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.OK(p), nil
}

// list reads one page with a single Query. Pending photos are filtered out
// by DynamoDB after the limit applies, so a page may hold fewer than limit
// photos while a next cursor still follows.
func (h *Handler) list(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
	limit, after, err := r.Page()
	if err != nil {
		return httpapi.Response{}, err
	}
	items, next, err := h.store().listReady(ctx, r.Owner, limit, after)
	if err != nil {
		return httpapi.Response{}, err
	}
	l := List{Items: make([]Photo, 0, len(items)), NextCursor: next}
	for _, it := range items {
		p, err := h.photo(ctx, it)
		if err != nil {
			return httpapi.Response{}, err
		}
		l.Items = append(l.Items, p)
	}
	return httpapi.OK(l), nil
}

func (h *Handler) delete(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
	it, err := h.lookup(ctx, r)
	if err != nil {
		return httpapi.Response{}, err
	}
	id := it.ID
	// The object goes first, then the record: if either step fails the
	// record is still there, so a retry finds the photo and finishes (S3
	// deletes a missing key without complaint). The other order would leave
	// an object no record points to, and a retry would get a 404. A pending
	// photo's bytes, if any, are at the upload key, which the bucket
	// expires on its own.
	if it.Status == statusReady {
		if err := h.deleteObject(ctx, objectKey(r.Owner, id)); err != nil {
			return httpapi.Response{}, err
		}
	}
	if err := h.store().delete(ctx, r.Owner, id, it.Status); err != nil {
		return httpapi.Response{}, err
	}
	// Only a ready photo was counted.
	if usage := h.cfg.usage(); usage != nil && it.Status == statusReady {
		usage.Give(ctx, r.Owner, h.cfg.share(it.Size)...)
	}
	return httpapi.NoContent(), nil
}

// photo is the API view of a stored photo, with a download URL when ready.
func (h *Handler) photo(ctx context.Context, it item) (Photo, error) {
	p := Photo{
		ID: it.ID, Status: it.Status, ContentType: it.ContentType, Size: it.Size,
		Caption: it.Caption, CreatedAt: it.CreatedAt, UploadedAt: it.UploadedAt,
	}
	if it.Status != statusReady {
		return p, nil
	}
	signed, err := h.cfg.Presigner.PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(h.cfg.Bucket),
		Key:    aws.String(objectKey(it.Owner, it.ID)),
	}, s3.WithPresignExpires(DownloadURLTTL))
	if err != nil {
		return Photo{}, fmt.Errorf("presign download: %w", err)
	}
	p.URL = signed.URL
	p.URLExpiresAt = h.now().UTC().Add(DownloadURLTTL).Format(timeFormat)
	return p, nil
}

func isNotFound(err error) bool {
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}

// lookup reads the caller's photo that the request's path names.
func (h *Handler) lookup(ctx context.Context, r *httpapi.Request) (item, error) {
	id, err := r.ID()
	if err != nil {
		return item{}, err
	}
	return h.store().get(ctx, r.Owner, id)
}

func (h *Handler) store() store { return store{db: h.cfg.DB, table: h.cfg.Table} }
