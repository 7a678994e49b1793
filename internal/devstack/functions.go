package devstack

import (
	"fmt"
	"strings"

	"github.com/portcullis-cdk/portcullis/internal/emulated/localapi"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localcognito"
	"github.com/portcullis-cdk/portcullis/lambdas/photos"
	"github.com/portcullis-cdk/portcullis/lambdas/profile"
	"github.com/portcullis-cdk/portcullis/lambdas/random"
	"github.com/portcullis-cdk/portcullis/lambdas/routes"
	"github.com/portcullis-cdk/portcullis/lambdas/todos"
	"github.com/portcullis-cdk/portcullis/lambdas/triggers/custommessage"
	"github.com/portcullis-cdk/portcullis/lambdas/triggers/postconfirmation"
	"github.com/portcullis-cdk/portcullis/lambdas/triggers/presignup"
	"github.com/portcullis-cdk/portcullis/lambdas/triggers/pretokengen"
)

// resolve is a function's environment as the Lambda would see it: the
// template's literals as they are, references to the stack's tables and
// bucket replaced by the local ones (local provides them by variable name),
// references to app clients (in refs, by logical id) by the local client
// ids, and the local servers' AWS settings.
func (e Env) resolve(local func(string) string, refs map[string]string) (func(string) string, error) {
	vars := map[string]string{}
	for k, v := range e {
		switch {
		case v.Join != nil:
			var b strings.Builder
			for _, part := range v.Join {
				if part.Ref == "" {
					b.WriteString(part.Literal)
					continue
				}
				id, ok := refs[part.Ref]
				if !ok {
					return nil, fmt.Errorf("%s refers to %s, which the local stack does not provide", k, part.Ref)
				}
				b.WriteString(id)
			}
			vars[k] = b.String()
		case v.Ref == "":
			vars[k] = v.Literal
		case refs[v.Ref] != "":
			vars[k] = refs[v.Ref]
		default:
			if vars[k] = local(k); vars[k] == "" {
				return nil, fmt.Errorf("%s refers to %s, which the local stack does not provide", k, v.Ref)
			}
		}
	}
	return func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		return local(k)
	}, nil
}

// handlers builds every API function from its template environment through
// the same FromEnv its Lambda main uses, with its own role's credentials
// (envFor gives a role's environment).
func (p *Plan) handlers(envFor func(role string) func(string) string) (map[routes.Function]localapi.Handler, error) {
	refs := p.clientRefs()
	build := map[routes.Function]func(func(string) string) (localapi.Handler, error){
		routes.Todos: func(env func(string) string) (localapi.Handler, error) {
			h, err := todos.FromEnv(env)
			if err != nil {
				return nil, err
			}
			return h.Handle, nil
		},
		routes.Photos: func(env func(string) string) (localapi.Handler, error) {
			h, err := photos.FromEnv(env)
			if err != nil {
				return nil, err
			}
			return h.Handle, nil
		},
		routes.Profile: func(env func(string) string) (localapi.Handler, error) {
			h, err := profile.FromEnv(env)
			if err != nil {
				return nil, err
			}
			return h.Handle, nil
		},
		routes.Random: func(func(string) string) (localapi.Handler, error) { return random.New().Handle, nil },
	}
	out := map[routes.Function]localapi.Handler{}
	for _, fn := range routes.Functions() {
		env, ok := p.Functions[fn]
		if !ok {
			return nil, fmt.Errorf("the template has no function for %q", fn)
		}
		getenv, err := env.resolve(envFor(p.FunctionRoles[fn]), refs)
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", fn, err)
		}
		if out[fn], err = build[fn](getenv); err != nil {
			return nil, fmt.Errorf("function %s: %w", fn, err)
		}
	}
	return out, nil
}

// triggers builds the user pool triggers the template wires, by their
// LambdaConfig key, from their template environments, each with its own
// role's credentials.
func (p *Plan) triggers(envFor func(role string) func(string) string) (localcognito.Triggers, error) {
	var t localcognito.Triggers
	refs := p.clientRefs()
	for key, env := range p.Triggers {
		getenv, err := env.resolve(envFor(p.TriggerRoles[key]), refs)
		if err != nil {
			return t, fmt.Errorf("trigger %s: %w", key, err)
		}
		switch key {
		case "PreSignUp":
			t.PreSignUp = presignup.FromEnv(getenv).Handle
		case "CustomMessage":
			t.CustomMessage = custommessage.FromEnv(getenv).Handle
		case "PostConfirmation":
			h, err := postconfirmation.FromEnv(getenv)
			if err != nil {
				return t, fmt.Errorf("trigger %s: %w", key, err)
			}
			t.PostConfirmation = h.Handle
		case "PreTokenGenerationConfig":
			h, err := pretokengen.FromEnv(getenv)
			if err != nil {
				return t, fmt.Errorf("trigger %s: %w", key, err)
			}
			t.PreTokenGeneration = h.Handle
		default:
			return t, fmt.Errorf("trigger %s has no local counterpart", key)
		}
	}
	return t, nil
}

// clientRefs maps each app client's logical id to its local id, and the
// identity pool's to the local pool's.
func (p *Plan) clientRefs() map[string]string {
	refs := map[string]string{}
	for _, c := range p.Clients {
		refs[c.LogicalID] = clientID(c.Path)
	}
	if p.IdentityPool != "" {
		refs[p.IdentityPool] = localIdentityPoolID
	}
	return refs
}
