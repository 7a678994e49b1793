package monitoring_test

import (
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/monitoring"
)

// Alarms on a function and a table of someone else's stack, mailed to the
// on-call address.
func ExampleNewMonitor() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)
	fn := awslambda.Function_FromFunctionName(stack, jsii.String("Orders"), jsii.String("orders"))
	table := awsdynamodb.Table_FromTableName(stack, jsii.String("OrdersTable"), jsii.String("orders"))

	m := monitoring.NewMonitor(stack, "Ops", &monitoring.MonitorProps{
		Functions:  map[string]awslambda.IFunction{"Orders": fn},
		Tables:     map[string]awsdynamodb.ITable{"Orders": table},
		Email:      "oncall@example.com",
		Thresholds: monitoring.Thresholds{FunctionErrors: 3},
	})
	var ids []string
	for id := range m.Alarms {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	fmt.Println(ids)
	template := assertions.Template_FromStack(stack, nil)
	for _, r := range *template.FindResources(jsii.String("AWS::CloudWatch::Alarm"), nil) {
		alarm := (*r)["Properties"].(map[string]any)
		if alarm["AlarmDescription"] == "Function Orders: 3 or more errors in 5 minutes" {
			fmt.Println("errors alarm at", alarm["Threshold"])
		}
	}
	for _, r := range *template.FindResources(jsii.String("AWS::SNS::Subscription"), nil) {
		subscription := (*r)["Properties"].(map[string]any)
		fmt.Println(subscription["Protocol"], subscription["Endpoint"])
	}
	// Output:
	// [OrdersErrors OrdersTableSystemErrors OrdersTableThrottles OrdersThrottles]
	// errors alarm at 3
	// email oncall@example.com
}
