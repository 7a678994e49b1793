// Package awsenv builds the AWS SDK configuration of a Lambda function from
// the environment the Lambda runtime provides.
//
// It deliberately avoids config.LoadDefaultConfig: that resolver links the
// SSO, SSO-OIDC and STS clients and the shared-config parser into every
// binary, which a function whose credentials always arrive in environment
// variables never uses. Leaving them out keeps each zipped bootstrap close to
// the size of a hello world.
package awsenv

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Environment variables read by FromEnv. The Lambda runtime sets the region and
// credentials; the endpoint overrides point a function at local servers.
const (
	RegionEnv           = "AWS_REGION"
	AccessKeyIDEnv      = "AWS_ACCESS_KEY_ID"
	SecretAccessKeyEnv  = "AWS_SECRET_ACCESS_KEY"
	SessionTokenEnv     = "AWS_SESSION_TOKEN"
	DynamoDBEndpointEnv = "AWS_ENDPOINT_URL_DYNAMODB"
	S3EndpointEnv       = "AWS_ENDPOINT_URL_S3"
)

// The SDK clients' retry policy. An API function has the request's budget
// (httpapi.WithBudget: the invocation deadline less a second, 9 s with the
// default 10 s function timeout, itself well under API Gateway's 30 s
// integration timeout) for all of its calls, and a client is better served
// by a quick 503 it can retry than by a function that spends the budget
// waiting on one call:
//   - MaxAttempts 3: the first try and two retries, the SDK's standard
//     count, which rides out the brief throttles of an on-demand table
//     scaling up and a dropped connection;
//   - MaxBackoff 1 s caps each wait (the SDK's default is 20 s, longer than
//     the whole budget): a throttled call waits at most about 2 s in all;
//   - AttemptTimeout 2 s per attempt: single-item DynamoDB calls and S3
//     HEAD, COPY (at most 10 MB) and DELETE answer in milliseconds, so an
//     attempt still waiting after 2 s is on a connection that will not
//     answer, and the next attempt gets a new one. Three attempts and the
//     backoff fit in about 8 s; the budget's deadline stops a request that
//     makes several calls.
const (
	MaxAttempts    = 3
	MaxBackoff     = time.Second
	AttemptTimeout = 2 * time.Second
)

// Retryer is the retry policy above, a new retryer (with its own retry
// quota) per client.
func Retryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = MaxAttempts
		o.MaxBackoff = MaxBackoff
	})
}

// Env is the AWS configuration of a function.
type Env struct {
	// Config carries the region and static credentials.
	Config aws.Config
	// DynamoDBEndpoint and S3Endpoint override the service endpoints; nil
	// means the regional AWS endpoint. They fit the BaseEndpoint field of
	// the service clients' options as they are.
	DynamoDBEndpoint *string
	S3Endpoint       *string
	// S3PathStyle is set with an S3 endpoint override: local S3 servers
	// serve buckets under a path, not as a host name.
	S3PathStyle bool
}

// FromEnv reads the configuration through getenv, so tests need not touch
// the process environment.
func FromEnv(getenv func(string) string) (Env, error) {
	var missing []string
	need := func(name string) string {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	region := need(RegionEnv)
	keyID := need(AccessKeyIDEnv)
	secret := need(SecretAccessKeyEnv)
	if len(missing) > 0 {
		return Env{}, fmt.Errorf("awsenv: missing environment variables %s", strings.Join(missing, ", "))
	}

	env := Env{Config: aws.Config{
		Region: region,
		// Lambda's credentials stay valid for the life of the execution
		// environment, so a static provider needs no refresh.
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, getenv(SessionTokenEnv)),
		Retryer:     Retryer,
		HTTPClient:  awshttp.NewBuildableClient().WithTimeout(AttemptTimeout),
	}}
	var err error
	if env.DynamoDBEndpoint, err = endpoint(getenv, DynamoDBEndpointEnv); err != nil {
		return Env{}, err
	}
	if env.S3Endpoint, err = endpoint(getenv, S3EndpointEnv); err != nil {
		return Env{}, err
	}
	env.S3PathStyle = env.S3Endpoint != nil
	return env, nil
}

func endpoint(getenv func(string) string, name string) (*string, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return nil, nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("awsenv: %s=%q is not an http(s) URL", name, v)
	}
	return &v, nil
}

// Table reads the AWS settings and the name of one DynamoDB table (in the
// variable tableEnv) through getenv: the whole configuration of a function
// that uses one table.
func Table(getenv func(string) string, tableEnv string) (*dynamodb.Client, string, error) {
	env, err := FromEnv(getenv)
	if err != nil {
		return nil, "", err
	}
	names, err := Require(getenv, tableEnv)
	if err != nil {
		return nil, "", err
	}
	return env.DynamoDB(), names[0], nil
}

// DynamoDB is a DynamoDB client for env, honouring its endpoint override.
func (e Env) DynamoDB() *dynamodb.Client {
	return dynamodb.NewFromConfig(e.Config, func(o *dynamodb.Options) { o.BaseEndpoint = e.DynamoDBEndpoint })
}

// Require returns the values, read through getenv, of environment variables
// a function cannot run without, or an error naming every one that is empty.
func Require(getenv func(string) string, names ...string) ([]string, error) {
	vals := make([]string, len(names))
	var missing []string
	for i, n := range names {
		vals[i] = strings.TrimSpace(getenv(n))
		if vals[i] == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, errors.New("missing environment variables " + strings.Join(missing, ", "))
	}
	return vals, nil
}
