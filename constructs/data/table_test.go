package data_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/data"
	"github.com/portcullis-cdk/portcullis/constructs/internal/cdktest"
)

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
