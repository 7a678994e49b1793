package monitoring_test

import (
	"fmt"
	"sort"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/monitoring"
	"github.com/portcullis-cdk/portcullis/internal/testhelp/cdktest"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

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
	for _, r := range cdktest.Resources(stack, "AWS::CloudWatch::Alarm") {
		if r.Properties["AlarmDescription"] == "Function Orders: 3 or more errors in 5 minutes" {
			fmt.Println("errors alarm at", r.Properties["Threshold"])
		}
	}
	s := cdktest.One(stack, "AWS::SNS::Subscription")
	fmt.Println(s.Properties["Protocol"], s.Properties["Endpoint"])
	// Output:
	// [OrdersErrors OrdersTableSystemErrors OrdersTableThrottles OrdersThrottles]
	// errors alarm at 3
	// email oncall@example.com
}
