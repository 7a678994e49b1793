// Package profile serves GET /me: who the caller is, from the
// access token's claims, merged with the profile record the post
// confirmation trigger wrote at sign-up. A user without a record (signed up
// before the trigger existed) still gets the claims.
package profile

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/lambdas/awsenv"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
)

// DB is the part of the DynamoDB API the handler uses.
type DB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Record is a user's profile as stored in the profiles table.
type Record struct {
	Owner       string `dynamodbav:"owner" json:"-"`
	Email       string `dynamodbav:"email,omitempty" json:"email,omitempty"`
	PhoneNumber string `dynamodbav:"phoneNumber,omitempty" json:"phoneNumber,omitempty"`
	Name        string `dynamodbav:"name,omitempty" json:"name,omitempty"`
	Company     string `dynamodbav:"company,omitempty" json:"company,omitempty"`
	RoleName    string `dynamodbav:"roleName,omitempty" json:"roleName,omitempty"`
	CreatedAt   string `dynamodbav:"createdAt,omitempty" json:"createdAt,omitempty"`
}

// Me is the answer of GET /me.
type Me struct {
	Sub      string   `json:"sub"`
	Username string   `json:"username,omitempty"`
	ClientID string   `json:"clientId,omitempty"`
	Scopes   []string `json:"scopes"`
	// AuthTime is when the user signed in (RFC 3339).
	AuthTime string `json:"authTime,omitempty"`
	// Groups are the user's Cognito groups, their authorization roles
	// (the token's cognito:groups); empty for none. custom:role_name, in
	// the record, is a job title and authorizes nothing.
	Groups []string `json:"groups"`
	Record
	// HasProfile tells a stored profile from claims alone.
	HasProfile bool `json:"hasProfile"`
}

// Handler serves the profile route.
type Handler struct {
	// Router is the function's routes; its Handle is the Lambda handler.
	*httpapi.Router
	db    DB
	table string
}

// New reads profiles from table through db.
func New(db DB, table string) *Handler {
	h := &Handler{db: db, table: table}
	h.Router = httpapi.MustRouter(routes.Profile, map[string]httpapi.HandlerFunc{"GET /me": h.me})
	return h
}

func (h *Handler) me(ctx context.Context, r *httpapi.Request) (httpapi.Response, error) {
	me := Me{
		Sub:      r.Owner,
		Username: username(r.Claims),
		ClientID: r.Claims["client_id"],
		Scopes:   r.Scopes,
		AuthTime: epoch(r.Claims["auth_time"]),
		Groups:   Groups(r.Claims["cognito:groups"]),
	}
	out, err := h.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(h.table),
		Key: map[string]types.AttributeValue{
			schema.Profiles.PartitionKey: &types.AttributeValueMemberS{Value: r.Owner},
		},
	})
	if err != nil {
		return httpapi.Response{}, fmt.Errorf("get profile: %w", err)
	}
	if out.Item != nil {
		if err := attributevalue.UnmarshalMap(out.Item, &me.Record); err != nil {
			return httpapi.Response{}, fmt.Errorf("unmarshal profile: %w", err)
		}
		me.HasProfile = true
	}
	return httpapi.OK(me), nil
}

// username reads the access token's "username" claim; ID tokens, and some
// older tokens, name it "cognito:username".
func username(claims map[string]string) string {
	if u := claims["username"]; u != "" {
		return u
	}
	return claims["cognito:username"]
}

// Groups reads the cognito:groups claim as API Gateway's JWT authorizer
// passes it: a list written "[admins editors]" (group names have no
// spaces), or a JSON array. Never nil, so the answer shows an empty list.
func Groups(claim string) []string {
	claim = strings.TrimSpace(claim)
	var out []string
	if err := json.Unmarshal([]byte(claim), &out); err == nil && out != nil {
		return out
	}
	out = strings.Fields(strings.TrimSuffix(strings.TrimPrefix(claim, "["), "]"))
	if out == nil {
		return []string{}
	}
	return out
}

// epoch turns a Unix-seconds claim into RFC 3339; anything else is dropped
// rather than echoed.
func epoch(s string) string {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > 1<<40 {
		return ""
	}
	return time.Unix(n, 0).UTC().Format(time.RFC3339)
}

// FromEnv configures the handler from a function's environment, read
// through getenv: the AWS settings of awsenv and the table name.
func FromEnv(getenv func(string) string) (*Handler, error) {
	db, table, err := awsenv.Table(getenv, schema.Profiles.Env)
	if err != nil {
		return nil, err
	}
	return New(db, table), nil
}
