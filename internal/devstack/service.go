package devstack

import (
	"context"
	"log/slog"
	"net"

	"github.com/portcullis-cdk/portcullis/internal/protocol/sigv4"
	"github.com/portcullis-cdk/portcullis/internal/stackinfo"
)

// service is one emulated AWS service of the local stack: its reading of
// the template into the Plan and its start. Adding a service (the hosted
// UI, a CloudFront stand-in) is a file declaring one and a line in
// services.
type service struct {
	// read takes the service's resources from the template into the plan.
	// It may use what the services before it read. Optional.
	read func(t cfnTemplate, p *Plan) error
	// reserve opens what the service's address needs before any service
	// starts, so the services before it can be told (the web app's
	// origin, which the pool and the bucket allow). Optional.
	reserve func(w *wiring) error
	// start runs the service from the plan, records what a client needs
	// in the wiring's Info, and leaves what later services use (the
	// issuer, the role environments) in the wiring.
	start func(ctx context.Context, w *wiring) error
}

// services in the order they are read and started: the data stores first
// (every function needs its role's key), the functions before the user
// pool and the API, which invoke them, the user pool before the identity
// pool and the API, which trust its issuer and read its app clients.
var services = []service{
	dataStores,
	functions,
	userPool,
	identityPool,
	httpAPI,
	web,
}

// wiring is what the services of a starting stack share.
type wiring struct {
	stack *Stack
	info  *stackinfo.Info
	plan  *Plan
	opts  Options
	log   *slog.Logger
	clock *clock
	// getenv is the local servers' environment; roleKeys are the
	// execution roles' keys, by logical id.
	getenv   func(string) string
	roleKeys map[string]sigv4.Credential
	// issuer is the user pool's, once it started.
	issuer string
	// appOrigins are the local web app's origins and webListener its
	// listener, reserved before the services start.
	appOrigins  []string
	webListener net.Listener
}

// listen opens a listener on the stack's host; the stack closes it.
func (w *wiring) listen(port int) (net.Listener, error) {
	l, err := listen(w.opts.Host, port)
	if err != nil {
		return nil, err
	}
	w.stack.listeners = append(w.stack.listeners, l)
	return l, nil
}
