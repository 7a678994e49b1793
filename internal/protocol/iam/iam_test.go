package iam_test

import (
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/internal/protocol/iam"
)

func policy(t *testing.T, doc string) iam.Policy {
	t.Helper()
	p, err := iam.ParseDocument("test", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const sub = "cognito-identity.amazonaws.com:sub"

// trust is a role's trust policy for one OIDC provider and subject.
const trust = `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity",
	"Principal":{"Federated":"arn:aws:iam::1:oidc-provider/gh"},
	"Condition":{"StringEquals":{"gh:sub":"repo:a/b:environment:prod"}}}}`

var github = iam.Principal{Type: "Federated", ID: "arn:aws:iam::1:oidc-provider/gh"}

func TestEvaluate(t *testing.T) {
	vars := map[string]string{sub: "us-east-1:a"}
	tests := []struct {
		name   string
		doc    string
		req    iam.Request
		effect iam.Effect
		reason string // a part of the reason
	}{
		{"allow with a wildcard action",
			`{"Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-east-1:1:table/t"}}`,
			iam.Request{Action: "dynamodb:GetItem", Resource: "arn:aws:dynamodb:us-east-1:1:table/t"}, iam.Allow, "allows"},
		{"actions are case-insensitive",
			`{"Statement":{"Effect":"Allow","Action":"DynamoDB:getitem","Resource":"*"}}`,
			iam.Request{Action: "dynamodb:GetItem", Resource: "x"}, iam.Allow, ""},
		{"another resource",
			`{"Statement":{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"arn:aws:dynamodb:us-east-1:1:table/t"}}`,
			iam.Request{Action: "dynamodb:GetItem", Resource: "arn:aws:dynamodb:us-east-1:1:table/u"}, iam.ImplicitDeny, "no statement allows"},
		{"explicit deny wins",
			`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"}]}`,
			iam.Request{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/k"}, iam.ExplicitDeny, "denies"},
		{"NotAction",
			`{"Statement":{"Effect":"Allow","NotAction":"s3:DeleteObject","Resource":"*"}}`,
			iam.Request{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/k"}, iam.ImplicitDeny, ""},
		{"NotResource",
			`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::b/secret/*"}}`,
			iam.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/public/k"}, iam.Allow, ""},
		{"? matches one character",
			`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/k?"}}`,
			iam.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k12"}, iam.ImplicitDeny, ""},
		{"policy variable in the resource",
			`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/private/${cognito-identity.amazonaws.com:sub}/*"}}`,
			iam.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/private/us-east-1:a/p", Variables: vars}, iam.Allow, ""},
		{"policy variable of another caller",
			`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/private/${cognito-identity.amazonaws.com:sub}/*"}}`,
			iam.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/private/us-east-1:b/p", Variables: vars}, iam.ImplicitDeny, ""},
		{"policy variable without a value denies",
			`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}}`,
			iam.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/x/p", Variables: vars}, iam.ExplicitDeny, "${aws:username}"},
		{"ForAllValues:StringEquals, own keys",
			`{"Statement":{"Effect":"Allow","Action":"dynamodb:Query","Resource":"*","Condition":{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${cognito-identity.amazonaws.com:sub}"]}}}}`,
			iam.Request{Action: "dynamodb:Query", Resource: "t", Context: map[string][]string{"dynamodb:LeadingKeys": {"us-east-1:a", "us-east-1:a"}}, Variables: vars}, iam.Allow, ""},
		{"ForAllValues:StringEquals, a foreign key among own",
			`{"Statement":{"Effect":"Allow","Action":"dynamodb:BatchGetItem","Resource":"*","Condition":{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${cognito-identity.amazonaws.com:sub}"]}}}}`,
			iam.Request{Action: "dynamodb:BatchGetItem", Resource: "t", Context: map[string][]string{"dynamodb:LeadingKeys": {"us-east-1:a", "us-east-1:b"}}, Variables: vars}, iam.ImplicitDeny, ""},
		{"ForAllValues with the key absent is true (as in AWS)",
			`{"Statement":{"Effect":"Allow","Action":"dynamodb:Scan","Resource":"*","Condition":{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["x"]}}}}`,
			iam.Request{Action: "dynamodb:Scan", Resource: "t"}, iam.Allow, ""},
		{"ForAnyValue",
			`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ForAnyValue:StringLike":{"k":["a*"]}}}}`,
			iam.Request{Action: "s3:GetObject", Resource: "x", Context: map[string][]string{"k": {"zz", "ab"}}}, iam.Allow, ""},
		{"StringLike s3:prefix, own folder",
			`{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"s3:prefix":["private/${cognito-identity.amazonaws.com:sub}/*"]}}}}`,
			iam.Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b", Context: map[string][]string{"s3:prefix": {"private/us-east-1:a/"}}, Variables: vars}, iam.Allow, ""},
		{"StringLike s3:prefix, key absent",
			`{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"s3:prefix":["private/*"]}}}}`,
			iam.Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b"}, iam.ImplicitDeny, ""},
		{"StringNotEquals with the key absent is true",
			`{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalAccount":["1"]}}}}`,
			iam.Request{Action: "s3:GetObject", Resource: "x"}, iam.ExplicitDeny, ""},
		{"Null",
			`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Null":{"s3:prefix":"true"}}}}`,
			iam.Request{Action: "s3:GetObject", Resource: "x"}, iam.Allow, ""},
		{"an unknown condition operator denies",
			`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}}`,
			iam.Request{Action: "s3:GetObject", Resource: "x"}, iam.ExplicitDeny, "DateGreaterThan"},
		{"StringEqualsIfExists with the key absent",
			`{"Statement":{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"*","Condition":{"StringEqualsIfExists":{"dynamodb:Select":"SPECIFIC_ATTRIBUTES"}}}}`,
			iam.Request{Action: "dynamodb:GetItem", Resource: "x"}, iam.Allow, ""},
		{"StringEqualsIfExists with another value",
			`{"Statement":{"Effect":"Allow","Action":"dynamodb:Query","Resource":"*","Condition":{"StringEqualsIfExists":{"dynamodb:Select":"SPECIFIC_ATTRIBUTES"}}}}`,
			iam.Request{Action: "dynamodb:Query", Resource: "x", Context: map[string][]string{"dynamodb:Select": {"ALL_ATTRIBUTES"}}}, iam.ImplicitDeny, ""},
		{"a numeric IfExists operator denies",
			`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"NumericLessThanIfExists":{"k":"1"}}}}`,
			iam.Request{Action: "s3:GetObject", Resource: "x"}, iam.ExplicitDeny, "NumericLessThanIfExists"},
		{"an unknown element denies what it covers",
			`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","NotPrincipal":{"AWS":"x"}}}`,
			iam.Request{Action: "s3:GetObject", Resource: "x"}, iam.ExplicitDeny, "element NotPrincipal"},
		{"an unknown element leaves other actions alone",
			`{"Statement":[{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*","NotPrincipal":"*"},{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
			iam.Request{Action: "s3:GetObject", Resource: "x"}, iam.Allow, ""},
		{"a trust policy allows the principal it names, under its condition",
			trust, iam.Request{Action: "sts:AssumeRoleWithWebIdentity", Resource: "arn:aws:iam::1:role/r",
				Principal: github, Context: map[string][]string{"gh:sub": {"repo:a/b:environment:prod"}}}, iam.Allow, ""},
		{"a trust policy refuses another value of its condition key",
			trust, iam.Request{Action: "sts:AssumeRoleWithWebIdentity", Resource: "arn:aws:iam::1:role/r",
				Principal: github, Context: map[string][]string{"gh:sub": {"repo:a/b:environment:dev"}}}, iam.ImplicitDeny, ""},
		{"a trust policy refuses a principal it does not name",
			trust, iam.Request{Action: "sts:AssumeRoleWithWebIdentity", Resource: "arn:aws:iam::1:role/r",
				Principal: iam.Principal{Type: "Federated", ID: "arn:aws:iam::1:oidc-provider/other"}, Context: map[string][]string{"gh:sub": {"repo:a/b:environment:prod"}}}, iam.ImplicitDeny, ""},
		{"a trust policy refuses a principal of another type with the same id",
			trust, iam.Request{Action: "sts:AssumeRoleWithWebIdentity", Resource: "arn:aws:iam::1:role/r",
				Principal: iam.Principal{Type: "AWS", ID: github.ID}, Context: map[string][]string{"gh:sub": {"repo:a/b:environment:prod"}}}, iam.ImplicitDeny, ""},
		{"Principal * names anyone",
			`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Principal":"*"}}`,
			iam.Request{Action: "s3:GetObject", Resource: "x", Principal: iam.Principal{Type: "AWS", ID: "arn:aws:iam::2:root"}}, iam.Allow, ""},
		{"a Principal that is neither * nor an object denies",
			`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Principal":"someone"}}`,
			iam.Request{Action: "s3:GetObject", Resource: "x"}, iam.ExplicitDeny, "Principal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := iam.Evaluate(tt.req, policy(t, tt.doc))
			if d.Effect != tt.effect || !strings.Contains(d.Reason, tt.reason) {
				t.Errorf("Evaluate = %+v, want effect %d with %q", d, tt.effect, tt.reason)
			}
		})
	}
}

// FuzzEvaluate evaluates arbitrary documents: never a panic, and a
// document that cannot be read is an error, not an Allow.
func FuzzEvaluate(f *testing.F) {
	f.Add(`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*?"}}`, "s3:GetObject", "arn:aws:s3:::b/k1")
	f.Add(`{"Statement":[{"Effect":"Deny","NotAction":"*","NotResource":"${*}"}]}`, "x:y", "*")
	f.Fuzz(func(t *testing.T, doc, action, resource string) {
		p, err := iam.ParseDocument("fuzz", []byte(doc))
		if err != nil {
			return
		}
		_ = iam.Evaluate(iam.Request{Action: action, Resource: resource, Context: map[string][]string{"k": {resource}}}, p)
	})
}
