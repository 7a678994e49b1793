package data_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/data"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/cdktest"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// A per-user table in a stack of someone else's app.
func ExampleNewTable() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)

	notes := data.NewTable(stack, "Notes", &data.TableProps{PartitionKey: "owner", SortKey: "noteId"})
	_ = notes.Table // grant with notes.Table.GrantReadData(fn), ...

	t := cdktest.One(stack, "AWS::DynamoDB::Table")
	fmt.Println(cdktest.JSON(t.Properties["KeySchema"]))
	fmt.Println(t.Properties["BillingMode"], cdktest.JSON(t.Properties["PointInTimeRecoverySpecification"]))
	fmt.Println(cdktest.JSON(t.Properties["SSESpecification"]), "deletion protection:", t.Properties["DeletionProtectionEnabled"], t.DeletionPolicy)
	// Output:
	// [{"AttributeName":"owner","KeyType":"HASH"},{"AttributeName":"noteId","KeyType":"RANGE"}]
	// PAY_PER_REQUEST {"PointInTimeRecoveryEnabled":true}
	// {"SSEEnabled":true} deletion protection: true Retain
}

// An existing table is wrapped, not recreated.
func ExampleNewTable_existing() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)

	existing := awsdynamodb.Table_FromTableName(stack, jsii.String("Legacy"), jsii.String("legacy-notes"))
	notes := data.NewTable(stack, "Notes", &data.TableProps{Existing: existing})

	fmt.Println(*notes.Table.TableName(), len(cdktest.Resources(stack, "AWS::DynamoDB::Table")))
	// Output: legacy-notes 0
}

func TestTablePropsValidate(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("S"), nil)
	existing := awsdynamodb.Table_FromTableName(stack, jsii.String("E"), jsii.String("e"))
	for _, c := range []struct {
		name  string
		props data.TableProps
		ok    bool
	}{
		{"new", data.TableProps{PartitionKey: "owner"}, true},
		{"existing", data.TableProps{Existing: existing}, true},
		{"both", data.TableProps{Existing: existing, PartitionKey: "owner"}, false},
		{"no key", data.TableProps{}, false},
		{"same keys", data.TableProps{PartitionKey: "k", SortKey: "k"}, false},
	} {
		if err := c.props.Validate(); (err == nil) != c.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

func TestEphemeralTable(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("S"), nil)
	data.NewTable(stack, "T", &data.TableProps{PartitionKey: "owner", TTLAttribute: "expiresAt", Ephemeral: true})
	r := cdktest.One(stack, "AWS::DynamoDB::Table")
	if r.DeletionPolicy != "Delete" || r.Properties["DeletionProtectionEnabled"] != false {
		t.Errorf("ephemeral table: DeletionPolicy %s, protection %v", r.DeletionPolicy, r.Properties["DeletionProtectionEnabled"])
	}
	if got := cdktest.JSON(r.Properties["TimeToLiveSpecification"]); got != `{"AttributeName":"expiresAt","Enabled":true}` {
		t.Errorf("TTL = %s", got)
	}
}
