// Package monitoring provides Monitor: CloudWatch alarms on the signals that
// say a stage is failing its users (function errors and throttles, the HTTP
// API's 5xx rate and p99 latency, DynamoDB throttled requests and system
// errors, Cognito sign-in and sign-up throttles), sent to an encrypted SNS
// topic that accepts TLS only, and a dashboard of the same signals.
//
// The logical ids of the resources this package makes, and the properties
// whose change would replace a stateful one, stay the same in every release
// that CHANGELOG.md does not mark breaking, so such an upgrade never
// replaces a resource of your stack: testdata/logical-ids.json records them
// and a test fails on any change. A breaking release (a new major version;
// before v1, a new minor) names each resource it changes.
//
// # Examples
//
// NewMonitor:
// Alarms on a function and a table of someone else's stack, mailed to the
// on-call address.
//
//	app := awscdk.NewApp(nil)
//	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)
//	fn := awslambda.Function_FromFunctionName(stack, jsii.String("Orders"), jsii.String("orders"))
//	table := awsdynamodb.Table_FromTableName(stack, jsii.String("OrdersTable"), jsii.String("orders"))
//
//	m := monitoring.NewMonitor(stack, "Ops", &monitoring.MonitorProps{
//		Functions:  map[string]awslambda.IFunction{"Orders": fn},
//		Tables:     map[string]awsdynamodb.ITable{"Orders": table},
//		Email:      "oncall@example.com",
//		Thresholds: monitoring.Thresholds{FunctionErrors: 3},
//	})
//	var ids []string
//	for id := range m.Alarms {
//		ids = append(ids, id)
//	}
//	sort.Strings(ids)
//	fmt.Println(ids)
//	template := assertions.Template_FromStack(stack, nil)
//	for _, r := range *template.FindResources(jsii.String("AWS::CloudWatch::Alarm"), nil) {
//		alarm := (*r)["Properties"].(map[string]any)
//		if alarm["AlarmDescription"] == "Function Orders: 3 or more errors in 5 minutes" {
//			fmt.Println("errors alarm at", alarm["Threshold"])
//		}
//	}
//	for _, r := range *template.FindResources(jsii.String("AWS::SNS::Subscription"), nil) {
//		subscription := (*r)["Properties"].(map[string]any)
//		fmt.Println(subscription["Protocol"], subscription["Endpoint"])
//	}
//	// Output:
//	// [OrdersErrors OrdersTableSystemErrors OrdersTableThrottles OrdersThrottles]
//	// errors alarm at 3
//	// email oncall@example.com
package monitoring

