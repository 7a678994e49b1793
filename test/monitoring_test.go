package test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/monitoring"
)

// alarmsOn returns the stage's alarms whose metrics (or any metric of their
// math expression) are metricName in namespace, by logical id.
func alarmsOn(tpl template, namespace, metricName string) map[string]resource {
	out := map[string]resource{}
	for _, id := range tpl.ofType("AWS::CloudWatch::Alarm") {
		r := tpl.Resources[id]
		for _, m := range asList(r.Properties["Metrics"]) {
			if prop(m, "MetricStat", "Metric", "Namespace") == namespace && prop(m, "MetricStat", "Metric", "MetricName") == metricName {
				out[id] = r
			}
		}
	}
	return out
}

// dimension is the value of one dimension of an alarm's first metric of that name.
func dimension(r resource, metricName, name string) string {
	for _, m := range asList(r.Properties["Metrics"]) {
		if prop(m, "MetricStat", "Metric", "MetricName") != metricName {
			continue
		}
		for _, d := range asList(prop(m, "MetricStat", "Metric", "Dimensions")) {
			if prop(d, "Name") == name {
				return js(prop(d, "Value"))
			}
		}
	}
	return ""
}

// TestAlarms: every function, the API, every table and the user pool have
// their alarms, with the stage's thresholds, notifying the alarm topic on
// ALARM and OK.
func TestAlarms(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		tpl, th := s.template, s.config.Alarms
		topic, _ := tpl.at(t, "Monitoring/Topic/Resource")
		want := func(th, def float64) float64 {
			if th == 0 {
				return def
			}
			return th
		}
		check := func(what string, alarms map[string]resource, n int, threshold float64, periods int) {
			t.Helper()
			if len(alarms) != n {
				t.Errorf("%s: %d alarms, want %d", what, len(alarms), n)
			}
			for id, a := range alarms {
				p := a.Properties
				if p["Threshold"] != threshold || p["EvaluationPeriods"] != float64(periods) || p["ComparisonOperator"] != "GreaterThanOrEqualToThreshold" {
					t.Errorf("%s alarm %s: threshold %v over %v periods (%v), want >= %v over %d", what, id, p["Threshold"], p["EvaluationPeriods"], p["ComparisonOperator"], threshold, periods)
				}
				if js(p["AlarmActions"]) != "["+ref(topic)+"]" || js(p["OKActions"]) != "["+ref(topic)+"]" {
					t.Errorf("%s alarm %s: actions %s / %s, want the alarm topic", what, id, js(p["AlarmActions"]), js(p["OKActions"]))
				}
				if p["TreatMissingData"] != "notBreaching" {
					t.Errorf("%s alarm %s: missing data %v, want notBreaching (no traffic is not an outage)", what, id, p["TreatMissingData"])
				}
			}
		}

		functions := ours(tpl, tpl.ofType("AWS::Lambda::Function"))
		fnErrors, fnThrottles := alarmsOn(tpl, "AWS/Lambda", "Errors"), alarmsOn(tpl, "AWS/Lambda", "Throttles")
		check("function errors", fnErrors, len(functions), want(float64(th.FunctionErrors), 1), 1)
		check("function throttles", fnThrottles, len(functions), want(float64(th.FunctionThrottles), 1), 1)
		for _, fn := range functions {
			for what, alarms := range map[string]map[string]resource{"errors": fnErrors, "throttles": fnThrottles} {
				found := false
				for _, a := range alarms {
					found = found || dimension(a, map[string]string{"errors": "Errors", "throttles": "Throttles"}[what], "FunctionName") == ref(fn)
				}
				if !found {
					t.Errorf("function %s has no %s alarm", fn, what)
				}
			}
		}

		api := tpl.ofType("AWS::ApiGatewayV2::Api")[0]
		rate := alarmsOn(tpl, "AWS/ApiGateway", "5xx")
		check("API 5xx rate", rate, 1, want(th.APIServerErrorPercent, 1), 1)
		for id, a := range rate {
			if dimension(a, "5xx", "ApiId") != ref(api) || !strings.Contains(js(a.Properties["Metrics"]), `100 * errors / requests`) {
				t.Errorf("5xx alarm %s: %s, want the percentage of the API's requests", id, js(a.Properties["Metrics"]))
			}
		}
		latency := alarmsOn(tpl, "AWS/ApiGateway", "Latency")
		check("API p99 latency", latency, 1, want(float64(th.APILatencyP99.Milliseconds()), 2000), 3)
		for id, a := range latency {
			if !strings.Contains(js(a.Properties["Metrics"]), `"Stat":"p99"`) {
				t.Errorf("latency alarm %s: %s, want the p99", id, js(a.Properties["Metrics"]))
			}
		}

		tables := ours(tpl, tpl.ofType("AWS::DynamoDB::Table"))
		check("table throttles", alarmsOn(tpl, "AWS/DynamoDB", "ThrottledRequests"), len(tables), want(float64(th.TableThrottles), 1), 1)
		check("table system errors", alarmsOn(tpl, "AWS/DynamoDB", "SystemErrors"), len(tables), want(float64(th.TableSystemErrors), 1), 1)

		pool, _ := tpl.at(t, "Users/Pool/Resource")
		for _, metric := range []string{"SignInThrottles", "SignUpThrottles"} {
			alarms := alarmsOn(tpl, "AWS/Cognito", metric)
			check(metric, alarms, 1, want(float64(th.CognitoThrottles), 1), 1)
			for id, a := range alarms {
				m := js(a.Properties["Metrics"])
				clients := len(tpl.ofType("AWS::Cognito::UserPoolClient"))
				if dimension(a, metric, "UserPool") != ref(pool) || !strings.Contains(m, `"Value":"Admin"`) || strings.Count(m, `"Name":"UserPoolClient"`) != clients+1 {
					t.Errorf("%s alarm %s: %s, want the pool's throttles summed over its %d app clients and Admin", metric, id, m, clients)
				}
			}
		}
		if n := len(tpl.ofType("AWS::CloudWatch::Alarm")); n != 2*len(functions)+2+2*len(tables)+2 {
			t.Errorf("%d alarms in all; an alarm this test does not know about?", n)
		}
	})
}

