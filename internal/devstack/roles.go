package devstack

import (
	"fmt"
	"strings"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
	"github.com/portcullis-cdk/portcullis/lambdas/awsenv"
)

// names maps the template's tables and bucket to their local names: the
// functions' environments refer to them by logical id, and the local
// servers provide them by variable name.
func (p *Plan) names(local func(string) string) Names {
	n := Names{Region: Region, AccountID: localaws.AccountID, Tables: map[string]string{}, Buckets: map[string]string{}}
	envs := make([]Env, 0, len(p.Functions)+len(p.Triggers))
	for _, e := range p.Functions {
		envs = append(envs, e)
	}
	for _, e := range p.Triggers {
		envs = append(envs, e)
	}
	for _, env := range envs {
		for k, v := range env {
			switch {
			case v.Ref == "" || local(k) == "":
			case contains(p.Tables, v.Ref):
				n.Tables[v.Ref] = local(k)
			case contains(p.Buckets, v.Ref):
				n.Buckets[v.Ref] = local(k)
			}
		}
	}
	return n
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// authorize gives the local DynamoDB and S3 every role's policies and each
// execution role a key of its own, so a handler can do locally exactly what
// its role allows deployed. It returns the environment of a function run
// with a role: the local servers' settings with the role's credentials.
func (s *Stack) authorize(p *Plan, local func(string) string) (func(role string) func(string) string, error) {
	names := p.names(local)
	for role, docs := range p.Roles {
		policies, err := names.Policies(docs)
		if err != nil {
			return nil, fmt.Errorf("role %s: %w", role, err)
		}
		s.aws.Roles.Set(names.RoleARN(role), policies)
	}
	keys := map[string]sigv4.Credential{}
	for _, role := range roleIDs(p) {
		keys[role] = roleCredential(names, role)
		s.aws.Credentials.Put(keys[role])
	}
	return func(role string) func(string) string {
		c := keys[role]
		return func(k string) string {
			switch k {
			case awsenv.AccessKeyIDEnv:
				return c.AccessKeyID
			case awsenv.SecretAccessKeyEnv:
				return c.SecretAccessKey
			case awsenv.SessionTokenEnv:
				return c.SessionToken
			}
			return local(k)
		}
	}, nil
}

// roleIDs lists the execution roles of the functions and triggers.
func roleIDs(p *Plan) []string {
	var ids []string
	for _, r := range p.FunctionRoles {
		ids = append(ids, r)
	}
	for _, r := range p.TriggerRoles {
		ids = append(ids, r)
	}
	return ids
}

// roleCredential is the session a function runs with, as Lambda gives it:
// temporary credentials of the assumed execution role, derived from the
// role so they are the same on every run.
func roleCredential(n Names, role string) sigv4.Credential {
	roleID := "AROA" + strings.ToUpper(derived("role:"+role, 17))
	return sigv4.Credential{
		AccessKeyID:     "ASIA" + strings.ToUpper(derived("key:"+role, 16)),
		SecretAccessKey: derived("secret:"+role, 40),
		SessionToken:    derived("token:"+role, 64),
		Principal: sigv4.Principal{
			ARN:       "arn:aws:sts::" + n.AccountID + ":assumed-role/" + role + "/" + role,
			AccountID: n.AccountID,
			RoleARN:   n.RoleARN(role),
			UserID:    roleID + ":" + role,
		},
	}
}
