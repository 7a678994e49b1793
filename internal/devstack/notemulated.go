package devstack

import (
	"encoding/json"
	"fmt"
	"strings"
)

// readNotEmulated names what the stage's template uses that the local
// stack runs without, so that `make dev STAGE=prod` says what it leaves
// out instead of pretending to be the deployed stage: threat protection,
// email sent through SES, custom domains with their certificates, and a
// web ACL. Each entry is one line for the banner. The stack starts
// regardless: none of these changes what a request gets locally.
func readNotEmulated(t cfnTemplate) []string {
	var out []string
	for _, id := range t.IDs("") {
		r := t.Resources[id]
		var p map[string]json.RawMessage
		if len(r.Properties) > 0 && json.Unmarshal(r.Properties, &p) != nil {
			continue
		}
		switch r.Type {
		case "AWS::Cognito::UserPool":
			out = append(out, poolNotEmulated(p)...)
		case "AWS::Cognito::UserPoolDomain":
			if _, ok := p["CustomDomainConfig"]; ok {
				out = append(out, fmt.Sprintf("custom domain %s of the hosted UI (CustomDomainConfig): served at the local user pool's address", templateString(p["Domain"])))
			}
		case "AWS::CloudFront::Distribution":
			out = append(out, distributionNotEmulated(p)...)
		case "AWS::WAFv2::WebACL", "AWS::WAFv2::WebACLAssociation", "AWS::WAF::WebACL", "AWS::WAFRegional::WebACL":
			out = append(out, fmt.Sprintf("web ACL %s (%s): no request is filtered locally", id, r.Type))
		}
	}
	return out
}

// poolNotEmulated is what of the user pool's properties the local pool
// does not do.
func poolNotEmulated(p map[string]json.RawMessage) []string {
	var out []string
	var addOns struct{ AdvancedSecurityMode string }
	if json.Unmarshal(p["UserPoolAddOns"], &addOns) == nil && addOns.AdvancedSecurityMode != "" && addOns.AdvancedSecurityMode != "OFF" {
		out = append(out, fmt.Sprintf("threat protection (UserPoolAddOns AdvancedSecurityMode %s): no adaptive authentication or compromised-credentials check, every sign-in is allowed", addOns.AdvancedSecurityMode))
	}
	var email struct {
		EmailSendingAccount string
		From                string
	}
	if json.Unmarshal(p["EmailConfiguration"], &email) == nil && email.EmailSendingAccount == "DEVELOPER" {
		out = append(out, fmt.Sprintf("email through SES (EmailSendingAccount DEVELOPER, From %q): codes are written to the log and served at /_dev/code, not sent", email.From))
	}
	return out
}

// distributionNotEmulated is what of the distribution the local web
// origin does not serve.
func distributionNotEmulated(p map[string]json.RawMessage) []string {
	var dc struct {
		Aliases           []string
		ViewerCertificate struct{ AcmCertificateArn json.RawMessage }
		WebACLId          json.RawMessage
	}
	if json.Unmarshal(p["DistributionConfig"], &dc) != nil {
		return nil
	}
	var out []string
	if len(dc.Aliases) > 0 {
		line := fmt.Sprintf("custom domain %s of the web app", strings.Join(dc.Aliases, ", "))
		if len(dc.ViewerCertificate.AcmCertificateArn) > 0 {
			line += " and its ACM certificate"
		}
		out = append(out, line+": the app is served at its local origin, which the local pool registers as a callback URL")
	}
	if len(dc.WebACLId) > 0 {
		out = append(out, fmt.Sprintf("the distribution's web ACL (WebACLId %s): no request is filtered locally", templateString(dc.WebACLId)))
	}
	return out
}

// templateString is a template value as a string: itself when it is one, its
// JSON (an intrinsic function) otherwise.
func templateString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}