// TestAlarmTopic: the topic is encrypted with a rotated key that CloudWatch
// may use, and its policy refuses publishing without TLS.
func TestAlarmTopic(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		tpl := s.template
		topicID, topic := tpl.at(t, "Monitoring/Topic/Resource")
		keyID, key := tpl.at(t, "Monitoring/TopicKey/Resource")
		if js(topic.Properties["KmsMasterKeyId"]) != js(map[string]any{"Fn::GetAtt": []string{keyID, "Arn"}}) {
			t.Errorf("topic key %s, want %s", js(topic.Properties["KmsMasterKeyId"]), keyID)
		}
		if key.Properties["EnableKeyRotation"] != true {
			t.Error("the topic key is not rotated")
		}
		if !strings.Contains(js(prop(key.Properties, "KeyPolicy", "Statement")), `"Principal":{"Service":"cloudwatch.amazonaws.com"}`) {
			t.Errorf("key policy %s lets CloudWatch not publish", js(key.Properties["KeyPolicy"]))
		}
		var tls bool
		for _, id := range tpl.ofType("AWS::SNS::TopicPolicy") {
			p := tpl.Resources[id].Properties
			if js(p["Topics"]) != "["+ref(topicID)+"]" {
				continue
			}
			for _, st := range asList(prop(p, "PolicyDocument", "Statement")) {
				tls = tls || prop(st, "Effect") == "Deny" && js(prop(st, "Condition")) == `{"Bool":{"aws:SecureTransport":"false"}}`
			}
		}
		if !tls {
			t.Error("no topic policy denies requests without TLS")
		}
		subs := tpl.ofType("AWS::SNS::Subscription")
		if s.config.AlarmEmail == "" && len(subs) != 0 {
			t.Errorf("stage names no alarm email, yet subscriptions %v", subs)
		}
	})
}

// TestDashboardAndRetention: one dashboard per stage, named after its
// stack, showing the API's request count; every log group keeps the
// stage's retention.
func TestDashboardAndRetention(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		tpl := s.template
		_, d := tpl.at(t, "Monitoring/Dashboard/Resource")
		if d.Properties["DashboardName"] != s.config.StackName() {
			t.Errorf("dashboard name %v, want %s", d.Properties["DashboardName"], s.config.StackName())
		}
		body := js(d.Properties["DashboardBody"])
		for _, want := range []string{`\"Count\"`, `\"5xx\"`, `\"Latency\"`, `\"ThrottledRequests\"`, `\"SystemErrors\"`, `\"SignInThrottles\"`, `\"SignUpThrottles\"`, `\"Errors\"`, `\"Throttles\"`, `\"type\":\"alarm\"`} {
			if !strings.Contains(body, want) {
				t.Errorf("dashboard lacks %s", want)
			}
		}
		groups := tpl.ofType("AWS::Logs::LogGroup")
		if len(groups) == 0 {
			t.Fatal("no log groups")
		}
		for _, id := range groups {
			if got := tpl.Resources[id].Properties["RetentionInDays"]; got != float64(s.config.LogRetentionDays) {
				t.Errorf("log group %s keeps logs %v days, want the stage's %d", id, got, s.config.LogRetentionDays)
			}
		}
	})
}

// TestMonitorAlone: the construct in someone else's stack, with an email
// address: the address is subscribed, and a bad address is refused.
func TestMonitorAlone(t *testing.T) {
	app, err := newApp(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	stack := awscdk.NewStack(app, jsii.String("ops"), nil)
	monitoring.NewMonitor(stack, "Ops", &monitoring.MonitorProps{Email: "ops@example.com"})
	assertions.Template_FromStack(stack, nil).HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{
		"Protocol": "email", "Endpoint": "ops@example.com",
	})
	for _, bad := range []monitoring.MonitorProps{
		{Email: "Ops <ops@example.com>"},
		{Thresholds: monitoring.Thresholds{APIServerErrorPercent: 120}},
		{Thresholds: monitoring.Thresholds{FunctionErrors: -1}},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v validated", bad)
		}
	}
}
