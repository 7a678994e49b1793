package devstack

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/internal/cfn"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
)

// dataStores are DynamoDB and S3 (dynalite and s3rver behind the SigV4 and
// IAM gates of localaws) and every role's policies, which those gates
// evaluate. It starts first: every other service's functions run with the
// key of their role. It reads the tables (each created from its resource:
// name, keys, attribute types, indexes), the table the stack outputs for
// identity-pool callers, the buckets and their CORS rules (the bucket's
// own, or the custom resource that sets them), and every role's policies;
// it takes the web app's origins from the wiring, which the photo bucket's
// CORS rules allow besides the template's.
var dataStores = service{read: readDataStores, start: startDataStores}

func readDataStores(t cfnTemplate, p *Plan) error {
	var err error
	if p.Roles, err = readRolePolicies(t); err != nil {
		return err
	}
	if p.Tables, err = readTables(t); err != nil {
		return err
	}
	if p.TodosTable, err = readTodosTable(t); err != nil {
		return err
	}
	p.Buckets = t.IDs("AWS::S3::Bucket")
	for _, b := range t.OfType("AWS::S3::Bucket") {
		rules, err := readBucketCORS(b)
		if err != nil {
			return fmt.Errorf("bucket %s: %w", b.ID(), err)
		}
		if len(rules) > 0 {
			if p.BucketCORS != nil {
				return fmt.Errorf("bucket %s: a second bucket with CORS rules; the local stack has one photo bucket", b.ID())
			}
			p.BucketCORS = rules
		}
	}
	if p.BucketCORS == nil {
		p.BucketCORS, err = readCORSResource(t)
	}
	return err
}

func startDataStores(ctx context.Context, w *wiring) error {
	dataDir := ""
	if w.opts.StateDir != "" {
		dataDir = filepath.Join(w.opts.StateDir, "aws")
	}
	var tables []*dynamodb.CreateTableInput
	for _, t := range w.plan.Tables {
		tables = append(tables, t.Create)
	}
	servers, err := localaws.StartIn(ctx, localaws.Config{DataDir: dataDir, Tables: tables, Log: w.log})
	if err != nil {
		return fmt.Errorf("starting DynamoDB and S3: %w", err)
	}
	w.stack.aws = servers
	w.stack.bucketCORS = w.plan.BucketCORS
	if err := w.stack.SetBucketOrigins(ctx, w.appOrigins...); err != nil {
		return err
	}
	if err := servers.SetFaults("dynamodb", w.opts.DynamoDBFaults); err != nil {
		return err
	}
	if err := servers.SetFaults("s3", w.opts.S3Faults); err != nil {
		return err
	}
	w.getenv = w.stack.getenv()
	if w.roleKeys, err = w.stack.authorize(w.plan, w.getenv); err != nil {
		return err
	}
	w.info.DynamoDBEndpoint = servers.DynamoDBEndpoint
	w.info.S3Endpoint = servers.S3Endpoint
	w.info.TodosTable = w.plan.tableName(w.plan.TodosTable)
	w.info.PhotosBucket = localaws.Bucket
	w.info.AdminAccessKeyID = localaws.AccessKeyID
	w.info.AdminSecretAccessKey = localaws.SecretAccessKey
	return nil
}

// Table is a DynamoDB table of the stage as the local DynamoDB creates it.
type Table struct {
	// LogicalID is the table's logical id, by which the functions'
	// environments and the roles' policies refer to it.
	LogicalID string
	// Create is the table's CreateTable input: its local name (the
	// template's TableName, else the logical id), keys, attribute types
	// and indexes, and on-demand billing (the local tables enforce no
	// capacity, gaps says so).
	Create *dynamodb.CreateTableInput
}

// Name is the table's local name.
func (t Table) Name() string { return *t.Create.TableName }

// tableName is the local name of the table with a logical id, "" for none.
func (p *Plan) tableName(logicalID string) string {
	for _, t := range p.Tables {
		if t.LogicalID == logicalID {
			return t.Name()
		}
	}
	return ""
}

