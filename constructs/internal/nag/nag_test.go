package nag_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/internal/cdktest"
	"github.com/portcullis-cdk/portcullis/constructs/internal/nag"
)

func TestMain(m *testing.M) { cdktest.Main(m) }

// rules returns each resource's cdk_nag rules of a type, as JSON.
func rules(stack awscdk.Stack, typ string) map[string]string {
	out := map[string]string{}
	for id, r := range cdktest.Resources(stack, typ) {
		out[id] = cdktest.JSON(r.Metadata["cdk_nag"])
	}
	return out
}

const reason = "A reason long enough for cdk-nag."

func TestSuppressWritesWhatCdkNagReads(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	bucket := awss3.NewBucket(stack, jsii.String("B"), nil)
	nag.Suppress(bucket, []nag.Suppression{{ID: "AwsSolutions-S1", Reason: reason}}, false)
	nag.Suppress(bucket, []nag.Suppression{
		{ID: "AwsSolutions-S1", Reason: reason}, // already there: not repeated
		{ID: "AwsSolutions-S10", AppliesTo: []any{"Resource::*", nag.Regex(`/^Action::s3:.*$/`)}, Reason: reason},
	}, false)
	want := `{"rules_to_suppress":[{"id":"AwsSolutions-S1","reason":"` + reason + `"},` +
		`{"applies_to":["Resource::*",{"regex":"/^Action::s3:.*$/"}],"id":"AwsSolutions-S10","reason":"` + reason + `"}]}`
	for id, got := range rules(stack, "AWS::S3::Bucket") {
		if got != want {
			t.Errorf("%s: cdk_nag metadata\n got %s\nwant %s", id, got, want)
		}
	}
}

func TestSuppressChildren(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	lambda := awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil)
	role := awsiam.NewRole(stack, jsii.String("Suppressed"), &awsiam.RoleProps{AssumedBy: lambda})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Actions: jsii.Strings("s3:GetObject"), Resources: jsii.Strings("*")}))
	awsiam.NewRole(stack, jsii.String("Other"), &awsiam.RoleProps{AssumedBy: lambda})

	nag.Suppress(role, []nag.Suppression{{ID: "AwsSolutions-IAM5", AppliesTo: []any{"Resource::*"}, Reason: reason}}, true)
	want := `{"rules_to_suppress":[{"applies_to":["Resource::*"],"id":"AwsSolutions-IAM5","reason":"` + reason + `"}]}`
	for _, typ := range []string{"AWS::IAM::Role", "AWS::IAM::Policy"} {
		for id, got := range rules(stack, typ) {
			switch {
			case strings.HasPrefix(id, "Suppressed") && got != want:
				t.Errorf("%s (the role or below): cdk_nag metadata\n got %s\nwant %s", id, got, want)
			case strings.HasPrefix(id, "Other") && got != "null":
				t.Errorf("%s (outside the role): cdk_nag metadata %s", id, got)
			}
		}
	}
	if n := len(rules(stack, "AWS::IAM::Policy")); n != 1 {
		t.Errorf("%d policies, want the suppressed role's", n)
	}
}

// cdk-nag stores a reason beyond Latin-1 base64-encoded and flags it.
func TestSuppressEncodesWideReasons(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
	bucket := awss3.NewBucket(stack, jsii.String("B"), nil)
	wide := "Logs go to themselves — endlessly."
	nag.Suppress(bucket, []nag.Suppression{{ID: "AwsSolutions-S1", Reason: wide}}, false)
	for _, r := range cdktest.Resources(stack, "AWS::S3::Bucket") {
		var md struct {
			Rules []struct {
				Reason  string `json:"reason"`
				Encoded bool   `json:"is_reason_encoded"`
			} `json:"rules_to_suppress"`
		}
		if err := json.Unmarshal([]byte(cdktest.JSON(r.Metadata["cdk_nag"])), &md); err != nil || len(md.Rules) != 1 {
			t.Fatalf("metadata %v: %v", r.Metadata, err)
		}
		decoded, err := base64.StdEncoding.DecodeString(md.Rules[0].Reason)
		if !md.Rules[0].Encoded || err != nil || string(decoded) != wide {
			t.Errorf("reason %q (encoded %v), want base64 of %q", md.Rules[0].Reason, md.Rules[0].Encoded, wide)
		}
	}
}

func TestSuppressRefusesWhatCdkNagRefuses(t *testing.T) {
	for _, c := range []struct {
		s    nag.Suppression
		want string
	}{
		{nag.Suppression{ID: "AwsSolutions-S1", Reason: "short"}, `reason "short"`},
		{nag.Suppression{ID: "AwsSolutions-IAM5[Resource::*]", Reason: reason}, "AppliesTo"},
		{nag.Suppression{ID: "AwsSolutions-IAM5", AppliesTo: []any{nag.Regex("^Resource::.*$")}, Reason: reason}, "/source/flags"},
		{nag.Suppression{ID: "AwsSolutions-IAM4", AppliesTo: []any{42}, Reason: reason}, "want a string or a Regex"},
	} {
		t.Run(c.s.ID, func(t *testing.T) {
			stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil)
			bucket := awss3.NewBucket(stack, jsii.String("B"), nil)
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), c.want) {
					t.Errorf("panic %v, want one naming %q", r, c.want)
				}
			}()
			nag.Suppress(bucket, []nag.Suppression{c.s}, false)
		})
	}
}
