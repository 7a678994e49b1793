// Package nag records why a construct's resource is exempt from a cdk-nag
// rule, in the metadata cdk-nag reads: `cdk_nag.rules_to_suppress` on the
// CloudFormation resource, the shape cdk-nag's own NagSuppressions writes.
// The constructs carry their reasons this way so that an app importing them
// links cdk-nag only if it runs cdk-nag itself.
package nag

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Suppression exempts a resource from one rule.
type Suppression struct {
	// ID of the rule, for example "AwsSolutions-IAM5".
	ID string
	// AppliesTo narrows the exemption to these findings of the rule: each
	// an exact finding (a string, for example "Resource::*") or a Regex.
	// Default: every finding of the rule.
	AppliesTo []any
	// Reason the rule does not apply here: 10 characters or more, as
	// cdk-nag requires.
	Reason string
}

// Regex covers the findings that match a JavaScript regular expression
// literal, "/source/flags", as cdk-nag's RegexAppliesTo does: for example
// `/^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-.*$/`.
type Regex string

// regexLiteral is the form cdk-nag parses a Regex with.
var regexLiteral = regexp.MustCompile(`^/.*/[dgimsuvy]*$`)

// metadataKey is where cdk-nag looks for a resource's suppressions.
const metadataKey = "cdk_nag"

// rule is one entry of rules_to_suppress as cdk-nag writes and reads it. A
// reason with a character beyond Latin-1 is stored base64-encoded and
// flagged, as cdk-nag does, since CloudFormation metadata would mangle it.
// AppliesTo holds strings and {"regex": ...} objects.
type rule struct {
	AppliesTo       []any  `json:"applies_to,omitempty"`
	ID              string `json:"id"`
	IsReasonEncoded bool   `json:"is_reason_encoded,omitempty"`
	Reason          string `json:"reason"`
}

// Suppress adds suppressions to the CloudFormation resource of c (c itself,
// or the resource an L2 construct wraps) and, with children, to every
// resource below c too, keeping those already there. It panics on a
// suppression cdk-nag would refuse: a reason under 10 characters, or a
// finding named in the rule id instead of AppliesTo.
func Suppress(c constructs.IConstruct, suppressions []Suppression, children bool) {
	rules := make([]rule, len(suppressions))
	for i, s := range suppressions {
		r, err := toRule(s)
		if err != nil {
			panic(fmt.Errorf("nag.Suppress on %s: %w", *c.Node().Path(), err))
		}
		rules[i] = r
	}
	targets := []constructs.IConstruct{c}
	if children {
		targets = *c.Node().FindAll(constructs.ConstructOrder_PREORDER)
	}
	for _, t := range targets {
		if res, ok := resourceOf(t); ok {
			res.AddMetadata(jsii.String(metadataKey), metadata(merge(existing(res), rules)))
		}
	}
}

func toRule(s Suppression) (rule, error) {
	if len(s.Reason) < 10 {
		return rule{}, fmt.Errorf("suppression of %s: reason %q: want 10 characters or more", s.ID, s.Reason)
	}
	if strings.Contains(s.ID, "[") {
		return rule{}, fmt.Errorf("suppression id %q: name the finding in AppliesTo, not in the id", s.ID)
	}
	r := rule{ID: s.ID, Reason: s.Reason}
	for _, f := range s.AppliesTo {
		switch f := f.(type) {
		case string:
			r.AppliesTo = append(r.AppliesTo, f)
		case Regex:
			if !regexLiteral.MatchString(string(f)) {
				return rule{}, fmt.Errorf("suppression of %s: Regex %q: want a /source/flags literal", s.ID, f)
			}
			r.AppliesTo = append(r.AppliesTo, map[string]any{"regex": string(f)})
		default:
			return rule{}, fmt.Errorf("suppression of %s: AppliesTo %v (%T): want a string or a Regex", s.ID, f, f)
		}
	}
	for _, c := range s.Reason {
		if c > 255 {
			r.Reason, r.IsReasonEncoded = base64.StdEncoding.EncodeToString([]byte(s.Reason)), true
			break
		}
	}
	return r, nil
}

// resourceOf is the CloudFormation resource c stands for, as cdk-nag finds
// it: c's default child if it has one, otherwise c.
func resourceOf(c constructs.IConstruct) (awscdk.CfnResource, bool) {
	var target any = c
	if child := c.Node().DefaultChild(); child != nil {
		target = child
	}
	if !*awscdk.CfnResource_IsCfnResource(target) {
		return nil, false
	}
	res, ok := target.(awscdk.CfnResource)
	return res, ok
}

// existing reads the rules a resource already carries.
func existing(res awscdk.CfnResource) []rule {
	raw, err := json.Marshal(res.GetMetadata(jsii.String(metadataKey)))
	if err != nil {
		return nil
	}
	var md struct {
		Rules []rule `json:"rules_to_suppress"`
	}
	if json.Unmarshal(raw, &md) != nil {
		return nil
	}
	return md.Rules
}

// metadata is the value of the cdk_nag key: plain maps and slices, which
// jsii hands to the CDK as JSON (with sorted keys, so the template is the
// same on every run).
func metadata(rules []rule) map[string]any {
	list := make([]any, len(rules))
	for i, r := range rules {
		m := map[string]any{"id": r.ID, "reason": r.Reason}
		if len(r.AppliesTo) > 0 {
			m["applies_to"] = r.AppliesTo
		}
		if r.IsReasonEncoded {
			m["is_reason_encoded"] = true
		}
		list[i] = m
	}
	return map[string]any{"rules_to_suppress": list}
}

// merge appends the rules not already present, in order.
func merge(have, add []rule) []rule {
	out := slices.Clone(have)
	for _, r := range add {
		if !slices.ContainsFunc(out, func(o rule) bool { return equal(o, r) }) {
			out = append(out, r)
		}
	}
	return out
}

func equal(a, b rule) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
