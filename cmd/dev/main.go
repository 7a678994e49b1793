// Command dev runs the dev stage on this machine (`make dev`): local
// DynamoDB, S3, Cognito user and identity pools, and the HTTP API with the
// deployed handler code, configured from the synthesized template. It prints
// the endpoints and a ready-to-use test user, writes the same to -info for
// `make smoke`, and stops everything on Ctrl-C.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/portcullis-cdk/portcullis/internal/devstack"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
	"github.com/portcullis-cdk/portcullis/internal/stackinfo"
	"github.com/portcullis-cdk/portcullis/web"
)

func main() {
	template := flag.String("template", "cdk.out/portcullis-dev.template.json", "synthesized stage template (make synth writes it)")
	info := flag.String("info", ".dev/stack.json", "where to write the endpoints and test user as JSON")
	host := flag.String("host", "127.0.0.1", "address to listen on")
	apiPort := flag.Int("api-port", 8787, "port of the HTTP API")
	cognitoPort := flag.Int("cognito-port", 9229, "port of the Cognito user pool")
	identityPort := flag.Int("identity-port", 9230, "port of the Cognito identity pool")
	// 5173 on localhost is the origin the dev stage registers as the SPA
	// client's callback and logout URLs, so the hosted UI returns there.
	webPort := flag.Int("web-port", 5173, "port of the web app's origin (the distribution's stand-in)")
	webHost := flag.String("web-host", "localhost", "host name of the web app's URL (its callback URLs are registered with it)")
	webDir := flag.String("web-dir", ".dev/web", "where the web app is built (web.Build) and served from")
	prebuilt := flag.Bool("web-prebuilt", false, "serve -web-dir as it is instead of building the app into it")
	quiet := flag.Bool("quiet", false, "do not log requests refused and codes sent")
	mfa := flag.String("mfa", "", "user pool MFA: required, optional or off (default: the template's)")
	var ddbFaults, s3Faults localaws.Faults
	flag.Func("faults-dynamodb", "faults of the local DynamoDB from the start, e.g. 'throttle=0.5' (see "+localaws.FaultsPath+" in docs/local-stack.md)", faultsFlag(&ddbFaults))
	flag.Func("faults-s3", "faults of the local S3 from the start, e.g. 'fail=1&failStatus=503'", faultsFlag(&s3Faults))
	flag.Parse()

	if !*prebuilt {
		if err := web.Build(*webDir); err != nil {
			fmt.Fprintln(os.Stderr, "dev:", err)
			os.Exit(1)
		}
	}
	if err := run(*template, *info, *quiet, devstack.Options{
		Host: *host, APIPort: *apiPort, CognitoPort: *cognitoPort, IdentityPort: *identityPort,
		WebPort: *webPort, WebHost: *webHost, WebDir: *webDir,
		DynamoDBFaults: ddbFaults, S3Faults: s3Faults, MFA: *mfa,
	}); err != nil {
		fmt.Fprintln(os.Stderr, "dev:", err)
		os.Exit(1)
	}
}

// faultsFlag parses a flag in the faults endpoint's query form.
func faultsFlag(dst *localaws.Faults) func(string) error {
	return func(v string) error {
		q, err := url.ParseQuery(v)
		if err != nil {
			return err
		}
		*dst, err = localaws.ParseFaults(q)
		return err
	}
}

func run(template, infoPath string, quiet bool, opts devstack.Options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts.Template = template
	// The functions run in this process and log through slog as they do in
	// Lambda: JSON lines, here on stderr.
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, nil)))
	opts.Log = os.Stderr
	if quiet {
		opts.Log = io.Discard
	}
	started := time.Now()
	stack, err := devstack.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer stack.Close()
	if err := stack.WriteInfo(infoPath); err != nil {
		return err
	}
	defer os.Remove(infoPath)
	printInfo(os.Stdout, stack.Info, infoPath, time.Since(started))
	<-ctx.Done()
	fmt.Println("\nstopping the local stack")
	return nil
}

func printInfo(w io.Writer, i stackinfo.Info, infoPath string, took time.Duration) {
	fmt.Fprintf(w, `Portcullis dev stage running locally (ready in %.1fs)

  Open the app        %s

  API                 %s
  Cognito user pool   %s   pool %s
  Cognito identity    %s   pool %s
  DynamoDB            %s
  S3                  %s
  Issuer (JWKS)       %s/.well-known/jwks.json

  SPA client id       %s
  Server client id    %s   secret %s

  Test user           %s   password %s

Try it:
  AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s aws cognito-idp initiate-auth \
    --endpoint-url %s --region %s --client-id %s \
    --auth-flow USER_PASSWORD_AUTH --auth-parameters 'USERNAME=%s,PASSWORD=%s'
  curl -H "Authorization: Bearer <AccessToken>" %s/random

Faults on demand (off by default): curl -X POST '%s%s?throttle=0.5'
  (also fail=, failStatus=500|503, slow=, delay=, down=true; the same on S3; curl -X DELETE stops them)

Endpoints as JSON: %s   (make smoke reads it)
Ctrl-C stops everything.
`, took.Seconds(), i.AppURL, i.APIURL, i.CognitoEndpoint, i.UserPoolID, i.IdentityEndpoint, i.IdentityPoolID,
		i.DynamoDBEndpoint, i.S3Endpoint, i.Issuer, i.SPAClientID, i.ServerClientID, i.ServerClientSecret,
		i.TestUser.Username, i.TestUser.Password,
		i.AdminAccessKeyID, i.AdminSecretAccessKey, i.CognitoEndpoint, i.Region, i.SPAClientID,
		i.TestUser.Username, i.TestUser.Password, i.APIURL, i.DynamoDBEndpoint, localaws.FaultsPath, infoPath)
}