import (
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Thresholds of the alarms. A zero field takes its default; every alarm
// evaluates 5-minute periods and treats missing data (no traffic) as OK.
type Thresholds struct {
	// FunctionErrors alarms when a function reports at least this many
	// errors in 5 minutes. Default: 1.
	FunctionErrors int
	// FunctionThrottles alarms when a function is throttled at least this
	// many times in 5 minutes. Default: 1.
	FunctionThrottles int
	// APIServerErrorPercent alarms when at least this percentage of the
	// API's requests in 5 minutes answer 5xx. Default: 1.
	APIServerErrorPercent float64
	// APILatencyP99 alarms when the API's p99 latency is at least this for
	// 3 consecutive 5-minute periods. Default: 2 seconds.
	APILatencyP99 time.Duration
	// TableThrottles alarms when a table throttles at least this many
	// requests in 5 minutes. Default: 1.
	TableThrottles int
	// TableSystemErrors alarms when DynamoDB answers at least this many
	// requests to a table with a 500 in 5 minutes. Default: 1.
	TableSystemErrors int
	// CognitoThrottles alarms when the user pool throttles at least this
	// many sign-ins, or sign-ups, in 5 minutes. Default: 1.
	CognitoThrottles int
}

// Validate reports every threshold that is negative.
func (t Thresholds) Validate() error {
	var errs []error
	negative := func(name string, v any, below bool) {
		if below {
			errs = append(errs, fmt.Errorf("Thresholds.%s %v: want zero (the default) or more", name, v))
		}
	}
	negative("FunctionErrors", t.FunctionErrors, t.FunctionErrors < 0)
	negative("FunctionThrottles", t.FunctionThrottles, t.FunctionThrottles < 0)
	negative("APIServerErrorPercent", t.APIServerErrorPercent, t.APIServerErrorPercent < 0)
	negative("APILatencyP99", t.APILatencyP99, t.APILatencyP99 < 0)
	negative("TableThrottles", t.TableThrottles, t.TableThrottles < 0)
	negative("TableSystemErrors", t.TableSystemErrors, t.TableSystemErrors < 0)
	negative("CognitoThrottles", t.CognitoThrottles, t.CognitoThrottles < 0)
	if t.APIServerErrorPercent > 100 {
		errs = append(errs, fmt.Errorf("Thresholds.APIServerErrorPercent %v: want at most 100", t.APIServerErrorPercent))
	}
	return errors.Join(errs...)
}

func (t Thresholds) withDefaults() Thresholds {
	one := func(v *int) {
		if *v == 0 {
			*v = 1
		}
	}
	one(&t.FunctionErrors)
	one(&t.FunctionThrottles)
	one(&t.TableThrottles)
	one(&t.TableSystemErrors)
	one(&t.CognitoThrottles)
	if t.APIServerErrorPercent == 0 {
		t.APIServerErrorPercent = 1
	}
	if t.APILatencyP99 == 0 {
		t.APILatencyP99 = 2 * time.Second
	}
	return t
}

// MonitorProps configures a Monitor. Every resource to watch is optional;
// a Monitor with none is an alarm topic and an empty dashboard.
type MonitorProps struct {
	// Functions to alarm on (errors, throttles), by a name used in the alarm
	// and widget titles. Default: none.
	Functions map[string]awslambda.IFunction
	// API is the HTTP API to alarm on (5xx rate, p99 latency). Default: none.
	API awsapigatewayv2.IHttpApi
	// Tables to alarm on (throttled requests and system errors of GetItem,
	// PutItem, UpdateItem, DeleteItem, Query, Scan, BatchGetItem,
	// BatchWriteItem, TransactGetItems and TransactWriteItems), by name.
	// Default: none.
	Tables map[string]awsdynamodb.ITable
	// UserPool to alarm on (sign-in and sign-up throttles). Default: none.
	UserPool awscognito.IUserPool
	// UserPoolClients whose throttles count: Cognito reports them per app
	// client, and administrator calls as the client "Admin", which is always
	// counted. Required with UserPool: at most 9.
	UserPoolClients []awscognito.IUserPoolClient
	// Email subscribes an address to the alarm topic (it must confirm the
	// subscription). Default: none; subscribe a chat or paging integration
	// to Topic instead.
	Email string
	// Thresholds of the alarms. Default: see Thresholds.
	Thresholds Thresholds
	// DashboardName of the CloudWatch dashboard. Default: generated by CloudFormation.
	DashboardName string
	// Ephemeral deletes the topic's key with the stack (after KMS's 7-day
	// waiting period). Default: false (retained).
	Ephemeral bool
}

// Monitor is the alarm topic, its key, the alarms and the dashboard.
type Monitor struct {
	// Construct groups the resources below; pass it where a scope is wanted.
	Construct constructs.Construct
	// Topic receives every alarm's ALARM and OK notifications.
	Topic awssns.Topic
	// Key encrypts the topic; CloudWatch may use it to publish.
	Key awskms.Key
	// Alarms by construct id, e.g. "TodosErrors", "ApiLatencyP99".
	Alarms map[string]awscloudwatch.Alarm
	// Dashboard shows every alarmed signal and the API's request count.
	Dashboard awscloudwatch.Dashboard
}

// cloudwatchMetricsPerAlarm is CloudWatch's limit on the metrics one alarm's
// math expression may use.
const cloudwatchMetricsPerAlarm = 10

// Validate reports every problem with the props.
func (p *MonitorProps) Validate() error {
	var errs []error
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			errs = append(errs, fmt.Errorf("Email %q: want a bare address such as ops@example.com", p.Email))
		}
	}
	if p.UserPool != nil && (len(p.UserPoolClients) == 0 || len(p.UserPoolClients)+1 > cloudwatchMetricsPerAlarm) {
		errs = append(errs, fmt.Errorf("UserPoolClients: %d given, want 1 to %d with a UserPool", len(p.UserPoolClients), cloudwatchMetricsPerAlarm-1))
	}
	if p.UserPool == nil && len(p.UserPoolClients) > 0 {
		errs = append(errs, errors.New("UserPoolClients without a UserPool"))
	}
	for name := range p.Functions {
		if !validName(name) {
			errs = append(errs, fmt.Errorf("Functions: name %q: want letters and digits, starting with a letter", name))
		}
	}
	for name := range p.Tables {
		if !validName(name) {
			errs = append(errs, fmt.Errorf("Tables: name %q: want letters and digits, starting with a letter", name))
		}
	}
	if err := p.Thresholds.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func validName(s string) bool {
	if s == "" || !('A' <= s[0] && s[0] <= 'Z' || 'a' <= s[0] && s[0] <= 'z') {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool {
		return !('A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9')
	})
}

