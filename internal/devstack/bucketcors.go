package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
)

// readBucketCORS takes the photo bucket's CORS rules from the template:
// browsers PUT photos to presigned URLs from the web app's origin, so the
// local bucket must answer their preflights as the deployed one does.
func readBucketCORS(r cfnResource) ([]s3types.CORSRule, error) {
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
	if err := json.Unmarshal(r.Properties, &props); err != nil {
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
