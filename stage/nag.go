package stage

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
)

// suppressNagFindings records the cdk-nag findings that follow from the
// stage's own configuration, and why the stage accepts them. Findings
// inherent to a construct are suppressed, with their reason, by the construct.
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
	if cfg.Plan == auth.PlanEssentials {
		pool = append(pool, &cdknag.NagPackSuppression{
			Id: jsii.String("AwsSolutions-COG3"),
			Reason: jsii.String(fmt.Sprintf("Stage %q uses the Essentials feature plan, which has no threat protection (advanced security); "+
				"production stages use the Plus plan with threat protection enforced.", cfg.Name)),
		})
	}
	if len(pool) > 0 {
		cdknag.NagSuppressions_AddResourceSuppressions(s.Users.Pool, &pool, jsii.Bool(true))
	}
}
