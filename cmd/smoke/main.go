// Command smoke signs up, signs in and calls every endpoint against a running stage and prints
// one line per check (`make smoke`). By default it checks the local stack of
// `make dev`; with -stage it checks a deployed stage, reading its stack
// outputs with the AWS SDK (credentials from the usual AWS environment).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/internal/smoke"
	"github.com/portcullis-cdk/portcullis/internal/stackinfo"
)

func main() {
	info := flag.String("info", ".dev/stack.json", "the local stack's endpoints, written by `make dev`")
	stage := flag.String("stage", "", "check this deployed stage (stack <project>-<stage>) instead of the local stack")
	project := flag.String("project", contract.Project, "project name of the deployed stack")
	domain := flag.String("email-domain", "example.com", "email domain of the users the run creates")
	timeout := flag.Duration("timeout", 5*time.Minute, "give up after this long")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	var target smoke.Target
	var err error
	if *stage != "" {
		target, err = deployed(ctx, *project, *stage)
	} else {
		target, err = local(*info)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "smoke:", err)
		os.Exit(2)
	}
	target.EmailDomain = *domain
	if _, err := smoke.Run(ctx, target, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "smoke:", err)
		os.Exit(1)
	}
}

// local targets the stack of `make dev`.
func local(path string) (smoke.Target, error) {
	info, err := stackinfo.Read(path)
	if err != nil {
		return smoke.Target{}, err
	}
	// One authenticator for the API and the hosted UI sign-ins: where MFA
	// is required, the page asks for a code from the authenticator the
	// first API sign-in enrolled.
	auth := smoke.NewAuthenticator(info.UserPoolID)
	var hosted *smoke.HostedUI
	if info.CognitoDomainURL != "" && info.SPACallbackURL != "" {
		hosted = &smoke.HostedUI{Issuer: info.Issuer, ClientID: info.SPAClientID, RedirectURL: info.SPACallbackURL, TOTP: auth}
	}
	return smoke.Target{
		Name:             "local",
		HostedUI:         hosted,
		Region:           info.Region,
		APIURL:           info.APIURL,
		UserPoolID:       info.UserPoolID,
		ClientID:         info.SPAClientID,
		IdentityPoolID:   info.IdentityPoolID,
		TodosTable:       info.TodosTable,
		PhotosBucket:     info.PhotosBucket,
		DynamoDBEndpoint: info.DynamoDBEndpoint,
		S3Endpoint:       info.S3Endpoint,
		Cognito:          stackinfo.CognitoClient(info),
		Identity: cognitoidentity.New(cognitoidentity.Options{
			Region: info.Region, BaseEndpoint: aws.String(info.IdentityEndpoint),
			Credentials: aws.AnonymousCredentials{},
		}),
		SignIn: auth.SRP,
		Code: func(ctx context.Context, username string) (string, error) {
			req, err := http.NewRequestWithContext(ctx, "GET", info.CodeURL+"?username="+url.QueryEscape(username), nil)
			if err != nil {
				return "", err
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
			if err != nil {
				return "", err
			}
			if resp.StatusCode != http.StatusOK {
				return "", fmt.Errorf("reading the code sent to %s: status %d", username, resp.StatusCode)
			}
			return string(body), nil
		},
		AdvanceClock: func(ctx context.Context, d time.Duration) error {
			req, err := http.NewRequestWithContext(ctx, "POST", fmt.Sprintf("%s?by=%s", info.ClockURL, d.Round(time.Second)), nil)
			if err != nil {
				return err
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent {
				return fmt.Errorf("moving the clock: status %d", resp.StatusCode)
			}
			return nil
		},
	}, nil
}