var period = awscdk.Duration_Minutes(jsii.Number(5))

// NewMonitor creates the topic, the alarms and the dashboard. It panics if
// props do not validate; call props.Validate first to handle the error.
func NewMonitor(scope constructs.Construct, id string, props *MonitorProps) *Monitor {
	if props == nil {
		props = &MonitorProps{}
	}
	if err := props.Validate(); err != nil {
		panic(fmt.Errorf("monitoring.NewMonitor %q: %w", id, err))
	}
	p := *props
	p.Thresholds = p.Thresholds.withDefaults()
	m := &Monitor{Construct: constructs.NewConstruct(scope, jsii.String(id)), Alarms: map[string]awscloudwatch.Alarm{}}
	m.addTopic(p)
	var widgets []awscloudwatch.IWidget
	widgets = append(widgets, m.watchFunctions(p)...)
	widgets = append(widgets, m.watchAPI(p)...)
	widgets = append(widgets, m.watchTables(p)...)
	widgets = append(widgets, m.watchUserPool(p)...)
	m.addDashboard(p, widgets)
	return m
}

// addTopic makes the alarm topic: encrypted with a key CloudWatch may use
// (the AWS managed SNS key does not let CloudWatch publish), and a policy
// that refuses every request not made over TLS.
func (m *Monitor) addTopic(p MonitorProps) {
	removal := awscdk.RemovalPolicy_RETAIN
	if p.Ephemeral {
		removal = awscdk.RemovalPolicy_DESTROY
	}
	m.Key = awskms.NewKey(m.Construct, jsii.String("TopicKey"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the alarm topic; CloudWatch alarms publish with it"),
		EnableKeyRotation: jsii.Bool(true),
		PendingWindow:     awscdk.Duration_Days(jsii.Number(7)),
		RemovalPolicy:     removal,
	})
	m.Key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarmsPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Stack_Of(m.Construct).Account()}},
	}), jsii.Bool(false))
	m.Topic = awssns.NewTopic(m.Construct, jsii.String("Topic"), &awssns.TopicProps{
		MasterKey:  m.Key,
		EnforceSSL: jsii.Bool(true),
	})
	if p.Email != "" {
		m.Topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(p.Email), nil))
	}
}

