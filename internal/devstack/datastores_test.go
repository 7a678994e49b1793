package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/portcullis-cdk/portcullis/internal/cfn"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
)

// tableTemplate is a template of one table with properties props (JSON).
func tableTemplate(t *testing.T, props string) *cfn.Template {
	t.Helper()
	tpl, err := cfn.Parse([]byte(`{"Resources": {"Notes": {"Type": "AWS::DynamoDB::Table", "Properties": ` + props + `}}}`))
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

const (
	// notesKeys is a table keyed by owner and createdAt (a number), with
	// a tag attribute for notesIndexes, which index it.
	notesKeys = `"KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}, {"AttributeName": "createdAt", "KeyType": "RANGE"}],
		"AttributeDefinitions": [{"AttributeName": "owner", "AttributeType": "S"}, {"AttributeName": "createdAt", "AttributeType": "N"}, {"AttributeName": "tag", "AttributeType": "S"}]`
	notesIndexes = `"GlobalSecondaryIndexes": [{"IndexName": "byTag", "KeySchema": [{"AttributeName": "tag", "KeyType": "HASH"}],
			"Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["title"]}, "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}],
		"LocalSecondaryIndexes": [{"IndexName": "byTagLocal", "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}, {"AttributeName": "tag", "KeyType": "RANGE"}],
			"Projection": {"ProjectionType": "KEYS_ONLY"}}]`
)

// notesWithoutTag is notesKeys without the tag attribute: DynamoDB refuses
// an attribute definition no key or index uses.
var notesWithoutTag = strings.Replace(notesKeys, `, {"AttributeName": "tag", "AttributeType": "S"}`, "", 1)

// TestReadTables: each table is created from its own resource (its name,
// keys, attribute types and indexes), and what the local table does not
// take from it is a row of gaps, or the template is refused with a reason.
func TestReadTables(t *testing.T) {
	tpl := tableTemplate(t, `{`+notesKeys+`, `+notesIndexes+`, "TableName": "notes-dev",
		"BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
		"StreamSpecification": {"StreamViewType": "NEW_IMAGE"}, "TimeToLiveSpecification": {"AttributeName": "expiresAt", "Enabled": true}}`)
	tables, err := readTables(*tpl)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 || tables[0].LogicalID != "Notes" || tables[0].Name() != "notes-dev" {
		t.Fatalf("tables %+v, want Notes named notes-dev", tables)
	}
	in := tables[0].Create
	if got, want := describeCreate(in), "notes-dev: owner S HASH, createdAt N RANGE; GSI byTag: tag HASH INCLUDE [title]; LSI byTagLocal: owner HASH, tag RANGE KEYS_ONLY []"; got != want {
		t.Errorf("table %s\nwant      %s", got, want)
	}
	if !slices.Contains(attributeNames(in.AttributeDefinitions), "tag") || in.BillingMode != ddbtypes.BillingModePayPerRequest {
		t.Errorf("attributes %v, billing %s", attributeNames(in.AttributeDefinitions), in.BillingMode)
	}
	for typ, paths := range tpl.Properties() {
		for _, p := range paths {
			if !tpl.Reads().Covers(typ, p) && !slices.ContainsFunc(gaps, func(g gap) bool { return g.Type == typ && cfn.Covers(g.Property, p) }) {
				t.Errorf("%s %s is neither read nor a row of gaps: the local table would differ silently", typ, p)
			}
		}
	}
	for _, read := range []string{"KeySchema[].AttributeName", "AttributeDefinitions[].AttributeType", "TableName",
		"GlobalSecondaryIndexes[].Projection.NonKeyAttributes[]", "LocalSecondaryIndexes[].KeySchema[].KeyType"} {
		if !tpl.Reads().Covers("AWS::DynamoDB::Table", read) {
			t.Errorf("%s not read", read)
		}
	}

	for _, tc := range []struct{ name, template, want string }{
		{"a name from a function", `{"Resources": {"Notes": {"Type": "AWS::DynamoDB::Table", "Properties": {` + notesKeys + `, "TableName": {"Fn::Sub": "${AWS::StackName}-notes"}}}}}`,
			`table Notes: TableName {"Fn::Sub": "${AWS::StackName}-notes"} is not a literal name`},
		{"a name twice", `{"Resources": {"A": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "notes"}}, "B": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "notes"}}}}`,
			`tables A and B are both named "notes"`},
		{"a key that is not a list", `{"Resources": {"Notes": {"Type": "AWS::DynamoDB::Table", "Properties": {"KeySchema": {"AttributeName": "owner"}}}}}`,
			"table Notes: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := cfn.Parse([]byte(tc.template))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := readTables(*tpl); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestReadTablesOfTheStages: both stages' tables are named by their
// logical ids (no TableName) and keyed as the template says, and the todos
// table is the one the stack outputs.
func TestReadTablesOfTheStages(t *testing.T) {
	for _, path := range []string{golden, prodGolden} {
		p, err := ReadPlan(path)
		if err != nil {
			t.Fatal(err)
		}
		var raw struct {
			Resources map[string]struct {
				Type       string
				Properties struct{ KeySchema []keyElement }
			}
		}
		if b, err := os.ReadFile(path); err != nil || json.Unmarshal(b, &raw) != nil {
			t.Fatalf("reading %s: %v", path, err)
		}
		var ids []string
		for id, r := range raw.Resources {
			if r.Type == "AWS::DynamoDB::Table" {
				ids = append(ids, id)
			}
		}
		if len(p.Tables) != len(ids) || len(ids) == 0 {
			t.Fatalf("%s: %d tables read, the template has %d", path, len(p.Tables), len(ids))
		}
		for _, tb := range p.Tables {
			want := raw.Resources[tb.LogicalID].Properties.KeySchema
			if tb.Name() != tb.LogicalID || !slices.Equal(keyElements(tb.Create.KeySchema), want) {
				t.Errorf("%s: table %s named %s keyed %v, want its logical id and %v", path, tb.LogicalID, tb.Name(), keyElements(tb.Create.KeySchema), want)
			}
		}
		if !strings.HasPrefix(p.TodosTable, "TodosTable") || p.tableName(p.TodosTable) == "" {
			t.Errorf("%s: todos table %q", path, p.TodosTable)
		}
	}
}

// TestTablesFollowTheTemplate: the local DynamoDB (dynalite) creates each
// table as its resource says, and a table kept in the state directory
// follows a change to its resource as CloudFormation does: an index added
// keeps the items, a new sort key replaces the table (empty).
func TestTablesFollowTheTemplate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	start := func(props string) (*localaws.Servers, *dynamodb.Client, *dynamodb.CreateTableInput) {
		t.Helper()
		tables, err := readTables(*tableTemplate(t, props))
		if err != nil {
			t.Fatal(err)
		}
		s, err := localaws.StartIn(ctx, localaws.Config{DataDir: dir, Tables: []*dynamodb.CreateTableInput{tables[0].Create}})
		if err != nil {
			t.Fatal(err)
		}
		return s, s.DynamoDB(nil), tables[0].Create
	}
	describe := func(db *dynamodb.Client) string {
		t.Helper()
		out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("Notes")})
		if err != nil {
			t.Fatal(err)
		}
		return describeDescription(out.Table)
	}
	count := func(db *dynamodb.Client) int32 {
		t.Helper()
		out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("Notes"), Select: ddbtypes.SelectCount})
		if err != nil {
			t.Fatal(err)
		}
		return out.Count
	}

	// dynalite checks a definition as DynamoDB does: the stack does not
	// start with a table CloudFormation would not create.
	if tables, err := readTables(*tableTemplate(t, `{`+notesKeys+`}`)); err != nil {
		t.Fatal(err)
	} else if _, err := localaws.StartIn(ctx, localaws.Config{DataDir: t.TempDir(), Tables: []*dynamodb.CreateTableInput{tables[0].Create}}); err == nil ||
		!strings.Contains(err.Error(), "creating table Notes") || !strings.Contains(err.Error(), "AttributeDefinitions") {
		t.Errorf("a table with an unused attribute definition: %v, want DynamoDB's refusal", err)
	}

	s, db, in := start(`{` + notesWithoutTag + `}`)
	if got, want := describe(db), describeCreate(in); got != want {
		t.Errorf("dynalite describes %s, want the template's %s", got, want)
	}
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Notes"), Item: map[string]ddbtypes.AttributeValue{
		"owner": &ddbtypes.AttributeValueMemberS{Value: "a"}, "createdAt": &ddbtypes.AttributeValueMemberN{Value: "1"},
		"tag": &ddbtypes.AttributeValueMemberS{Value: "x"}, "title": &ddbtypes.AttributeValueMemberS{Value: "kept"},
	}})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}

	s, db, in = start(`{` + notesKeys + `, ` + notesIndexes + `}`)
	if got, want := describe(db), describeCreate(in); got != want || count(db) != 1 {
		t.Errorf("with indexes added: dynalite describes %s with %d items, want %s with the item kept", got, count(db), want)
	}
	q, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("Notes"), IndexName: aws.String("byTag"),
		KeyConditionExpression:    aws.String("tag = :t"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":t": &ddbtypes.AttributeValueMemberS{Value: "x"}}})
	if err != nil || q.Count != 1 {
		t.Errorf("query of the added index: %v, %v", q, err)
	}
	s.Close()

	renamed := strings.ReplaceAll(notesWithoutTag, "createdAt", "sentAt")
	s, db, in = start(`{` + renamed + `}`)
	defer s.Close()
	if got, want := describe(db), describeCreate(in); got != want || count(db) != 0 {
		t.Errorf("with a new sort key: dynalite describes %s with %d items, want %s, empty", got, count(db), want)
	}
}

