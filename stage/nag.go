package stage

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
	"github.com/portcullis-cdk/portcullis/constructs/gateway"
	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/contract/schema"
)

// suppressNagFindings records the cdk-nag findings that follow from how the
// stage composes its constructs, each with the exact finding and the reason
// it is accepted. Findings inherent to a construct are suppressed, with their
// reason, by the construct itself.
func (s *Stack) suppressNagFindings() {
	cfg := s.Config
	var pool []*cdknag.NagPackSuppression
	if cfg.MFA == auth.MFAOptional {
		pool = append(pool, &cdknag.NagPackSuppression{
			Id: jsii.String("AwsSolutions-COG2"),
			Reason: jsii.String(fmt.Sprintf("Stage %q is not production: MFA is offered (TOTP) but optional so test users can sign in from scripts; "+
				"Config.Validate requires MFA in every production stage.", cfg.Name)),
		})
	}
	if cfg.Plan != auth.PlanPlus {
		// COG3 (no threat protection) and COG8 (not the Plus plan) are one
		// finding seen twice: threat protection is a Plus feature.
		reason := fmt.Sprintf("Stage %q uses the %s feature plan, which has no threat protection (advanced security); "+
			"production stages use the Plus plan with threat protection enforced.", cfg.Name, title(cfg.Plan.String()))
		for _, id := range []string{"AwsSolutions-COG3", "AwsSolutions-COG8"} {
			pool = append(pool, &cdknag.NagPackSuppression{Id: jsii.String(id), Reason: jsii.String(reason)})
		}
	}
	if len(pool) > 0 {
		cdknag.NagSuppressions_AddResourceSuppressions(s.Users.Pool, &pool, jsii.Bool(true))
	}

	bucket := "<" + s.logicalID(s.Photos.Bucket) + ".Arn>"
	suppressIAM5(s.Functions[routes.Photos].Role, []string{bucket + "/" + schema.PhotoPrefix + "*", bucket + "/" + schema.UploadPrefix + "*"},
		"Every user's photos live under private/<owner>/ (uploads under uploads/<owner>/), and the owner is known only per request "+
			"(the token's sub); the handler builds every key from the verified token, so one user's request never names another's folder.")

	identity := []string{bucket + "/" + schema.PhotoPrefix + "<cognito-identity.amazonaws.com:sub>/*"}
	for _, r := range routes.All() {
		if r.Auth == routes.IAM && gateway.Wildcard(r.Path) != r.Path {
			identity = append(identity, fmt.Sprintf("arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<%s>/$default/%s%s",
				s.logicalID(s.API.API), r.Method, gateway.Wildcard(r.Path)))
		}
	}
	suppressIAM5(s.Identity.AuthenticatedRole, identity,
		"The wildcards are per caller or per path parameter: objects under the caller's own folder "+
			"(private/${cognito-identity.amazonaws.com:sub}/), and IAM routes whose last segment is an item id, "+
			"which the handler checks belongs to the caller's identity id.")
}

// suppressIAM5 accepts the IAM5 (wildcard) findings on role's policies whose
// resources are exactly the given ones.
func suppressIAM5(role constructs.IConstruct, resources []string, reason string) {
	applies := make([]any, len(resources))
	for i, r := range resources {
		applies[i] = "Resource::" + r
	}
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		AppliesTo: &applies,
		Reason:    jsii.String(reason),
	}}, jsii.Bool(true))
}

// logicalID is the CloudFormation logical id of an L2 construct's resource,
// as cdk-nag prints it in findings.
func (s *Stack) logicalID(c constructs.IConstruct) string {
	return *s.Stack.GetLogicalId(c.Node().DefaultChild().(awscdk.CfnElement))
}
