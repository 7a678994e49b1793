// Package gateway provides API, an API Gateway HTTP API whose every route is
// authorized: by a JWT authorizer that demands an OAuth scope (so Cognito ID
// tokens, which carry no scope, are refused) or by IAM (SigV4-signed
// requests from identity-pool credentials). It has CORS for the front end's
// origins, JSON access logs and default throttling.
//
// The logical ids of the resources this package makes, and the properties
// whose change would replace a stateful one, stay the same in every release
// that CHANGELOG.md does not mark breaking, so such an upgrade never
// replaces a resource of your stack: testdata/logical-ids.json records them
// and a test fails on any change. A breaking release (a new major version;
// before v1, a new minor) names each resource it changes.
//
// # Examples
//
// NewAPI:
// An API with one scoped JWT route and one IAM route, in someone else's
// stack, in front of a function the team already has.
//
//	app := awscdk.NewApp(nil)
//	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)
//	orders := awslambda.Function_FromFunctionName(stack, jsii.String("Orders"), jsii.String("orders"))
//
//	api := gateway.NewAPI(stack, "Api", &gateway.APIProps{
//		JWTIssuer:   jsii.String("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE"),
//		JWTAudience: []*string{jsii.String("exampleclientid")},
//		CORSOrigins: []string{"https://shop.example.com"},
//		Routes: []gateway.Route{
//			{Method: "GET", Path: "/orders", Handler: orders, Scopes: []string{"orders/read"}},
//			{Method: "POST", Path: "/iam/orders", Handler: orders, Auth: gateway.IAM},
//		},
//	})
//	_ = api.InvokeARN("POST", "/iam/orders") // grant execute-api:Invoke on it
//
//	template := assertions.Template_FromStack(stack, nil)
//	var routes []string
//	for _, r := range *template.FindResources(jsii.String("AWS::ApiGatewayV2::Route"), nil) {
//		route := (*r)["Properties"].(map[string]any)
//		routes = append(routes, fmt.Sprint(route["RouteKey"], " ", route["AuthorizationType"], " ", route["AuthorizationScopes"]))
//	}
//	sort.Strings(routes)
//	for _, route := range routes {
//		fmt.Println(route)
//	}
//	for _, r := range *template.FindResources(jsii.String("AWS::ApiGatewayV2::Authorizer"), nil) {
//		authorizer := (*r)["Properties"].(map[string]any)
//		audience, _ := json.Marshal(authorizer["JwtConfiguration"].(map[string]any)["Audience"])
//		fmt.Println(authorizer["AuthorizerType"], string(audience))
//	}
//	for _, r := range *template.FindResources(jsii.String("AWS::ApiGatewayV2::Stage"), nil) {
//		throttle, _ := json.Marshal((*r)["Properties"].(map[string]any)["DefaultRouteSettings"])
//		fmt.Println(string(throttle))
//	}
//	// Output:
//	// GET /orders JWT [orders/read]
//	// POST /iam/orders AWS_IAM <nil>
//	// JWT ["exampleclientid"]
//	// {"ThrottlingBurstLimit":100,"ThrottlingRateLimit":50}
//
// NewAPI (existing):
// Routes and their authorizers added to an HTTP API the team already has;
// its stages, CORS and throttling stay its own.
//
//	app := awscdk.NewApp(nil)
//	stack := awscdk.NewStack(app, jsii.String("PlatformStack"), nil)
//	existing := awsapigatewayv2.HttpApi_FromHttpApiAttributes(stack, jsii.String("Shared"), &awsapigatewayv2.HttpApiAttributes{
//		HttpApiId:   jsii.String("a1b2c3d4e5"),
//		ApiEndpoint: jsii.String("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"),
//	})
//	orders := awslambda.Function_FromFunctionName(stack, jsii.String("Orders"), jsii.String("orders"))
//
//	api := gateway.NewAPI(stack, "OrderRoutes", &gateway.APIProps{
//		Existing:    existing,
//		JWTIssuer:   jsii.String("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE"),
//		JWTAudience: []*string{jsii.String("exampleclientid")},
//		Routes:      []gateway.Route{{Method: "GET", Path: "/orders", Handler: orders, Scopes: []string{"orders/read"}}},
//	})
//	fmt.Println(*api.URL())
//
//	template := assertions.Template_FromStack(stack, nil)
//	for _, typ := range []string{"AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage", "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Authorizer"} {
//		for _, r := range *template.FindResources(jsii.String(typ), nil) {
//			fmt.Println(typ, "on API", (*r)["Properties"].(map[string]any)["ApiId"])
//		}
//	}
//	// Output:
//	// https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com
//	// AWS::ApiGatewayV2::Route on API a1b2c3d4e5
//	// AWS::ApiGatewayV2::Authorizer on API a1b2c3d4e5
package gateway

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/portcullis-cdk/portcullis/constructs/golambda"
	"github.com/portcullis-cdk/portcullis/constructs/internal/override"
	"github.com/portcullis-cdk/portcullis/constructs/internal/weburl"
)

