// Command portcullis is the CDK app: `cdk synth` / `cdk deploy -c stage=dev`.
//
// It only picks the stages to build; the stage itself is composed in the
// importable package stage, which the tests build too.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/internal/util/cdkapp"
	"github.com/portcullis-cdk/portcullis/stage"
)

func main() {
	err := run(nil)
	stderr := cdkapp.Close()
	if err != nil {
		fmt.Fprintln(stderr, "portcullis:", err)
		os.Exit(1)
	}
}

// run builds the stages the context selects; props are nil as the CLI runs
// the app (which passes its context in the environment).
func run(props *awscdk.AppProps) (err error) {
	defer func() {
		// Constructors panic on invalid props and failed Go builds, as CDK
		// constructors do; the message is what the user needs, not the stack.
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	// Compiling the functions takes about as long as starting jsii: do both
	// at once.
	stage.PrebuildFunctions()
	app := awscdk.NewApp(props)
	name, _ := app.Node().TryGetContext(jsii.String("stage")).(string)
	configs, err := stage.Select(name)
	if err != nil {
		return err
	}
	// `make deploy` says so; a deployment of placeholder URLs or sender
	// stops here, before the CLI reaches CloudFormation.
	if deploy := app.Node().TryGetContext(jsii.String(stage.DeployContext)); deploy == "true" || deploy == true {
		if err := stage.CheckDeployable(configs); err != nil {
			return err
		}
	}
	for _, cfg := range configs {
		if _, err := stage.New(app, cfg); err != nil {
			return err
		}
	}
	// make github-oidc REPO=owner/name: the workflow's deploy role.
	if repo, _ := app.Node().TryGetContext(jsii.String("github-repository")).(string); repo != "" {
		if _, err := stage.NewGitHub(app, configs[0].Project, repo); err != nil {
			return err
		}
	}
	app.Synth(nil)
	return nil
}
