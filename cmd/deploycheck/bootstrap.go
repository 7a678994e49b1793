package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/portcullis-cdk/portcullis/internal/cfn"
)

// stackDeployRole is the ARN of the deploy role the cloud assembly's
// manifest names for stack (the role of the bootstrap its synthesizer
// deploys through), in the caller's account and partition and region.
func stackDeployRole(ctx context.Context, client *sts.Client, region, manifest, stack string) (string, error) {
	id, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("finding the account of the credentials: %w", err)
	}
	caller, err := arn.Parse(*id.Arn)
	if err != nil {
		return "", fmt.Errorf("caller %q: %w", *id.Arn, err)
	}
	return deployRoleOf(manifest, stack, caller.Partition, *id.Account, region)
}

// deployRoleOf reads stack's assumeRoleArn from the manifest and fills in
// the pseudo parameters the synthesizer left in it.
func deployRoleOf(manifest, stack, partition, account, region string) (string, error) {
	raw, err := os.ReadFile(manifest)
	if err != nil {
		return "", fmt.Errorf("reading the cloud assembly's manifest (run the synth first): %w", err)
	}
	var m struct {
		Artifacts map[string]struct {
			Type       string `json:"type"`
			Properties struct {
				AssumeRoleArn string `json:"assumeRoleArn"`
			} `json:"properties"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", fmt.Errorf("%s: %w", manifest, err)
	}
	a, ok := m.Artifacts[stack]
	if !ok || a.Type != "aws:cloudformation:stack" {
		return "", fmt.Errorf("%s: no stack %s", manifest, stack)
	}
	if a.Properties.AssumeRoleArn == "" {
		return "", fmt.Errorf("%s: stack %s names no deploy role (a synthesizer without a bootstrap); use -role-arn", manifest, stack)
	}
	if region == "" {
		return "", fmt.Errorf("no region configured (AWS_REGION) to name stack %s's bootstrap role", stack)
	}
	// The synthesizer writes the ARN as the format of a Fn::Sub.
	role, err := cfn.ResolveString(cfn.Sub{Format: a.Properties.AssumeRoleArn}, cfn.Names{Refs: map[string]string{
		"AWS::Partition": partition, "AWS::AccountId": account, "AWS::Region": region,
	}})
	if err != nil {
		return "", fmt.Errorf("%s: stack %s's deploy role %s has a reference deploycheck cannot fill: %w", manifest, stack, a.Properties.AssumeRoleArn, err)
	}
	return role, nil
}