// Auth is how a route authorizes callers.
type Auth int

const (
	// JWT: a bearer access token from the configured issuer and audience,
	// carrying at least one of the route's scopes.
	JWT Auth = iota
	// IAM: a request signed with AWS credentials allowed execute-api:Invoke
	// on the route, such as an identity pool's authenticated role.
	IAM
)

// Route is one method and path served by a Lambda function.
type Route struct {
	// Method is GET, POST, PUT, PATCH, DELETE or HEAD. OPTIONS is answered
	// by the API's CORS configuration, never routed.
	Method string
	// Path in API Gateway syntax, e.g. /todos/{id}.
	Path string
	// Handler serves the route.
	Handler awslambda.IFunction
	// Auth of the route. Default: JWT.
	Auth Auth
	// Scopes, for JWT routes: the token must carry one of them. Required
	// for JWT routes; must be empty for IAM routes.
	Scopes []string
}

// APIProps configures an API: a new HTTP API, or routes and authorizers
// added to an Existing one.
type APIProps struct {
	// Existing is an HTTP API the team already has (for example
	// awsapigatewayv2.HttpApi_FromHttpApiAttributes). The construct adds
	// Routes and their authorizers to it and nothing else: its stages,
	// CORS, throttling and access logs stay as they are, so Name,
	// CORSOrigins, ThrottleRate, ThrottleBurst, AccessLogRetentionDays and
	// Ephemeral must be unset with it. Default: nil (a new API).
	Existing awsapigatewayv2.IHttpApi
	// Name of the API. Default: the construct's path.
	Name string
	// Routes of the API. Required: at least one.
	Routes []Route
	// JWTIssuer is the token issuer (a user pool's issuer URL). Required
	// when a route uses JWT.
	JWTIssuer *string
	// JWTAudience are the accepted app client ids (checked against aud, or
	// client_id for access tokens). Required when a route uses JWT.
	JWTAudience []*string
	// CORSOrigins may call the API from a browser. Default: none (no CORS).
	CORSOrigins []string
	// ThrottleRate is the steady-state requests per second across the API.
	// Default: 50.
	ThrottleRate float64
	// ThrottleBurst is the bucket size for bursts. Default: 100.
	ThrottleBurst int
	// AccessLogRetentionDays: see golambda.RetentionDays. Default: 30.
	AccessLogRetentionDays int
	// Ephemeral deletes the access log group with the stack. Default: false.
	Ephemeral bool
	// AccessLogCallerClaim names an access-token claim that identifies the
	// caller without naming them (a hash of the sub), which the access log
	// records as "caller". Default: none; the log never holds the sub or
	// the identity id.
	AccessLogCallerClaim string
	// Domain is a custom domain name the API answers on: its $default
	// stage is mapped to it and its execute-api endpoint is disabled, so
	// every caller comes through that domain (a CDN in front of it, say).
	// Default: none, the execute-api endpoint.
	Domain awsapigatewayv2.IDomainName
	// APIOverrides are L2 props the construct does not set itself (for
	// example Description), merged into the ones it makes: the escape
	// hatch for what it does not decide. Setting one it does set panics,
	// naming it. Default: nil.
	APIOverrides *awsapigatewayv2.HttpApiProps
}

