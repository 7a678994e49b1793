package devstack

import (
	"context"
	"errors"
	"fmt"

	"github.com/portcullis-cdk/portcullis/internal/cfn"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localaws"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localidentity"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth"
	"github.com/portcullis-cdk/portcullis/internal/protocol/uuid"
)

// identityPool is the Cognito identity pool: the app clients whose ID
// tokens it takes and its authenticated role, served by localidentity. It
// reads the identity pool and its role attachment; it takes the app
// clients, the pool's issuer and sign-out check and the credential store
// from the wiring.
var identityPool = service{read: readIdentityPool, start: startIdentityPool}

func readIdentityPool(t cfnTemplate, p *Plan) error {
	ip, err := t.One("AWS::Cognito::IdentityPool")
	if err != nil {
		return err
	}
	p.IdentityPool = ip.ID()
	var ipp struct {
		AllowUnauthenticatedIdentities bool
		CognitoIdentityProviders       []struct {
			ClientId             cfn.Expr
			ServerSideTokenCheck bool
		}
	}
	if err := ip.Decode(&ipp); err != nil {
		return fmt.Errorf("identity pool: %w", err)
	}
	if ipp.AllowUnauthenticatedIdentities {
		return errors.New("identity pool allows unauthenticated identities; the local one never does")
	}
	for _, prov := range ipp.CognitoIdentityProviders {
		path, err := p.clientOf(prov.ClientId)
		if err != nil {
			return fmt.Errorf("identity pool provider: %w", err)
		}
		p.IdentityClients = append(p.IdentityClients, path)
		if prov.ServerSideTokenCheck != p.IdentityTokenCheck && len(p.IdentityClients) > 1 {
			return errors.New("identity pool providers differ in ServerSideTokenCheck; the local pool checks all of them or none")
		}
		p.IdentityTokenCheck = prov.ServerSideTokenCheck
	}
	p.IdentityRole, err = identityRole(t)
	return err
}

// localIdentityPoolID is the local identity pool's id, the same on every
// run; functions whose environment names the pool get it.
var localIdentityPoolID = Region + ":" + uuid.V5(uuid.URLNamespace, "portcullis-local://identity-pool")

func startIdentityPool(_ context.Context, w *wiring) error {
	l, err := w.listen(w.opts.IdentityPort)
	if err != nil {
		return err
	}
	var signedIn func(string) bool
	if w.plan.IdentityTokenCheck {
		signedIn = w.stack.pool.SignedIn
	}
	identity, err := localidentity.New(localidentity.Config{
		PoolID:    localIdentityPoolID,
		AccountID: localaws.AccountID,
		RoleARN:   w.plan.names(w.getenv).RoleARN(w.plan.IdentityRole),
		Providers: []*jwtauth.Authorizer{{Issuer: w.issuer, Audience: clientIDs(w.plan.IdentityClients), Now: w.clock.now}},
		Now:       w.clock.now,
		Store:     w.stack.aws.Credentials,
		SignedIn:  signedIn,
	})
	if err != nil {
		return fmt.Errorf("local identity pool: %w", err)
	}
	w.stack.serve(l, identity)
	w.info.IdentityEndpoint = "http://" + l.Addr().String()
	w.info.IdentityPoolID = identity.ID()
	return nil
}