// describeCreate spells a CreateTable input as describeDescription spells
// the table dynalite describes.
func describeCreate(in *dynamodb.CreateTableInput) string {
	d := &ddbtypes.TableDescription{TableName: in.TableName, KeySchema: in.KeySchema, AttributeDefinitions: in.AttributeDefinitions}
	for _, ix := range in.GlobalSecondaryIndexes {
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, ddbtypes.GlobalSecondaryIndexDescription{IndexName: ix.IndexName, KeySchema: ix.KeySchema, Projection: ix.Projection})
	}
	for _, ix := range in.LocalSecondaryIndexes {
		d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, ddbtypes.LocalSecondaryIndexDescription{IndexName: ix.IndexName, KeySchema: ix.KeySchema, Projection: ix.Projection})
	}
	return describeDescription(d)
}

// describeDescription spells a table's name, keys with their types, and
// indexes.
func describeDescription(d *ddbtypes.TableDescription) string {
	var gsi, lsi []string
	for _, ix := range d.GlobalSecondaryIndexes {
		gsi = append(gsi, describeIndex(*ix.IndexName, ix.KeySchema, ix.Projection))
	}
	for _, ix := range d.LocalSecondaryIndexes {
		lsi = append(lsi, describeIndex(*ix.IndexName, ix.KeySchema, ix.Projection))
	}
	return describeTable(*d.TableName, d.KeySchema, d.AttributeDefinitions, gsi, lsi)
}

