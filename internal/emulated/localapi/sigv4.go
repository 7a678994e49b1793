package localapi

import (
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
)

// signatureSkew is how far X-Amz-Date may be from the gateway's clock. API
// Gateway's window is five minutes (it tells REST callers "Signature
// expired: 20170212T175938Z is now earlier than 20170215T145534Z
// (20170215T150034Z - 5 min.)"), tighter than S3's fifteen.
const signatureSkew = 5 * time.Minute

// verifySignature authenticates a request signed with Signature Version 4
// in its Authorization header, the way API Gateway does for routes with IAM
// authorization (execute-api signs the body's SHA-256, never
// UNSIGNED-PAYLOAD, and the path is encoded twice), and returns the caller
// for requestContext.authorizer.iam.
func (g *Gateway) verifySignature(r *http.Request, body []byte) (events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription, error) {
	svc := sigv4.Service{Name: "execute-api", Region: g.region, Skew: signatureSkew}
	cred, err := svc.Verify(r, body, g.creds, g.now())
	if err != nil {
		return events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{}, err
	}
	p := cred.Principal
	return events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{
		AccessKey: cred.AccessKeyID,
		AccountID: p.AccountID,
		CallerID:  p.UserID,
		UserID:    p.UserID,
		UserARN:   p.ARN,
		CognitoIdentity: events.APIGatewayV2HTTPRequestContextAuthorizerCognitoIdentity{
			AMR:            p.AMR,
			IdentityID:     p.CognitoIdentityID,
			IdentityPoolID: p.CognitoIdentityPoolID,
		},
	}, nil
}
