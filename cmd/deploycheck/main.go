// Command deploycheck runs before `cdk deploy` (make deploy): it fetches the
// template of the stage's deployed stack with CloudFormation GetTemplate and
// refuses, naming the resource and the property, a new synthesis that would
// replace or delete a user pool, identity pool, table or bucket, by the
// rules of the snapshot test (constructs/stateful). A stack that does not
// exist yet passes. -accept-replacement accepts the changes of one named
// resource, on purpose. -role-arn reads through a role; -bootstrap-role
// through the stack's own CDK bootstrap deploy role, as the cloud assembly
// beside the template names it (in CI, where the stage's GitHub deploy role
// may assume only that role, which may read CloudFormation templates).
//
//	deploycheck -stack portcullis-dev -template cdk.out/portcullis-dev.template.json
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/portcullis-cdk/portcullis/constructs/stateful"
)

func main() {
	stack := flag.String("stack", "", "name of the deployed stack (required)")
	template := flag.String("template", "", "the synthesized template to deploy (required)")
	accept := flag.String("accept-replacement", "", "logical id of the one resource whose replacement or removal is intended")
	role := flag.String("role-arn", "", "assume this role to read the deployed template (default: the credentials as they are)")
	bootstrap := flag.Bool("bootstrap-role", false, "assume the stack's CDK bootstrap deploy role, from the manifest.json beside -template")
	flag.Parse()
	if *stack == "" || *template == "" || (*bootstrap && *role != "") {
		fmt.Fprintln(os.Stderr, "deploycheck: -stack and -template are required; -role-arn and -bootstrap-role exclude each other")
		os.Exit(2)
	}
	if err := run(context.Background(), *stack, *template, *accept, *role, *bootstrap, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "deploycheck:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, stack, templatePath, accept, role string, bootstrap bool, out io.Writer) error {
	next, err := os.ReadFile(templatePath)
	if err != nil {
		return fmt.Errorf("reading the synthesized template (run the synth first): %w", err)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("loading AWS configuration: %w", err)
	}
	if bootstrap {
		if role, err = stackDeployRole(ctx, sts.NewFromConfig(cfg), cfg.Region, filepath.Join(filepath.Dir(templatePath), "manifest.json"), stack); err != nil {
			return err
		}
	}
	if role != "" {
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), role))
	}
	deployed, err := deployedTemplate(ctx, cloudformation.NewFromConfig(cfg), stack)
	if err != nil {
		return err
	}
	if deployed == nil {
		fmt.Fprintf(out, "deploycheck: stack %s does not exist yet; nothing deployed can be replaced\n", stack)
		return nil
	}
	before, err := stateful.FromTemplate(deployed)
	if err != nil {
		return fmt.Errorf("deployed stack %s (only JSON templates, as cdk deploys them, are read): %w", stack, err)
	}
	now, err := stateful.FromTemplate(next)
	if err != nil {
		return fmt.Errorf("%s: %w", templatePath, err)
	}
	changes, err := stateful.Accept(stateful.Compare(before, now), accept)
	if err != nil {
		return err
	}
	if len(changes) > 0 {
		lines := make([]string, len(changes))
		for i, c := range changes {
			lines[i] = "  " + c.String()
		}
		return fmt.Errorf("deploying %s would replace or remove stateful resources of the deployed stack, losing their users or data:\n%s\n"+
			"Keep their logical ids and immutable properties; if losing one is intended, deploy again with ACCEPT_REPLACEMENT=<logical id>",
			stack, strings.Join(lines, "\n"))
	}
	if accept != "" {
		fmt.Fprintf(out, "deploycheck: the replacement of %s is accepted\n", accept)
	}
	fmt.Fprintf(out, "deploycheck: %s keeps every user pool, identity pool, table and bucket of the deployed stack\n", stack)
	return nil
}

// deployedTemplate returns the template the stack was deployed with, or nil
// when the stack does not exist.
func deployedTemplate(ctx context.Context, cfn *cloudformation.Client, stack string) ([]byte, error) {
	res, err := cfn.GetTemplate(ctx, &cloudformation.GetTemplateInput{
		StackName:     aws.String(stack),
		TemplateStage: types.TemplateStageOriginal,
	})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "ValidationError" && strings.HasSuffix(apiErr.ErrorMessage(), "does not exist") {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("fetching the template of stack %s: %w", stack, err)
	}
	return []byte(aws.ToString(res.TemplateBody)), nil
}