// tableProps are the properties of an AWS::DynamoDB::Table the local table
// is created with; those it runs without are rows of gaps.
type tableProps struct {
	TableName              cfn.Expr
	KeySchema              []keyElement
	AttributeDefinitions   []struct{ AttributeName, AttributeType string }
	GlobalSecondaryIndexes []secondaryIndex
	LocalSecondaryIndexes  []secondaryIndex
}

type keyElement struct{ AttributeName, KeyType string }

type secondaryIndex struct {
	IndexName  string
	KeySchema  []keyElement
	Projection struct {
		ProjectionType   string
		NonKeyAttributes []string
	}
}

// readTables reads each table's definition. dynalite checks it as
// DynamoDB does when the stack starts (a key without an attribute
// definition, a local index without the table's partition key).
func readTables(t cfnTemplate) ([]Table, error) {
	var out []Table
	names := map[string]string{}
	for _, r := range t.OfType("AWS::DynamoDB::Table") {
		var tp tableProps
		if err := r.Decode(&tp); err != nil {
			return nil, fmt.Errorf("table %s: %w", r.ID(), err)
		}
		name := r.ID()
		if tp.TableName.Set() {
			literal, ok := tp.TableName.Value.(cfn.String)
			if !ok || literal == "" {
				return nil, fmt.Errorf("table %s: TableName %s is not a literal name; the local stack names a table by its literal TableName or its logical id", r.ID(), tp.TableName.Raw)
			}
			name = string(literal)
		}
		if other, dup := names[name]; dup {
			return nil, fmt.Errorf("tables %s and %s are both named %q", other, r.ID(), name)
		}
		names[name] = r.ID()
		out = append(out, Table{LogicalID: r.ID(), Create: tp.createInput(name)})
	}
	return out, nil
}

// createInput is the CreateTable input of the table named name.
func (tp tableProps) createInput(name string) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		KeySchema:   keySchema(tp.KeySchema),
	}
	for _, d := range tp.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{
			AttributeName: aws.String(d.AttributeName), AttributeType: ddbtypes.ScalarAttributeType(d.AttributeType),
		})
	}
	for _, ix := range tp.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, ddbtypes.GlobalSecondaryIndex{
			IndexName: aws.String(ix.IndexName), KeySchema: keySchema(ix.KeySchema), Projection: ix.projection(),
		})
	}
	for _, ix := range tp.LocalSecondaryIndexes {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, ddbtypes.LocalSecondaryIndex{
			IndexName: aws.String(ix.IndexName), KeySchema: keySchema(ix.KeySchema), Projection: ix.projection(),
		})
	}
	return in
}

func keySchema(ks []keyElement) []ddbtypes.KeySchemaElement {
	out := make([]ddbtypes.KeySchemaElement, len(ks))
	for i, e := range ks {
		out[i] = ddbtypes.KeySchemaElement{AttributeName: aws.String(e.AttributeName), KeyType: ddbtypes.KeyType(e.KeyType)}
	}
	return out
}

func (ix secondaryIndex) projection() *ddbtypes.Projection {
	return &ddbtypes.Projection{
		ProjectionType:   ddbtypes.ProjectionType(ix.Projection.ProjectionType),
		NonKeyAttributes: ix.Projection.NonKeyAttributes,
	}
}

// readTodosTable is the logical id of the table the stack outputs as
// TodosTableName, which identity-pool callers reach directly (the smoke
// run's direct access); "" when the stack has no such output.
func readTodosTable(t cfnTemplate) (string, error) {
	out, ok := t.Outputs[contract.OutputTodosTableName]
	if !ok {
		return "", nil
	}
	id, err := refID(out.Value)
	if err != nil {
		return "", fmt.Errorf("output %s: %w", contract.OutputTodosTableName, err)
	}
	return id, nil
}
