package awsenv

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestFromEnv(t *testing.T) {
	base := map[string]string{
		"AWS_REGION":            "eu-west-1",
		"AWS_ACCESS_KEY_ID":     "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_SESSION_TOKEN":     "token",
	}
	with := func(kv ...string) func(string) string {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return func(k string) string { return env[k] }
	}

	t.Run("lambda", func(t *testing.T) {
		env, err := FromEnv(with())
		if err != nil {
			t.Fatal(err)
		}
		if env.Config.Region != "eu-west-1" || env.DynamoDBEndpoint != nil || env.S3Endpoint != nil || env.S3PathStyle {
			t.Fatalf("env %+v", env)
		}
		creds, err := env.Config.Credentials.Retrieve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if creds.AccessKeyID != "AKIDEXAMPLE" || creds.SecretAccessKey != "secret" || creds.SessionToken != "token" {
			t.Fatalf("credentials %+v", creds)
		}
	})

	t.Run("local endpoints", func(t *testing.T) {
		env, err := FromEnv(with("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:4567", "AWS_ENDPOINT_URL_S3", " http://127.0.0.1:4568 "))
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(env.DynamoDBEndpoint) != "http://127.0.0.1:4567" || aws.ToString(env.S3Endpoint) != "http://127.0.0.1:4568" || !env.S3PathStyle {
			t.Fatalf("env %+v", env)
		}
	})

	t.Run("no session token", func(t *testing.T) {
		if _, err := FromEnv(with("AWS_SESSION_TOKEN", "")); err != nil {
			t.Fatal(err)
		}
	})

	errs := []struct {
		name string
		env  func(string) string
		want string
	}{
		{"nothing", func(string) string { return "" }, "missing environment variables AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY"},
		{"no region", with("AWS_REGION", " "), "missing environment variables AWS_REGION"},
		{"no secret", with("AWS_SECRET_ACCESS_KEY", ""), "missing environment variables AWS_SECRET_ACCESS_KEY"},
		{"bad endpoint", with("AWS_ENDPOINT_URL_DYNAMODB", "localhost:4567"), `AWS_ENDPOINT_URL_DYNAMODB="localhost:4567" is not an http(s) URL`},
		{"bad s3 endpoint", with("AWS_ENDPOINT_URL_S3", "ftp://x"), `AWS_ENDPOINT_URL_S3="ftp://x" is not an http(s) URL`},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromEnv(tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestRequire(t *testing.T) {
	t.Setenv("PORTCULLIS_A", "a")
	t.Setenv("PORTCULLIS_B", "")
	if v, err := Require(os.Getenv, "PORTCULLIS_A"); err != nil || v[0] != "a" {
		t.Fatalf("Require = %v, %v", v, err)
	}
	if _, err := Require(os.Getenv, "PORTCULLIS_A", "PORTCULLIS_B", "PORTCULLIS_C"); err == nil ||
		err.Error() != "missing environment variables PORTCULLIS_B, PORTCULLIS_C" {
		t.Fatalf("Require: %v", err)
	}
}