// alarm creates one alarm on metric, notifying the topic on ALARM and OK.
func (m *Monitor) alarm(id, description string, metric awscloudwatch.IMetric, threshold float64, periods int) {
	a := awscloudwatch.NewAlarm(m.Construct, jsii.String(id), &awscloudwatch.AlarmProps{
		Metric:             metric,
		Threshold:          jsii.Number(threshold),
		EvaluationPeriods:  jsii.Number(float64(periods)),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		AlarmDescription:   jsii.String(description),
	})
	action := awscloudwatchactions.NewSnsAction(m.Topic)
	a.AddAlarmAction(action)
	a.AddOkAction(action)
	m.Alarms[id] = a
}

func graph(title string, metrics ...awscloudwatch.IMetric) awscloudwatch.IWidget {
	return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
		Title: jsii.String(title), Left: &metrics, Width: jsii.Number(12),
	})
}

func sum(label string) *awscloudwatch.MetricOptions {
	return &awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("Sum"), Label: jsii.String(label)}
}

func sorted[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (m *Monitor) watchFunctions(p MonitorProps) []awscloudwatch.IWidget {
	var widgets []awscloudwatch.IWidget
	for _, name := range sorted(p.Functions) {
		fn := p.Functions[name]
		errs, throttles := fn.MetricErrors(sum("errors")), fn.MetricThrottles(sum("throttles"))
		m.alarm(name+"Errors", fmt.Sprintf("Function %s: %d or more errors in 5 minutes", name, p.Thresholds.FunctionErrors),
			errs, float64(p.Thresholds.FunctionErrors), 1)
		m.alarm(name+"Throttles", fmt.Sprintf("Function %s: %d or more throttled invocations in 5 minutes", name, p.Thresholds.FunctionThrottles),
			throttles, float64(p.Thresholds.FunctionThrottles), 1)
		widgets = append(widgets, graph("Function "+name, fn.MetricInvocations(sum("invocations")), errs, throttles))
	}
	return widgets
}

func (m *Monitor) watchAPI(p MonitorProps) []awscloudwatch.IWidget {
	if p.API == nil {
		return nil
	}
	count, errs := p.API.MetricCount(sum("requests")), p.API.MetricServerError(sum("5xx"))
	rate := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		// No requests is no error rate, not a division by zero.
		Expression:   jsii.String("IF(requests > 0, 100 * errors / requests, 0)"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{"requests": count, "errors": errs},
		Period:       period,
		Label:        jsii.String("5xx %"),
	})
	latency := p.API.MetricLatency(&awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("p99"), Label: jsii.String("p99 latency (ms)")})
	m.alarm("Api5xxRate", fmt.Sprintf("API: %v%% or more of the requests in 5 minutes answered 5xx", p.Thresholds.APIServerErrorPercent),
		rate, p.Thresholds.APIServerErrorPercent, 1)
	m.alarm("ApiLatencyP99", fmt.Sprintf("API: p99 latency %v or more for 15 minutes", p.Thresholds.APILatencyP99),
		latency, float64(p.Thresholds.APILatencyP99.Milliseconds()), 3)
	return []awscloudwatch.IWidget{graph("API requests and 5xx", count, errs), graph("API 5xx rate", rate), graph("API latency", latency)}
}

var tableOperations = []awsdynamodb.Operation{
	awsdynamodb.Operation_GET_ITEM, awsdynamodb.Operation_PUT_ITEM, awsdynamodb.Operation_UPDATE_ITEM,
	awsdynamodb.Operation_DELETE_ITEM, awsdynamodb.Operation_QUERY, awsdynamodb.Operation_SCAN,
	awsdynamodb.Operation_BATCH_GET_ITEM, awsdynamodb.Operation_BATCH_WRITE_ITEM,
	awsdynamodb.Operation_TRANSACT_GET_ITEMS, awsdynamodb.Operation_TRANSACT_WRITE_ITEMS,
}

