package data_test

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/data"
)

// A per-user table in a stack of someone else's app.
func ExampleNewTable() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)

	notes := data.NewTable(stack, "Notes", &data.TableProps{PartitionKey: "owner", SortKey: "noteId"})
	_ = notes.Table // grant with notes.Table.GrantReadData(fn), ...

	template := assertions.Template_FromStack(stack, nil)
	for _, r := range *template.FindResources(jsii.String("AWS::DynamoDB::Table"), nil) {
		table := (*r)["Properties"].(map[string]any)
		keys, _ := json.Marshal(table["KeySchema"])
		pitr, _ := json.Marshal(table["PointInTimeRecoverySpecification"])
		sse, _ := json.Marshal(table["SSESpecification"])
		fmt.Println(string(keys))
		fmt.Println(table["BillingMode"], string(pitr))
		fmt.Println(string(sse), "deletion protection:", table["DeletionProtectionEnabled"], (*r)["DeletionPolicy"])
	}
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

	template := assertions.Template_FromStack(stack, nil)
	fmt.Println(*notes.Table.TableName(), len(*template.FindResources(jsii.String("AWS::DynamoDB::Table"), nil)))
	// Output: legacy-notes 0
}
