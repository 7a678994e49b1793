package devstack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
	"github.com/portcullis-cdk/portcullis/internal/protocol/iam"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
)

// identityCaller is an identity-pool caller of the local stack, with the
// authenticated role's credentials as the pool issues them.
type identityCaller struct {
	id  string
	ddb *dynamodb.Client
	s3  *s3.Client
}

func newIdentityCaller(t *testing.T, s *Stack, plan *Plan, id string) identityCaller {
	t.Helper()
	key := "ASIA" + strings.ToUpper(derived("test:"+id, 16))
	roleARN := plan.names(s.getenv()).RoleARN(plan.IdentityRole)
	s.aws.Credentials.Put(sigv4.Credential{
		AccessKeyID: key, SecretAccessKey: "secret-of-" + id, SessionToken: "token-of-" + id,
		Expiration: time.Now().Add(time.Hour),
		Principal: sigv4.Principal{ARN: "arn:aws:sts::000000000000:assumed-role/identity/CognitoIdentityCredentials",
			AccountID: localaws.AccountID, RoleARN: roleARN, CognitoIdentityID: id, CognitoIdentityPoolID: "us-east-1:pool"},
	})
	cfg := aws.Config{Region: Region, Credentials: credentials.NewStaticCredentialsProvider(key, "secret-of-"+id, "token-of-"+id), RetryMaxAttempts: 1}
	return identityCaller{
		id:  id,
		ddb: dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(s.Info.DynamoDBEndpoint) }),
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.BaseEndpoint = aws.String(s.Info.S3Endpoint)
			o.UsePathStyle = true
		}),
	}
}

func key(owner, id string) map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{
		schema.Todos.PartitionKey: &ddbtypes.AttributeValueMemberS{Value: owner},
		schema.Todos.SortKey:      &ddbtypes.AttributeValueMemberS{Value: id},
	}
}

// TestIdentityPoolPolicies calls local DynamoDB and S3 directly with the
// identity-pool role of the synthesized template: a caller reaches its own
// partition and private/<identity id>/ folder, never another's.
func TestIdentityPoolPolicies(t *testing.T) {
	ctx := context.Background()
	s, err := Start(ctx, Options{Template: golden})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	plan, err := ReadPlan(golden)
	if err != nil {
		t.Fatal(err)
	}
	a := newIdentityCaller(t, s, plan, "us-east-1:aaaaaaaa-0000-4000-8000-000000000001")
	b := newIdentityCaller(t, s, plan, "us-east-1:bbbbbbbb-0000-4000-8000-000000000002")
	checkTables(t, s, plan)
	table, bucket := aws.String(s.Info.TodosTable), aws.String(localaws.Bucket)
	item, _ := attributevalue.MarshalMap(map[string]string{schema.Todos.PartitionKey: b.id, schema.Todos.SortKey: "1", "title": "b's"})
	if _, err := b.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item}); err != nil {
		t.Fatalf("B puts its own item: %v", err)
	}
	query := func(owner string, projection *string) error {
		_, err := a.ddb.Query(ctx, &dynamodb.QueryInput{TableName: table,
			ProjectionExpression:      projection,
			KeyConditionExpression:    aws.String("#o = :o"),
			ExpressionAttributeNames:  map[string]string{"#o": schema.Todos.PartitionKey},
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":o": &ddbtypes.AttributeValueMemberS{Value: owner}}})
		return err
	}
	put := func(owner string, attrs ...string) error {
		fields := map[string]string{schema.Todos.PartitionKey: owner, schema.Todos.SortKey: "2"}
		for _, a := range attrs {
			fields[a] = "x"
		}
		it, _ := attributevalue.MarshalMap(fields)
		_, err := a.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: it})
		return err
	}
	get := func(owner string) error {
		_, err := a.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key(owner, "1")})
		return err
	}
	batch := func(owners ...string) func() error {
		return func() error {
			var keys []map[string]ddbtypes.AttributeValue
			for _, o := range owners {
				keys = append(keys, key(o, "1"))
			}
			_, err := a.ddb.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]ddbtypes.KeysAndAttributes{s.Info.TodosTable: {Keys: keys}}})
			return err
		}
	}
	putObject := func(k string) error {
		_, err := a.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(k), Body: bytes.NewReader([]byte("x"))})
		return err
	}
	getObject := func(k string) error {
		_, err := a.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String(k)})
		return err
	}
	list := func(prefix string) error {
		_, err := a.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String(prefix)})
		return err
	}
	own, other := "private/"+a.id+"/", "private/"+b.id+"/"
	// What an earlier version let the caller write, put by the operator.
	if _, err := s.aws.S3(nil).PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(own + "there.jpg"), Body: bytes.NewReader([]byte("x"))}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		code string // "" allowed
	}{
		{"Query own partition", func() error { return query(a.id, aws.String("#o, id, title")) }, ""},
		{"Query B's partition", func() error { return query(b.id, aws.String("#o, id, title")) }, "AccessDeniedException"},
		// The role lets identity callers read only the todo attributes,
		// so a Query must project (dynamodb:Select SPECIFIC_ATTRIBUTES).
		{"Query own partition without a projection", func() error { return query(a.id, nil) }, "AccessDeniedException"},
		{"PutItem own partition", func() error { return put(a.id, "title") }, ""},
		{"PutItem with an attribute the todos do not define", func() error { return put(a.id, "isAdmin") }, "AccessDeniedException"},
		{"PutItem in B's partition", func() error { return put(b.id) }, "AccessDeniedException"},
		{"GetItem own", func() error { return get(a.id) }, ""},
		{"GetItem B's", func() error { return get(b.id) }, "AccessDeniedException"},
		{"BatchGetItem mixing A's and B's keys", batch(a.id, b.id), "AccessDeniedException"},
		{"Scan (not granted)", func() error {
			_, err := a.ddb.Scan(ctx, &dynamodb.ScanInput{TableName: table})
			return err
		}, "AccessDeniedException"},
		// Photos are written through the API only: IAM bounds neither the
		// size nor the content type of a direct write.
		{"PutObject under own private/", func() error { return putObject(own + "p.jpg") }, "AccessDenied"},
		{"GetObject under own private/", func() error { return getObject(own + "there.jpg") }, ""},
		{"DeleteObject under own private/", func() error {
			_, err := a.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String(own + "there.jpg")})
			return err
		}, ""},
		// The role lists only under a prefix, which a GetObject does not
		// carry: S3 hides the missing key behind a 403.
		{"GetObject missing under own private/", func() error { return getObject(own + "missing.jpg") }, "AccessDenied"},
		{"PutObject under B's private/", func() error { return putObject(other + "p.jpg") }, "AccessDenied"},
		{"GetObject under B's private/", func() error { return getObject(other + "p.jpg") }, "AccessDenied"},
		{"ListBucket own prefix", func() error { return list(own) }, ""},
		{"ListBucket B's prefix", func() error { return list(other) }, "AccessDenied"},
		{"ListBucket the whole bucket", func() error { return list("") }, "AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var apiErr smithy.APIError
			switch {
			case tt.code == "" && err != nil:
				t.Fatalf("denied: %v", err)
			case tt.code != "" && (!errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.code):
				t.Fatalf("got %v, want %s", err, tt.code)
			}
		})
	}
}

