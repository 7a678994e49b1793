package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// findings lists the violations in a cloud assembly's validation report:
// the CloudFormation validator's, and cdk-nag's errors and warnings, which
// reach the report as construct annotations (the
// @aws-cdk/core:annotationsInValidationReport flag of cdk.json).
func findings(dir string) ([]string, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "validation-report.json"))
	if err != nil {
		return nil, err
	}
	var report struct {
		PluginReports []struct {
			PluginName string `json:"pluginName"`
			Violations []struct {
				RuleName            string `json:"ruleName"`
				Description         string `json:"description"`
				Severity            string `json:"severity"`
				ViolatingConstructs []struct {
					ConstructPath string `json:"constructPath"`
				} `json:"violatingConstructs"`
			} `json:"violations"`
		} `json:"pluginReports"`
	}
	if err := json.Unmarshal(raw, &report); err != nil {
		return nil, fmt.Errorf("validation-report.json: %w", err)
	}
	var out []string
	for _, p := range report.PluginReports {
		for _, v := range p.Violations {
			var paths []string
			for _, c := range v.ViolatingConstructs {
				paths = append(paths, c.ConstructPath)
			}
			out = append(out, fmt.Sprintf("%s %s %s: %s at %s", p.PluginName, v.Severity, v.RuleName,
				strings.TrimSpace(v.Description), strings.Join(paths, ", ")))
		}
	}
	sort.Strings(out)
	return out, nil
}

// TestNoFindings: cdk-nag AwsSolutions (errors and warnings) and the
// CloudFormation validator report nothing unsuppressed on any stage.
func TestNoFindings(t *testing.T) {
	got, err := findings(assembly)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range got {
		t.Error(f)
	}
}

// TestSuppressionsAreExplained: every cdk-nag suppression names its rule, a
// reason of substance, and for granular rules the exact finding.
func TestSuppressionsAreExplained(t *testing.T) {
	granular := map[string]bool{"AwsSolutions-IAM4": true, "AwsSolutions-IAM5": true}
	each(t, func(t *testing.T, s *synthesized) {
		for id, r := range s.template.Resources {
			list, _ := prop(r.Metadata, "cdk_nag", "rules_to_suppress").([]any)
			for _, sup := range list {
				rule, _ := prop(sup, "id").(string)
				reason, _ := prop(sup, "reason").(string)
				if !strings.HasPrefix(rule, "AwsSolutions-") {
					t.Errorf("%s: suppression of %q names no AwsSolutions rule", id, rule)
				}
				if len(reason) < 40 {
					t.Errorf("%s: %s suppressed with reason %q; say why the finding is acceptable", id, rule, reason)
				}
				if granular[rule] && len(strs(prop(sup, "applies_to"))) == 0 {
					t.Errorf("%s: %s suppressed for every finding; name them with AppliesTo", id, rule)
				}
			}
		}
	})
}

// TestGatesCatchFindings is the control for TestNoFindings: a stack with a
// public-read bucket and an invalid property must produce findings from
// both cdk-nag and the CloudFormation validator, else the gates test nothing.
func TestGatesCatchFindings(t *testing.T) {
	dir := t.TempDir()
	app, err := newApp(dir)
	if err != nil {
		t.Fatal(err)
	}
	stack := awscdk.NewStack(app, jsii.String("control"), nil)
	bucket := awss3.NewCfnBucket(stack, jsii.String("Bucket"), &awss3.CfnBucketProps{})
	bucket.AddPropertyOverride(jsii.String("AccessControl"), "PublicRead")
	bucket.AddPropertyOverride(jsii.String("ObjectLockEnabled"), "not-a-boolean")
	awscdk.Aspects_Of(stack).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
	func() {
		// Findings fail the synth (the validateAgainstDefaultRules flag) after
		// the assembly and the report are written.
		defer func() {
			if r := recover(); r == nil {
				t.Error("synth with findings did not fail")
			}
		}()
		app.Synth(nil)
	}()

	got, err := findings(dir)
	if err != nil {
		t.Fatal(err)
	}
	var nag, cfn bool
	for _, f := range got {
		nag = nag || strings.Contains(f, "AwsSolutions-S1:")
		cfn = cfn || strings.HasPrefix(f, "CloudFormation Validate error F3012")
	}
	if !nag || !cfn {
		t.Errorf("control findings (cdk-nag %v, CloudFormation Validate %v):\n%s", nag, cfn, strings.Join(got, "\n"))
	}
}