func describeTable(name string, ks []ddbtypes.KeySchemaElement, defs []ddbtypes.AttributeDefinition, gsi, lsi []string) string {
	types := map[string]string{}
	for _, d := range defs {
		types[*d.AttributeName] = string(d.AttributeType)
	}
	var keys []string
	for _, e := range ks {
		keys = append(keys, fmt.Sprintf("%s %s %s", *e.AttributeName, types[*e.AttributeName], e.KeyType))
	}
	out := name + ": " + strings.Join(keys, ", ")
	for _, g := range gsi {
		out += "; GSI " + g
	}
	for _, l := range lsi {
		out += "; LSI " + l
	}
	return out
}

func describeIndex(name string, ks []ddbtypes.KeySchemaElement, p *ddbtypes.Projection) string {
	var keys []string
	for _, e := range ks {
		keys = append(keys, fmt.Sprintf("%s %s", *e.AttributeName, e.KeyType))
	}
	return fmt.Sprintf("%s: %s %s %v", name, strings.Join(keys, ", "), p.ProjectionType, p.NonKeyAttributes)
}

func keyElements(ks []ddbtypes.KeySchemaElement) []keyElement {
	var out []keyElement
	for _, e := range ks {
		out = append(out, keyElement{AttributeName: *e.AttributeName, KeyType: string(e.KeyType)})
	}
	return out
}

func attributeNames(defs []ddbtypes.AttributeDefinition) []string {
	var out []string
	for _, d := range defs {
		out = append(out, *d.AttributeName)
	}
	return out
}

// checkTables: the started stack's tables are the plan's, as dynalite
// describes them.
func checkTables(t *testing.T, s *Stack, p *Plan) {
	t.Helper()
	for _, tb := range p.Tables {
		out, err := s.aws.DynamoDB(nil).DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: tb.Create.TableName})
		if err != nil {
			t.Errorf("table %s: %v", tb.Name(), err)
			continue
		}
		if got, want := describeDescription(out.Table), describeCreate(tb.Create); got != want {
			t.Errorf("local table %s, want the template's %s", got, want)
		}
	}
}