// TestFunctionRoleGrantRemoved runs the profile function under a copy of
// its role without the one grant it needs: GET /me fails as it would
// deployed: DynamoDB answers AccessDeniedException, which the stack logs.
func TestFunctionRoleGrantRemoved(t *testing.T) {
	log := &syncWriter{w: &bytes.Buffer{}}
	s, plan, token := startSignedIn(t, Options{Template: golden, Log: log})
	me := func() int {
		req, _ := http.NewRequest("GET", s.Info.APIURL+"/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := me(); got != http.StatusOK {
		t.Fatalf("GET /me under the profile function's own role: %d", got)
	}

	names := plan.names(s.getenv())
	role := plan.Functions[routes.Profile].Role
	policies, err := names.Policies(plan.Roles[role])
	if err != nil {
		t.Fatal(err)
	}
	var without []iam.Policy
	removed := 0
	for _, p := range policies {
		kept := iam.Policy{Name: p.Name}
		for _, st := range p.Statements {
			if len(st.Action) == 1 && st.Action[0] == "dynamodb:GetItem" {
				removed++
				continue
			}
			kept.Statements = append(kept.Statements, st)
		}
		without = append(without, kept)
	}
	if removed != 1 {
		t.Fatalf("the profile role has %d dynamodb:GetItem grants, want 1", removed)
	}
	s.aws.Roles.Set(names.RoleARN(role), without)
	if got := me(); got != http.StatusInternalServerError {
		t.Errorf("GET /me without dynamodb:GetItem: %d, want 500", got)
	}
	if !strings.Contains(log.String(), `msg="access denied" service=dynamodb`) || !strings.Contains(log.String(), "action=dynamodb:GetItem") {
		t.Errorf("the log does not show the denied GetItem:\n%s", log.String())
	}
}

// TestPhotosCompleteBeforeUpload completes a photo that was never uploaded,
// with the photos function under its own role: 409, because the role may
// list the bucket and S3 answers the handler's HeadObject with 404; under
// a copy of the role without s3:ListBucket, S3 answers 403 and the
// handler fails, as it did deployed.
func TestPhotosCompleteBeforeUpload(t *testing.T) {
	s, plan, token := startSignedIn(t, Options{Template: golden})
	call := func(method, path, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, s.Info.APIURL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	status, created := call("POST", "/photos", `{"contentType":"image/png","size":3}`)
	id, _ := created["id"].(string)
	if status != http.StatusCreated || id == "" {
		t.Fatalf("POST /photos: %d %v", status, created)
	}
	if status, body := call("POST", "/photos/"+id+"/complete", ""); status != http.StatusConflict {
		t.Errorf("complete before the upload under the photos role: %d %v, want 409", status, body)
	}

	names := plan.names(s.getenv())
	role := plan.Functions[routes.Photos].Role
	policies, err := names.Policies(plan.Roles[role])
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range policies {
		var kept []iam.Statement
		for _, st := range p.Statements {
			if !slices.Equal(st.Action, []string{"s3:ListBucket"}) {
				kept = append(kept, st)
			}
		}
		policies[i].Statements = kept
	}
	s.aws.Roles.Set(names.RoleARN(role), policies)
	if status, body := call("POST", "/photos/"+id+"/complete", ""); status != http.StatusInternalServerError {
		t.Errorf("complete before the upload without s3:ListBucket: %d %v, want 500 (S3 answers 403)", status, body)
	}
}

// syncWriter serializes writes from the servers' goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

// startSignedIn starts the local stack (closed when the test ends), reads
// its plan, and signs the stack's test user in: the stack, the plan and the
// user's access token.
func startSignedIn(t *testing.T, opts Options) (*Stack, *Plan, string) {
	t.Helper()
	ctx := context.Background()
	s, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	plan, err := ReadPlan(opts.Template)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.CognitoClient().InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(s.Info.CLIClientID),
		AuthParameters: map[string]string{"USERNAME": s.Info.TestUser.Username, "PASSWORD": s.Info.TestUser.Password},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, plan, *out.AuthenticationResult.AccessToken
}