func (m *Monitor) watchTables(p MonitorProps) []awscloudwatch.IWidget {
	var widgets []awscloudwatch.IWidget
	for _, name := range sorted(p.Tables) {
		t := p.Tables[name]
		throttled := t.MetricThrottledRequestsForOperations(&awsdynamodb.OperationsMetricOptions{
			Operations: &tableOperations, Period: period, Label: jsii.String("throttled requests"),
		})
		system := t.MetricSystemErrorsForOperations(&awsdynamodb.SystemErrorsForOperationsMetricOptions{
			Operations: &tableOperations, Period: period, Label: jsii.String("system errors"),
		})
		m.alarm(name+"TableThrottles", fmt.Sprintf("Table %s: %d or more throttled requests in 5 minutes", name, p.Thresholds.TableThrottles),
			throttled, float64(p.Thresholds.TableThrottles), 1)
		m.alarm(name+"TableSystemErrors", fmt.Sprintf("Table %s: %d or more system errors in 5 minutes", name, p.Thresholds.TableSystemErrors),
			system, float64(p.Thresholds.TableSystemErrors), 1)
		// Both expressions name their per-operation metrics alike, so one
		// graph cannot hold the two.
		widgets = append(widgets, graph("Table "+name+" throttled requests", throttled), graph("Table "+name+" system errors", system))
	}
	return widgets
}

// cognitoThrottles sums one Cognito throttle metric over the app clients
// and administrator calls, which Cognito reports separately.
func cognitoThrottles(p MonitorProps, metric, label string) awscloudwatch.IMetric {
	using := map[string]awscloudwatch.IMetric{}
	var terms []string
	clients := []*string{jsii.String("Admin")}
	for _, c := range p.UserPoolClients {
		clients = append(clients, c.UserPoolClientId())
	}
	for i, c := range clients {
		// Ids unique per metric, so both sums fit in one graph.
		key := fmt.Sprintf("%s%d", strings.ToLower(metric[:6]), i)
		using[key] = awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace:     jsii.String("AWS/Cognito"),
			MetricName:    jsii.String(metric),
			DimensionsMap: &map[string]*string{"UserPool": p.UserPool.UserPoolId(), "UserPoolClient": c},
			Statistic:     jsii.String("Sum"),
			Period:        period,
		})
		terms = append(terms, "FILL("+key+", 0)")
	}
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression:   jsii.String(strings.Join(terms, " + ")),
		UsingMetrics: &using,
		Period:       period,
		Label:        jsii.String(label),
	})
}

func (m *Monitor) watchUserPool(p MonitorProps) []awscloudwatch.IWidget {
	if p.UserPool == nil {
		return nil
	}
	signIn := cognitoThrottles(p, "SignInThrottles", "sign-in throttles")
	signUp := cognitoThrottles(p, "SignUpThrottles", "sign-up throttles")
	m.alarm("SignInThrottles", fmt.Sprintf("User pool: %d or more throttled sign-ins in 5 minutes", p.Thresholds.CognitoThrottles),
		signIn, float64(p.Thresholds.CognitoThrottles), 1)
	m.alarm("SignUpThrottles", fmt.Sprintf("User pool: %d or more throttled sign-ups in 5 minutes", p.Thresholds.CognitoThrottles),
		signUp, float64(p.Thresholds.CognitoThrottles), 1)
	return []awscloudwatch.IWidget{graph("User pool throttles", signIn, signUp)}
}

func (m *Monitor) addDashboard(p MonitorProps, widgets []awscloudwatch.IWidget) {
	var name *string
	if p.DashboardName != "" {
		name = jsii.String(p.DashboardName)
	}
	m.Dashboard = awscloudwatch.NewDashboard(m.Construct, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{DashboardName: name})
	var alarms []interfacesawscloudwatch.IAlarmRef
	for _, id := range sorted(m.Alarms) {
		alarms = append(alarms, m.Alarms[id])
	}
	if len(alarms) > 0 {
		m.Dashboard.AddWidgets(awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
			Alarms: &alarms, Title: jsii.String("Alarms"), Width: jsii.Number(24),
		}))
	}
	// Two graphs a row.
	for i := 0; i < len(widgets); i += 2 {
		m.Dashboard.AddWidgets(widgets[i:min(i+2, len(widgets))]...)
	}
}
