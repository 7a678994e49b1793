// Package test holds the stage-level gates: golden snapshots of every
// stage's template, assertions for each security property, cdk-nag and the
// CloudFormation validator. TestMain synthesizes every stage once, in one
// app, exactly as `cdk synth` does (same cdk.json context).
package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/internal/util/cdkapp"
	"github.com/portcullis-cdk/portcullis/stage"
)

// synthesized is one stage's cloud assembly output.
type synthesized struct {
	config   stage.Config
	stack    *stage.Stack
	raw      []byte   // the template file as written
	template template // the same, parsed
}

var (
	stages   = map[string]*synthesized{} // by stage name
	assembly string                      // cloud assembly directory
)

func TestMain(m *testing.M) {
	// The edit loop's synth turns CDK's built-in CloudFormation validation
	// off with CDK_VALIDATION=false (make synth, make dev). These tests are
	// its gate, and the jsii process has the environment already (package
	// initialization starts it), so they refuse to run without it.
	if os.Getenv(cdkValidationEnv) == "false" {
		fmt.Fprintf(os.Stderr, "%s=false turns off the CloudFormation validation these tests gate: unset it\n", cdkValidationEnv)
		os.Exit(1)
	}
	code, err := synthAll()
	if err != nil {
		fmt.Fprintln(os.Stderr, "synthesizing the stages:", err)
		code = 1
	} else {
		code = m.Run()
	}
	stderr := cdkapp.Close()
	if assembly != "" {
		if err := os.RemoveAll(assembly); err != nil {
			fmt.Fprintln(stderr, err)
		}
	}
	os.Exit(code)
}

// cdkValidationEnv set to "false" turns off CDK's built-in CloudFormation
// validation (aws-cdk-lib reads it in the jsii process, which inherits this
// process's environment).
const cdkValidationEnv = "CDK_VALIDATION"

// newApp returns an app with the cdk.json context, writing to outdir.
func newApp(outdir string) (awscdk.App, error) {
	ctx, err := cdkapp.Context()
	if err != nil {
		return nil, err
	}
	// What the CLI passes to `go run .` besides cdk.json's context, so the
	// templates match `cdk synth`'s: path and asset metadata on, and
	// cdk.json's versionReporting (false).
	ctx["aws:cdk:enable-path-metadata"] = true
	ctx["aws:cdk:enable-asset-metadata"] = true
	ctx["aws:cdk:version-reporting"] = false
	return awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir), Context: &ctx}), nil
}

func synthAll() (code int, err error) {
	defer func() {
		// jsii reports JavaScript errors (a failed validation, say) as panics.
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	assembly, err = os.MkdirTemp("", "portcullis-test-*.out")
	if err != nil {
		return 1, err
	}
	app, err := newApp(assembly)
	if err != nil {
		return 1, err
	}
	for _, cfg := range stage.Stages() {
		st, err := stage.New(app, cfg)
		if err != nil {
			return 1, err
		}
		stages[cfg.Name] = &synthesized{config: cfg, stack: st}
	}
	app.Synth(nil)
	for _, s := range stages {
		s.raw, err = os.ReadFile(filepath.Join(assembly, s.config.StackName()+".template.json"))
		if err != nil {
			return 1, err
		}
		if err := json.Unmarshal(s.raw, &s.template); err != nil {
			return 1, fmt.Errorf("%s: %w", s.config.StackName(), err)
		}
	}
	return 0, nil
}
