package devstack

import (
	"fmt"
	"strings"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
)

// names maps the template's tables and bucket to their local names: the
// tables are named from the template (Table), the bucket is the local
// servers', which they provide by variable name to the functions whose
// environments refer to it by logical id.
func (p *Plan) names(local func(string) string) Names {
	n := Names{Region: Region, AccountID: localaws.AccountID, Tables: map[string]string{}, Buckets: map[string]string{}}
	for _, t := range p.Tables {
		n.Tables[t.LogicalID] = t.Name()
	}
	for _, l := range p.lambdas() {
		for k, v := range l.Env {
			switch {
			case v.Ref == "" || local(k) == "":
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
// execution role a key of its own, so a function can do locally exactly
// what its role allows deployed. It returns each execution role's key.
func (s *Stack) authorize(p *Plan, local func(string) string) (map[string]sigv4.Credential, error) {
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
	return keys, nil
}

// roleIDs lists the execution roles of the functions and triggers.
func roleIDs(p *Plan) []string {
	var ids []string
	for _, l := range p.lambdas() {
		ids = append(ids, l.Role)
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
