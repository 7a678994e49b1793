package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/internal/smoke"
)

// deployed targets the stack <project>-<stage>, found with the AWS SDK's
// default credentials and region (AWS_PROFILE, AWS_REGION, ...). The
// credentials need cloudformation:DescribeStacks and the Cognito admin
// actions the run uses (AdminCreateUser, AdminConfirmSignUp,
// AdminSetUserPassword, AdminDeleteUser, CreateUserPoolClient,
// DeleteUserPoolClient).
func deployed(ctx context.Context, project, stage string) (smoke.Target, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return smoke.Target{}, fmt.Errorf("AWS configuration: %w", err)
	}
	name := project + "-" + stage
	out, err := cloudformation.NewFromConfig(cfg).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: &name})
	if err != nil {
		return smoke.Target{}, fmt.Errorf("reading stack %s (is the stage deployed, with `make deploy STAGE=%s`?): %w", name, stage, err)
	}
	if len(out.Stacks) != 1 {
		return smoke.Target{}, fmt.Errorf("stack %s not found", name)
	}
	outputs := map[string]string{}
	for _, o := range out.Stacks[0].Outputs {
		outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	var missing []string
	for _, k := range []string{contract.OutputRegion, contract.OutputAPIURL, contract.OutputUserPoolID, contract.OutputSPAClientID, contract.OutputIdentityPoolID, contract.OutputTodosTableName, contract.OutputPhotosBucketName} {
		if outputs[k] == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return smoke.Target{}, errors.New("stack " + name + " lacks outputs " + fmt.Sprint(missing) + ": deploy the current version")
	}
	cfg.Region = outputs[contract.OutputRegion]
	return smoke.Target{
		Name:           stage,
		Region:         outputs[contract.OutputRegion],
		APIURL:         outputs[contract.OutputAPIURL],
		UserPoolID:     outputs[contract.OutputUserPoolID],
		ClientID:       outputs[contract.OutputSPAClientID],
		IdentityPoolID: outputs[contract.OutputIdentityPoolID],
		TodosTable:     outputs[contract.OutputTodosTableName],
		PhotosBucket:   outputs[contract.OutputPhotosBucketName],
		Cognito:        cip.NewFromConfig(cfg),
		Identity:       cognitoidentity.NewFromConfig(cfg),
		SignIn:         smoke.NewAuthenticator(outputs[contract.OutputUserPoolID]).SRP,
	}, nil
}
