package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/portcullis-cdk/portcullis/internal/cfn"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
)

// readBucketCORS takes the photo bucket's CORS rules from the template:
// browsers PUT photos to presigned URLs from the web app's origin, so the
// local bucket must answer their preflights as the deployed one does.
func readBucketCORS(r *cfnResource) ([]s3types.CORSRule, error) {
	var props struct {
		CorsConfiguration *struct {
			CorsRules []struct {
				ID             string   `json:"Id"`
				AllowedHeaders []string `json:"AllowedHeaders"`
				AllowedMethods []string `json:"AllowedMethods"`
				AllowedOrigins []string `json:"AllowedOrigins"`
				ExposedHeaders []string `json:"ExposedHeaders"`
				MaxAge         *int32   `json:"MaxAge"`
			} `json:"CorsRules"`
		} `json:"CorsConfiguration"`
	}
	if err := r.Decode(&props); err != nil {
		return nil, err
	}
	if props.CorsConfiguration == nil {
		return nil, nil
	}
	var rules []s3types.CORSRule
	for _, c := range props.CorsConfiguration.CorsRules {
		rule := s3types.CORSRule{
			AllowedHeaders: c.AllowedHeaders, AllowedMethods: c.AllowedMethods, AllowedOrigins: c.AllowedOrigins,
			ExposeHeaders: c.ExposedHeaders, MaxAgeSeconds: c.MaxAge,
		}
		if c.ID != "" {
			rule.ID = aws.String(c.ID)
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

// readCORSResource reads the photo bucket's CORS rule where the stage sets
// it once the distribution exists (stage.photoCORS: a Custom::AWS resource
// calling putBucketCors) rather than in the bucket's properties. Origins
// that name the distribution are the deployed app's, not served locally.
func readCORSResource(t cfnTemplate) ([]s3types.CORSRule, error) {
	const intrinsic = "{{intrinsic}}"
	for _, r := range t.OfType("Custom::AWS") {
		// Looked at without recording the read: only the call that sets
		// the bucket's CORS rules is read (Decode, below), any other
		// custom call stays a property the coverage test names.
		var cr struct{ Create cfn.Expr }
		if err := json.Unmarshal(r.Properties, &cr); err != nil {
			return nil, fmt.Errorf("%s: %w", r.ID(), err)
		}
		if j, ok := cr.Create.Value.(cfn.Join); ok && j.Sep != "" {
			return nil, fmt.Errorf("%s Create: not a Fn::Join with \"\" of parts", r.ID())
		}
		raw, err := cfn.Render(cr.Create.Value, func(cfn.Value) string { return intrinsic })
		if err != nil {
			return nil, fmt.Errorf("%s Create: %w", r.ID(), err)
		}
		var call struct {
			Service, Action string
			Parameters      struct {
				CORSConfiguration struct {
					CORSRules []struct {
						AllowedHeaders, AllowedMethods, AllowedOrigins, ExposeHeaders []string
						MaxAgeSeconds                                                 *int32
					}
				}
			}
		}
		if err := json.Unmarshal([]byte(raw), &call); err != nil {
			return nil, fmt.Errorf("%s Create: %w", r.ID(), err)
		}
		if call.Service != "S3" || call.Action != "putBucketCors" {
			continue
		}
		if err := r.Decode(&cr); err != nil {
			return nil, fmt.Errorf("%s: %w", r.ID(), err)
		}
		var rules []s3types.CORSRule
		for _, c := range call.Parameters.CORSConfiguration.CORSRules {
			rules = append(rules, s3types.CORSRule{
				AllowedHeaders: c.AllowedHeaders, AllowedMethods: c.AllowedMethods, ExposeHeaders: c.ExposeHeaders, MaxAgeSeconds: c.MaxAgeSeconds,
				AllowedOrigins: slices.DeleteFunc(c.AllowedOrigins, func(o string) bool { return strings.Contains(o, intrinsic) }),
			})
		}
		return rules, nil
	}
	return nil, nil
}

// SetBucketOrigins applies the template's CORS rules to the local photo
// bucket, each rule also allowing origins: the local web app's origin,
// which differs from the template's when it runs on another port.
func (s *Stack) SetBucketOrigins(ctx context.Context, origins ...string) error {
	if len(s.bucketCORS) == 0 {
		return nil
	}
	rules := make([]s3types.CORSRule, len(s.bucketCORS))
	for i, r := range s.bucketCORS {
		r.AllowedOrigins = slices.Clone(r.AllowedOrigins)
		for _, o := range origins {
			if !slices.Contains(r.AllowedOrigins, o) {
				r.AllowedOrigins = append(r.AllowedOrigins, o)
			}
		}
		rules[i] = r
	}
	_, err := s.aws.S3(nil).PutBucketCors(ctx, &s3.PutBucketCorsInput{
		Bucket:            aws.String(localaws.Bucket),
		CORSConfiguration: &s3types.CORSConfiguration{CORSRules: rules},
	})
	if err != nil {
		return fmt.Errorf("the photo bucket's CORS rules: %w", err)
	}
	return nil
}
