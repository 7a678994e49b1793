package localaws

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/portcullis-cdk/portcullis/internal/protocol/iam"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
)

// leadingKeysOfAnyTable: dynamodb:LeadingKeys is the partition key of a
// table the servers did not create, as DynamoDB describes it (a table a
// caller created, with its own key name).
func leadingKeysOfAnyTable(t *testing.T, s *Servers) {
	ctx := context.Background()
	const table, role = "extra", "arn:aws:iam::" + AccountID + ":role/reader"
	if err := createTable(ctx, s.DynamoDB(nil), &dynamodb.CreateTableInput{
		TableName: aws.String(table), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("user"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("user"), KeyType: ddbtypes.KeyTypeHash}},
	}); err != nil {
		t.Fatal(err)
	}
	policy, err := iam.ParseDocument("reader", []byte(`{"Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem",
		"Resource": "`+tableARN(table)+`", "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["u1"]}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	s.Roles.Set(role, []iam.Policy{policy})
	s.Credentials.Put(sigv4.Credential{AccessKeyID: "AKIAREADER", SecretAccessKey: "reader-secret",
		Principal: sigv4.Principal{ARN: role, RoleARN: role, AccountID: AccountID, UserID: "AROAREADER"}})
	cfg := s.Config(nil)
	cfg.Credentials, cfg.RetryMaxAttempts = credentials.NewStaticCredentialsProvider("AKIAREADER", "reader-secret", ""), 1
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(s.DynamoDBEndpoint) })
	get := func(user string) error {
		_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table),
			Key: map[string]ddbtypes.AttributeValue{"user": &ddbtypes.AttributeValueMemberS{Value: user}}})
		return err
	}
	if err := get("u1"); err != nil {
		t.Errorf("GetItem of the caller's own key: %v", err)
	}
	var apiErr smithy.APIError
	if err := get("u2"); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDeniedException" {
		t.Errorf("GetItem of another key: %v, want AccessDeniedException", err)
	}
}