// API is the HTTP API, its $default stage and its access log group.
type API struct {
	// Construct groups the resources below; pass it where a scope is wanted.
	Construct constructs.Construct
	// Domain is APIProps.Domain, or nil.
	Domain awsapigatewayv2.IDomainName
	// API is the HTTP API, new or Existing.
	API awsapigatewayv2.IHttpApi
	// Created is the new HTTP API (the same as API), for what only a new
	// API offers; nil with Existing.
	Created awsapigatewayv2.HttpApi
	// Stage is the $default stage, with throttling and access logs; nil
	// with Existing.
	Stage awsapigatewayv2.HttpStage
	// AccessLogs receives one JSON line per request; nil with Existing.
	AccessLogs awslogs.LogGroup
}

var (
	methods   = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}
	routePath = regexp.MustCompile(`^(/([A-Za-z0-9._~-]+|\{[A-Za-z][A-Za-z0-9_]*\}))+$`)
)

// Validate reports every problem with the props.
func (p *APIProps) Validate() error {
	var errs []error
	if len(p.Routes) == 0 {
		errs = append(errs, errors.New("Routes: at least one is required"))
	}
	if p.Existing != nil && (p.Name != "" || p.CORSOrigins != nil || p.ThrottleRate != 0 || p.ThrottleBurst != 0 ||
		p.AccessLogRetentionDays != 0 || p.Ephemeral || p.AccessLogCallerClaim != "" || p.Domain != nil || p.APIOverrides != nil) {
		errs = append(errs, errors.New("Existing is set: give either an existing API or the props of a new one "+
			"(Name, CORSOrigins, ThrottleRate, ThrottleBurst, AccessLogRetentionDays, Ephemeral, AccessLogCallerClaim, Domain, APIOverrides), not both"))
	}
	seen := map[string]bool{}
	jwt := false
	for _, r := range p.Routes {
		key := r.Method + " " + r.Path
		switch {
		case !slices.Contains(methods, r.Method):
			errs = append(errs, fmt.Errorf("route %q: method %q is not one of %v", key, r.Method, methods))
		case !routePath.MatchString(r.Path):
			errs = append(errs, fmt.Errorf("route %q: path %q: want /segment or /{param} parts", key, r.Path))
		case seen[key]:
			errs = append(errs, fmt.Errorf("route %q declared twice", key))
		case r.Handler == nil:
			errs = append(errs, fmt.Errorf("route %q has no Handler", key))
		case r.Auth == JWT && len(r.Scopes) == 0:
			errs = append(errs, fmt.Errorf("JWT route %q has no scope: without one, ID tokens would be accepted", key))
		case r.Auth == IAM && len(r.Scopes) > 0:
			errs = append(errs, fmt.Errorf("IAM route %q has scopes; IAM policies authorize it", key))
		case r.Auth != JWT && r.Auth != IAM:
			errs = append(errs, fmt.Errorf("route %q: Auth %d is neither JWT nor IAM", key, int(r.Auth)))
		}
		seen[key] = true
		jwt = jwt || r.Auth == JWT
	}
	if jwt && (p.JWTIssuer == nil || len(p.JWTAudience) == 0) {
		errs = append(errs, errors.New("JWTIssuer and JWTAudience are required for JWT routes"))
	}
	for _, o := range p.CORSOrigins {
		if err := weburl.ValidateOrigin(o); err != nil {
			errs = append(errs, fmt.Errorf("CORSOrigins: %w", err))
		}
	}
	if p.ThrottleRate < 0 || p.ThrottleBurst < 0 {
		errs = append(errs, fmt.Errorf("throttle rate %v, burst %d: want positive numbers", p.ThrottleRate, p.ThrottleBurst))
	}
	if p.AccessLogRetentionDays != 0 {
		if _, err := golambda.RetentionDays(p.AccessLogRetentionDays); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// accessLogFormat is one JSON object per request: what (route, status),
// why it failed (authorizer or integration error) and, with a caller
// claim, who, pseudonymously. Never the sub or the identity id: an access
// log template cannot hash them, and they are personal data; the request
// id joins a line to the function's, which may carry more.
func accessLogFormat(callerClaim string) string {
	caller := ""
	if callerClaim != "" {
		caller = `"caller":"$context.authorizer.claims.` + callerClaim + `",`
	}
	return `{"requestId":"$context.requestId","time":"$context.requestTime","ip":"$context.identity.sourceIp",` +
		`"method":"$context.httpMethod","path":"$context.path","routeKey":"$context.routeKey","status":"$context.status",` +
		`"latency":"$context.responseLatency","responseLength":"$context.responseLength","userAgent":"$context.identity.userAgent",` +
		caller + `"authorizerError":"$context.authorizer.error","integrationError":"$context.integrationErrorMessage"}`
}

// NewAPI creates the API. It panics if props do not validate; call
// props.Validate first to handle the error.
func NewAPI(scope constructs.Construct, id string, props *APIProps) *API {
	if props == nil {
		props = &APIProps{}
	}
	if err := props.Validate(); err != nil {
		panic(fmt.Errorf("gateway.NewAPI %q: %w", id, err))
	}
	p := *props
	if p.ThrottleRate == 0 {
		p.ThrottleRate = 50
	}
	if p.ThrottleBurst == 0 {
		p.ThrottleBurst = 100
	}
	if p.AccessLogRetentionDays == 0 {
		p.AccessLogRetentionDays = 30
	}
	a := &API{Construct: constructs.NewConstruct(scope, jsii.String(id)), API: p.Existing, Domain: p.Domain}
	if p.Existing == nil {
		var name *string
		if p.Name != "" {
			name = jsii.String(p.Name)
		}
		l2 := &awsapigatewayv2.HttpApiProps{
			ApiName:       name,
			CorsPreflight: corsPreflight(p),
			// The stage below carries throttling and access logs.
			CreateDefaultStage:        jsii.Bool(false),
			DisableExecuteApiEndpoint: jsii.Bool(p.Domain != nil),
		}
		if err := override.Merge(l2, p.APIOverrides); err != nil {
			panic(fmt.Errorf("gateway.NewAPI %q: APIOverrides: %w", id, err))
		}
		a.Created = awsapigatewayv2.NewHttpApi(a.Construct, jsii.String("Api"), l2)
		a.API = a.Created
		a.addStage(p)
	}
	a.addRoutes(p)
	return a
}

// corsPreflight is the API's answer to browsers' preflight requests, or nil
// without CORSOrigins.
func corsPreflight(p APIProps) *awsapigatewayv2.CorsPreflightOptions {
	if len(p.CORSOrigins) == 0 {
		return nil
	}
	return &awsapigatewayv2.CorsPreflightOptions{
		AllowOrigins: jsii.Strings(p.CORSOrigins...),
		// Authorization carries the bearer token; the X-Amz ones carry
		// SigV4 signatures of identity-pool callers; Idempotency-Key
		// makes a retried POST safe.
		AllowHeaders: jsii.Strings("authorization", "content-type", "idempotency-key", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"),
		AllowMethods: &[]awsapigatewayv2.CorsHttpMethod{
			awsapigatewayv2.CorsHttpMethod_GET, awsapigatewayv2.CorsHttpMethod_POST, awsapigatewayv2.CorsHttpMethod_PUT,
			awsapigatewayv2.CorsHttpMethod_PATCH, awsapigatewayv2.CorsHttpMethod_DELETE, awsapigatewayv2.CorsHttpMethod_HEAD,
			awsapigatewayv2.CorsHttpMethod_OPTIONS,
		},
		MaxAge: awscdk.Duration_Minutes(jsii.Number(10)),
	}
}

// addStage makes the $default stage with its throttling and access logs.
func (a *API) addStage(p APIProps) {
	this, api := a.Construct, a.API
	removal := awscdk.RemovalPolicy_RETAIN
	if p.Ephemeral {
		removal = awscdk.RemovalPolicy_DESTROY
	}
	retention, _ := golambda.RetentionDays(p.AccessLogRetentionDays)
	logs := awslogs.NewLogGroup(this, jsii.String("AccessLogs"), &awslogs.LogGroupProps{Retention: retention, RemovalPolicy: removal})
	stage := awsapigatewayv2.NewHttpStage(this, jsii.String("DefaultStage"), &awsapigatewayv2.HttpStageProps{
		HttpApi:    api,
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle: &awsapigatewayv2.ThrottleSettings{
			RateLimit:  jsii.Number(p.ThrottleRate),
			BurstLimit: jsii.Number(float64(p.ThrottleBurst)),
		},
	})
	// HttpStageProps takes access log settings only as an interface to
	// implement; the L1 property says the same in two lines.
	stage.Node().DefaultChild().(awsapigatewayv2.CfnStage).SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		DestinationArn: logs.LogGroupArn(),
		Format:         jsii.String(accessLogFormat(p.AccessLogCallerClaim)),
	})
	if p.Domain != nil {
		awsapigatewayv2.NewApiMapping(this, jsii.String("DomainMapping"), &awsapigatewayv2.ApiMappingProps{
			Api: api, DomainName: p.Domain, Stage: stage,
		})
	}
	a.Stage, a.AccessLogs = stage, logs
}

// addRoutes makes each route with its authorizer, one integration per
// function.
func (a *API) addRoutes(p APIProps) {
	this, api := a.Construct, a.API
	var jwt awsapigatewayv2authorizers.HttpJwtAuthorizer
	if p.JWTIssuer != nil {
		jwt = awsapigatewayv2authorizers.NewHttpJwtAuthorizer(jsii.String("Jwt"), p.JWTIssuer, &awsapigatewayv2authorizers.HttpJwtAuthorizerProps{
			JwtAudience:    &p.JWTAudience,
			AuthorizerName: jsii.String("jwt"),
		})
	}
	iam := awsapigatewayv2authorizers.NewHttpIamAuthorizer()

	// One integration per function, shared by its routes.
	integrations := map[awslambda.IFunction]awsapigatewayv2integrations.HttpLambdaIntegration{}
	for _, r := range p.Routes {
		in, ok := integrations[r.Handler]
		if !ok {
			in = awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String(fmt.Sprintf("Integration%d", len(integrations))), r.Handler, nil)
			integrations[r.Handler] = in
		}
		rp := &awsapigatewayv2.HttpRouteProps{
			HttpApi:     api,
			RouteKey:    awsapigatewayv2.HttpRouteKey_With(jsii.String(r.Path), awsapigatewayv2.HttpMethod(r.Method)),
			Integration: in,
		}
		if r.Auth == IAM {
			rp.Authorizer = iam
		} else {
			rp.Authorizer = jwt
			rp.AuthorizationScopes = jsii.Strings(r.Scopes...)
		}
		awsapigatewayv2.NewHttpRoute(this, jsii.String(routeID(r)), rp)
	}
}

// routeID names a route construct by its key: "GET /todos/{id}" -> "GET_todos_id".
func routeID(r Route) string {
	clean := strings.NewReplacer("/", "_", "{", "", "}", "").Replace(r.Path)
	return r.Method + clean
}

// URL is the API's invoke URL (the $default stage): its custom domain's
// where it has one, otherwise its execute-api endpoint.
func (a *API) URL() *string {
	if a.Domain != nil {
		return awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://"), a.Domain.Name()})
	}
	return a.API.ApiEndpoint()
}

// InvokeARN is the execute-api ARN of one route on the $default stage, with
// path parameters as wildcards, for granting execute-api:Invoke.
func (a *API) InvokeARN(method, path string) *string {
	return a.API.ArnForExecuteApi(jsii.String(method), jsii.String(Wildcard(path)), jsii.String("$default"))
}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// Wildcard replaces a route path's parameters with "*", as IAM policies
// name them: /todos/{id} -> /todos/*.
func Wildcard(path string) string { return pathParam.ReplaceAllString(path, "*") }
