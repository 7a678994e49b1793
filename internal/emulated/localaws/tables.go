package localaws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/internal/protocol/iam"
)

// SchemaTables are the tables of contract/schema, named by Table.Name, as
// the handlers' tests use them: on-demand, string keys.
func SchemaTables() []*dynamodb.CreateTableInput {
	var out []*dynamodb.CreateTableInput
	for _, t := range schema.Tables() {
		in := &dynamodb.CreateTableInput{
			TableName:   aws.String(t.Name),
			BillingMode: ddbtypes.BillingModePayPerRequest,
			AttributeDefinitions: []ddbtypes.AttributeDefinition{
				{AttributeName: aws.String(t.PartitionKey), AttributeType: ddbtypes.ScalarAttributeTypeS},
			},
			KeySchema: []ddbtypes.KeySchemaElement{
				{AttributeName: aws.String(t.PartitionKey), KeyType: ddbtypes.KeyTypeHash},
			},
		}
		if t.SortKey != "" {
			in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{
				AttributeName: aws.String(t.SortKey), AttributeType: ddbtypes.ScalarAttributeTypeS,
			})
			in.KeySchema = append(in.KeySchema, ddbtypes.KeySchemaElement{
				AttributeName: aws.String(t.SortKey), KeyType: ddbtypes.KeyTypeRange,
			})
		}
		out = append(out, in)
	}
	return out
}

// dynamoDB is the DynamoDB gate's service, which reads each table's
// partition key from s.keys.
func (s *Servers) dynamoDB(dynalite string) service {
	backend := dynamodb.NewFromConfig(s.Config(nil), func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(dynalite) })
	s.keys = &tableKeys{describe: func(ctx context.Context, table string) (*ddbtypes.TableDescription, error) {
		out, err := backend.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if err != nil {
			return nil, err
		}
		return out.Table, nil
	}}
	svc := dynamoDBService
	svc.requests = func(r *http.Request, body []byte) ([]iam.Request, string, error) {
		reqs, err := dynamoDBRequests(r, body, s.keys.partitionKey)
		return reqs, "", err
	}
	return svc
}

// tableKeys is the partition key attribute of each table, which
// dynamodb:LeadingKeys reads: the tables the servers created, and any other
// as DynamoDB describes it (a fuzz worker's attached gates, a table a test
// created).
type tableKeys struct {
	mu       sync.Mutex
	m        map[string]string
	describe func(ctx context.Context, table string) (*ddbtypes.TableDescription, error)
}

func (k *tableKeys) set(table, key string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[string]string{}
	}
	k.m[table] = key
}

// partitionKey is the partition key attribute of a table.
func (k *tableKeys) partitionKey(table string) (string, error) {
	k.mu.Lock()
	key, ok := k.m[table]
	k.mu.Unlock()
	if ok {
		return key, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	desc, err := k.describe(ctx, table)
	if err != nil {
		return "", fmt.Errorf("table %q: %w", table, err)
	}
	if key = hashKey(desc.KeySchema); key == "" {
		return "", fmt.Errorf("table %q has no partition key", table)
	}
	k.set(table, key)
	return key, nil
}

func hashKey(ks []ddbtypes.KeySchemaElement) string {
	for _, e := range ks {
		if e.KeyType == ddbtypes.KeyTypeHash {
			return aws.ToString(e.AttributeName)
		}
	}
	return ""
}

// createTables creates each table where it is missing. A table kept in the
// data directory whose definition (keys, attribute types, indexes) differs
// from the one given is recreated (dynalite changes no index of a table):
// with its items when its own key is the same, as a global secondary index
// is added or removed in place, empty when its key changed, as
// CloudFormation replaces a table whose key changes.
func (s *Servers) createTables(ctx context.Context, tables []*dynamodb.CreateTableInput, log *slog.Logger) error {
	db := s.DynamoDB(nil)
	for _, in := range tables {
		name := aws.ToString(in.TableName)
		old, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName})
		var missing *ddbtypes.ResourceNotFoundException
		switch {
		case errors.As(err, &missing):
			err = createTable(ctx, db, in)
		case err != nil:
			err = fmt.Errorf("describing table %s: %w", name, err)
		case !sameDefinition(old.Table, in):
			err = s.replaceTable(ctx, db, old.Table, in, log)
		}
		if err != nil {
			return err
		}
		s.keys.set(name, hashKey(in.KeySchema))
	}
	return leftOver(ctx, db, tables, log)
}

// leftOver logs the tables of the data directory that are not among
// tables (an earlier run's, under another name): kept, not deleted, since
// they may hold what someone wants back.
func leftOver(ctx context.Context, db *dynamodb.Client, tables []*dynamodb.CreateTableInput, log *slog.Logger) error {
	p := dynamodb.NewListTablesPaginator(db, &dynamodb.ListTablesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing tables: %w", err)
		}
		for _, name := range page.TableNames {
			if !slices.ContainsFunc(tables, func(in *dynamodb.CreateTableInput) bool { return aws.ToString(in.TableName) == name }) {
				log.Info("a table of the data directory is not among the tables to create: kept as it is", "table", name)
			}
		}
	}
	return nil
}

