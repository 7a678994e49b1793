// Package todos serves the todo list API: create, list, read,
// change and delete the caller's own todos. Every item is keyed by the
// caller's identity from the authorizer, never by anything the caller sends,
// so no request can reach another user's items.
package todos

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/lambdas/awsenv"
	"github.com/portcullis-cdk/portcullis/lambdas/dynamo"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
	"github.com/portcullis-cdk/portcullis/lambdas/idempotency"
	"github.com/portcullis-cdk/portcullis/lambdas/ids"
	"github.com/portcullis-cdk/portcullis/lambdas/quota"
)

// MaxTitle is the longest title, in characters.
const MaxTitle = 500

// Todo is a todo as the API returns it.
type Todo struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Done      bool   `json:"done"`
	CreatedAt string `json:"createdAt"`
	UpdatedAt string `json:"updatedAt"`
	Version   int64  `json:"version"`
}

// List is a page of todos, newest first.
type List struct {
	Items      []Todo `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// Handler serves the todos routes.
type Handler struct {
	// Router is the function's routes; its Handle is the Lambda handler.
	*httpapi.Router
	store store
}

// New serves the todos of table through db, keeping the Idempotency-Key
// records of POST /todos in idempotencyTable.
func New(db dynamo.Items, table, idempotencyTable string) *Handler {
	h := &Handler{store: store{db: db, table: table, now: time.Now, ids: new(ids.Generator)}}
	once := &idempotency.Store{DB: db, Table: idempotencyTable}
	h.Router = httpapi.MustRouter(routes.Todos, map[string]httpapi.HandlerFunc{
		"GET /todos":         h.list,
		"POST /todos":        once.Wrap(h.create),
		"GET /todos/{id}":    h.get,
		"PUT /todos/{id}":    h.update,
		"DELETE /todos/{id}": h.delete,
	})
	return h
}

// Limit bounds each owner to max todos, counted in the usage table
// (lambdas/quota): a create over it is a 409 quota_exceeded. Until it is
// called, there is no bound.
func (h *Handler) Limit(usageTable string, max int64) *Handler {
	h.store.usage = quota.Usage{DB: h.store.db, Table: usageTable}
	h.store.max = max
	return h
}

// TrustIdentityPool makes the IAM routes accept identities of the identity
// pool id only (httpapi.Router.TrustIdentityPool); until then they refuse
// every request.
func (h *Handler) TrustIdentityPool(id string) *Handler {
	h.Router.TrustIdentityPool(id)
	return h
}

type createBody struct {
	Title *string `json:"title"`
	Done  bool    `json:"done"`
}

type updateBody struct {
	Title   *string `json:"title"`
	Done    *bool   `json:"done"`
	Version *int64  `json:"version"`
}

func (h *Handler) create(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
	var b createBody
	if err := r.Decode(&b); err != nil {
		return httpapi.Response{}, err
	}
	title, err := validTitle(b.Title)
	if err != nil {
		return httpapi.Response{}, err
	}
	t, err := h.store.create(ctx, r.Owner, title, b.Done)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.Created(t), nil
}

func (h *Handler) list(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
	limit, after, err := r.Page()
	if err != nil {
		return httpapi.Response{}, err
	}
	l, err := h.store.list(ctx, r.Owner, limit, after)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.OK(l), nil
}

func (h *Handler) get(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
	id, err := r.ID()
	if err != nil {
		return httpapi.Response{}, err
	}
	t, err := h.store.get(ctx, r.Owner, id)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.OK(t), nil
}

func (h *Handler) update(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
	id, err := r.ID()
	if err != nil {
		return httpapi.Response{}, err
	}
	var b updateBody
	if err := r.Decode(&b); err != nil {
		return httpapi.Response{}, err
	}
	title, err := validTitle(b.Title)
	if err != nil {
		return httpapi.Response{}, err
	}
	// A replace, not a patch: every field is required, and version makes
	// a write based on a stale read fail instead of losing an update.
	switch {
	case b.Done == nil:
		return httpapi.Response{}, httpapi.BadRequest("done is required")
	case b.Version == nil:
		return httpapi.Response{}, httpapi.BadRequest("version is required")
	case *b.Version < 1:
		return httpapi.Response{}, httpapi.BadRequest("version must be at least 1")
	}
	t, err := h.store.update(ctx, r.Owner, id, title, *b.Done, *b.Version)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.OK(t), nil
}

func (h *Handler) delete(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
	id, err := r.ID()
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := h.store.delete(ctx, r.Owner, id); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.NoContent(), nil
}

func validTitle(p *string) (string, error) {
	if p == nil {
		return "", httpapi.BadRequest("title is required")
	}
	t := strings.TrimSpace(*p)
	switch n := utf8.RuneCountInString(t); {
	case n == 0:
		return "", httpapi.BadRequest("title must not be empty")
	case n > MaxTitle:
		return "", httpapi.BadRequest("title is longer than %d characters", MaxTitle)
	}
	return t, nil
}

// FromEnv configures the handler from a function's environment, read
// through getenv: the AWS settings of awsenv, the table names, the
// identity pool the IAM routes trust and the todos quota.
func FromEnv(getenv func(string) string) (*Handler, error) {
	db, table, err := awsenv.Table(getenv, schema.Todos.Env)
	if err != nil {
		return nil, err
	}
	names, err := awsenv.Require(getenv, schema.Idempotency.Env, schema.IdentityPoolEnv, schema.Usage.Env)
	if err != nil {
		return nil, err
	}
	max, err := quota.FromEnv(getenv, schema.TodosQuotaEnv)
	if err != nil {
		return nil, err
	}
	return New(db, table, names[0]).TrustIdentityPool(names[1]).Limit(names[2], max), nil
}
