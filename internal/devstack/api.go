package devstack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/internal/cfn"
	"github.com/portcullis-cdk/portcullis/internal/emulated/localapi"
	"github.com/portcullis-cdk/portcullis/internal/protocol/jwtauth"
)

// CORS is the API's CORS configuration.
type CORS struct {
	AllowOrigins, AllowHeaders, AllowMethods []string
	MaxAge                                   time.Duration
}

// httpAPI is the HTTP API: its JWT authorizer's audience, CORS, routes and
// the functions behind them, served by localapi. It reads the API, its
// authorizer, routes and integrations and the functions they invoke; it
// takes the app clients (the audience is theirs), the functions' runtimes,
// the pool's issuer and the credential store from the wiring.
var httpAPI = service{read: readAPI, start: startAPI}

func readAPI(t cfnTemplate, p *Plan) error {
	authz, err := t.One("AWS::ApiGatewayV2::Authorizer")
	if err != nil {
		return err
	}
	var az struct {
		AuthorizerType   string
		IdentitySource   []string
		JwtConfiguration struct{ Audience []cfn.Expr }
	}
	if err := authz.Decode(&az); err != nil {
		return fmt.Errorf("JWT authorizer: %w", err)
	}
	// The local API authorizes the bearer token of the Authorization header.
	if az.AuthorizerType != "JWT" || !slices.Equal(az.IdentitySource, []string{"$request.header.Authorization"}) {
		return fmt.Errorf("authorizer %s of type %q with identity source %q: the local API has a JWT authorizer of the Authorization header",
			authz.ID(), az.AuthorizerType, az.IdentitySource)
	}
	for _, a := range az.JwtConfiguration.Audience {
		path, err := p.clientOf(a)
		if err != nil {
			return fmt.Errorf("JWT authorizer audience: %w", err)
		}
		p.Audience = append(p.Audience, path)
	}

	api, err := t.One("AWS::ApiGatewayV2::Api")
	if err != nil {
		return err
	}
	var ap struct {
		CorsConfiguration struct {
			AllowOrigins, AllowHeaders, AllowMethods []string
			MaxAge                                   int
		}
	}
	if err := api.Decode(&ap); err != nil {
		return fmt.Errorf("API: %w", err)
	}
	c := ap.CorsConfiguration
	p.CORS = CORS{AllowOrigins: c.AllowOrigins, AllowHeaders: c.AllowHeaders, AllowMethods: c.AllowMethods, MaxAge: time.Duration(c.MaxAge) * time.Second}
	return p.readRoutes(t)
}

func startAPI(_ context.Context, w *wiring) error {
	l, err := w.listen(w.opts.APIPort)
	if err != nil {
		return err
	}
	handlers := map[routes.Function]localapi.Handler{}
	for name, l := range w.plan.Functions {
		handlers[name] = invoker[events.APIGatewayV2HTTPRequest, events.APIGatewayV2HTTPResponse](w.stack.functions[l.LogicalID])
	}
	gateway, err := localapi.New(localapi.Config{
		Handlers:    handlers,
		JWT:         &jwtauth.Authorizer{Issuer: w.issuer, Audience: clientIDs(w.plan.Audience), Now: w.clock.now},
		Credentials: w.stack.aws.Credentials,
		Region:      Region,
		CORS: &localapi.CORS{
			AllowOrigins: w.plan.CORS.AllowOrigins,
			AllowHeaders: w.plan.CORS.AllowHeaders,
			AllowMethods: w.plan.CORS.AllowMethods,
			MaxAge:       w.plan.CORS.MaxAge,
		},
		Now:    w.clock.now,
		Logger: w.log,
	})
	if err != nil {
		return fmt.Errorf("local API: %w", err)
	}
	w.stack.serve(l, gateway)
	w.info.APIURL = "http://" + l.Addr().String()
	return nil
}

// readRoutes checks the template's routes against the route table the
// handlers and the local gateway use, and collects each function's
// environment from its integration's target.
func (p *Plan) readRoutes(t cfnTemplate) error {
	want := map[string]routes.Route{}
	for _, r := range routes.All() {
		want[r.Key()] = r
	}
	fnOf := map[routes.Function]string{} // function -> logical id
	seen := map[string]bool{}
	for _, r := range t.OfType("AWS::ApiGatewayV2::Route") {
		var rp struct {
			RouteKey            string
			AuthorizationType   string
			AuthorizationScopes []string
			Target              cfn.Expr
		}
		if err := r.Decode(&rp); err != nil {
			return fmt.Errorf("route %s: %w", r.ID(), err)
		}
		route, ok := want[rp.RouteKey]
		if !ok {
			return fmt.Errorf("route %q is deployed but not in contract/routes: synthesize again (`make synth`)", rp.RouteKey)
		}
		seen[rp.RouteKey] = true
		wantAuth, wantScopes := "JWT", []string{routes.FullScope(route.Scope)}
		if route.Auth == routes.IAM {
			wantAuth, wantScopes = "AWS_IAM", nil
		}
		if rp.AuthorizationType != wantAuth || !slices.Equal(rp.AuthorizationScopes, wantScopes) {
			return fmt.Errorf("route %q: template authorizes by %s %v, contract/routes by %s %v: synthesize again",
				rp.RouteKey, rp.AuthorizationType, rp.AuthorizationScopes, wantAuth, wantScopes)
		}
		fn, err := integrationFunction(t, rp.Target.Value)
		if err != nil {
			return fmt.Errorf("route %q: %w", rp.RouteKey, err)
		}
		if prev, ok := fnOf[route.Function]; ok && prev != fn {
			return fmt.Errorf("function %q is served by both %s and %s", route.Function, prev, fn)
		}
		fnOf[route.Function] = fn
	}
	for key := range want {
		if !seen[key] {
			return fmt.Errorf("route %q is in contract/routes but not in the template: synthesize again (`make synth`)", key)
		}
	}
	for name, fn := range fnOf {
		l, err := readLambda(t, fn)
		if err != nil {
			return err
		}
		p.Functions[name] = l
	}
	return nil
}

// integrationFunction follows a route's target, "integrations/<id>", to the
// Lambda function the integration invokes.
func integrationFunction(t cfnTemplate, target cfn.Value) (string, error) {
	j, ok := target.(cfn.Join)
	if !ok || len(j.Parts) != 2 || j.Parts[0] != cfn.String("integrations/") {
		return "", errors.New("target is not integrations/<integration>")
	}
	ref, ok := j.Parts[1].(cfn.Ref)
	if !ok {
		return "", errors.New("target does not reference an integration")
	}
	in, err := t.Get(ref.Name, "AWS::ApiGatewayV2::Integration")
	if err != nil {
		return "", err
	}
	var ip struct {
		IntegrationType, PayloadFormatVersion string
		IntegrationUri                        cfn.Expr
	}
	if err := in.Decode(&ip); err != nil {
		return "", err
	}
	// The local API sends a function the proxy event of payload 2.0.
	if ip.IntegrationType != "AWS_PROXY" || ip.PayloadFormatVersion != "2.0" {
		return "", fmt.Errorf("integration %s: %s with payload %q, the local API invokes AWS_PROXY integrations with payload 2.0",
			ref.Name, ip.IntegrationType, ip.PayloadFormatVersion)
	}
	return arnOf(ip.IntegrationUri)
}