func createTable(ctx context.Context, db *dynamodb.Client, in *dynamodb.CreateTableInput) error {
	if _, err := db.CreateTable(ctx, in); err != nil {
		return fmt.Errorf("creating table %s: %w", aws.ToString(in.TableName), err)
	}
	waiter := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 100*time.Millisecond
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName}, startTimeout); err != nil {
		return fmt.Errorf("waiting for table %s: %w", aws.ToString(in.TableName), err)
	}
	return nil
}

// replaceTable deletes the table old and creates in, writing old's items
// back when the table's own key did not change.
func (s *Servers) replaceTable(ctx context.Context, db *dynamodb.Client, old *ddbtypes.TableDescription, in *dynamodb.CreateTableInput, log *slog.Logger) error {
	name := aws.ToString(in.TableName)
	keep := describeKey(old.KeySchema, old.AttributeDefinitions) == describeKey(in.KeySchema, in.AttributeDefinitions)
	var items []map[string]ddbtypes.AttributeValue
	if keep {
		p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: in.TableName})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("reading table %s before replacing it: %w", name, err)
			}
			items = append(items, page.Items...)
		}
	}
	if _, err := db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: in.TableName}); err != nil {
		return fmt.Errorf("deleting table %s to replace it: %w", name, err)
	}
	gone := dynamodb.NewTableNotExistsWaiter(db, func(o *dynamodb.TableNotExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 100*time.Millisecond
	})
	if err := gone.Wait(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName}, startTimeout); err != nil {
		return fmt.Errorf("waiting for table %s to be deleted: %w", name, err)
	}
	if err := createTable(ctx, db, in); err != nil {
		return err
	}
	if !keep {
		log.Warn("table replaced: its key changed, so it starts empty, as CloudFormation replaces it", "table", name,
			"was", describeKey(old.KeySchema, old.AttributeDefinitions), "now", describeKey(in.KeySchema, in.AttributeDefinitions))
		return nil
	}
	for batch := range slices.Chunk(items, 25) {
		writes := make([]ddbtypes.WriteRequest, len(batch))
		for i, item := range batch {
			writes[i] = ddbtypes.WriteRequest{PutRequest: &ddbtypes.PutRequest{Item: item}}
		}
		for pending := map[string][]ddbtypes.WriteRequest{name: writes}; len(pending) > 0; {
			out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return fmt.Errorf("writing the items of table %s back: %w", name, err)
			}
			pending = out.UnprocessedItems
		}
	}
	log.Info("table recreated with its items: its indexes changed", "table", name, "items", len(items))
	return nil
}

// sameDefinition reports whether a table has the definition in: the same
// keys, attribute types and indexes.
func sameDefinition(t *ddbtypes.TableDescription, in *dynamodb.CreateTableInput) bool {
	var gsi, lsi []string
	for _, ix := range t.GlobalSecondaryIndexes {
		gsi = append(gsi, describeIndex(ix.IndexName, ix.KeySchema, ix.Projection))
	}
	for _, ix := range t.LocalSecondaryIndexes {
		lsi = append(lsi, describeIndex(ix.IndexName, ix.KeySchema, ix.Projection))
	}
	var wantGSI, wantLSI []string
	for _, ix := range in.GlobalSecondaryIndexes {
		wantGSI = append(wantGSI, describeIndex(ix.IndexName, ix.KeySchema, ix.Projection))
	}
	for _, ix := range in.LocalSecondaryIndexes {
		wantLSI = append(wantLSI, describeIndex(ix.IndexName, ix.KeySchema, ix.Projection))
	}
	return describeKey(t.KeySchema, t.AttributeDefinitions) == describeKey(in.KeySchema, in.AttributeDefinitions) &&
		describeAttributes(t.AttributeDefinitions) == describeAttributes(in.AttributeDefinitions) &&
		sortedEqual(gsi, wantGSI) && sortedEqual(lsi, wantLSI)
}

// describeKey spells a key schema with its attributes' types:
// "owner S HASH, id S RANGE".
func describeKey(ks []ddbtypes.KeySchemaElement, defs []ddbtypes.AttributeDefinition) string {
	types := map[string]ddbtypes.ScalarAttributeType{}
	for _, d := range defs {
		types[aws.ToString(d.AttributeName)] = d.AttributeType
	}
	parts := make([]string, len(ks))
	for i, e := range ks {
		name := aws.ToString(e.AttributeName)
		if t := types[name]; t != "" {
			name += " " + string(t)
		}
		parts[i] = name + " " + string(e.KeyType)
	}
	return strings.Join(parts, ", ")
}

func describeAttributes(defs []ddbtypes.AttributeDefinition) string {
	parts := make([]string, len(defs))
	for i, d := range defs {
		parts[i] = aws.ToString(d.AttributeName) + " " + string(d.AttributeType)
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func describeIndex(name *string, ks []ddbtypes.KeySchemaElement, p *ddbtypes.Projection) string {
	out := aws.ToString(name) + ": " + describeKey(ks, nil)
	if p != nil {
		attrs := slices.Clone(p.NonKeyAttributes)
		sort.Strings(attrs)
		out += fmt.Sprintf(" %s %v", p.ProjectionType, attrs)
	}
	return out
}

func sortedEqual(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(a, b)
}
