package test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/stage"
)

func TestRoutesMatchContract(t *testing.T) {
	if err := routes.Validate(routes.All()); err != nil {
		t.Fatal(err)
	}
	each(t, func(t *testing.T, s *synthesized) {
		authorizers := s.template.ofType("AWS::ApiGatewayV2::Authorizer")
		if len(authorizers) != 1 {
			t.Fatalf("%d authorizers, want the one JWT authorizer", len(authorizers))
		}
		jwtID := authorizers[0]
		got := map[string]resource{}
		for _, id := range s.template.ofType("AWS::ApiGatewayV2::Route") {
			r := s.template.Resources[id]
			got[r.Properties["RouteKey"].(string)] = r
		}
		if len(got) != len(routes.All()) {
			t.Errorf("%d routes in the template, %d in the contract", len(got), len(routes.All()))
		}
		for _, want := range routes.All() {
			r, ok := got[want.Key()]
			if !ok {
				t.Errorf("route %q missing", want.Key())
				continue
			}
			p := r.Properties
			switch want.Auth {
			case routes.JWT:
				if p["AuthorizationType"] != "JWT" || js(p["AuthorizerId"]) != ref(jwtID) {
					t.Errorf("%s: authorization %v by %s, want the JWT authorizer", want.Key(), p["AuthorizationType"], js(p["AuthorizerId"]))
				}
				if js(p["AuthorizationScopes"]) != js([]string{routes.FullScope(want.Scope)}) {
					t.Errorf("%s: scopes %s, want [%s]: without a scope an ID token would pass", want.Key(), js(p["AuthorizationScopes"]), routes.FullScope(want.Scope))
				}
			case routes.IAM:
				if p["AuthorizationType"] != "AWS_IAM" {
					t.Errorf("%s: authorization %v, want AWS_IAM", want.Key(), p["AuthorizationType"])
				}
			}
		}
		for key, r := range got {
			if r.Properties["AuthorizationType"] == nil || r.Properties["AuthorizationType"] == "NONE" {
				t.Errorf("route %q is not authorized", key)
			}
		}
	})
}

func TestJWTAuthorizerTrustsThePool(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		a := s.template.Resources[s.template.ofType("AWS::ApiGatewayV2::Authorizer")[0]]
		poolID, _ := s.template.at(t, "Users/Pool/Resource")
		spa, _ := s.template.at(t, contract.SPAClientPath+"/Resource")
		server, _ := s.template.at(t, contract.ServerClientPath+"/Resource")
		audience := []any{map[string]string{"Ref": spa}, map[string]string{"Ref": server}}
		if s.config.CLIClient {
			cli, _ := s.template.at(t, contract.CLIClientPath+"/Resource")
			audience = append(audience, map[string]string{"Ref": cli})
		}
		if got := js(prop(a.Properties, "JwtConfiguration", "Audience")); got != js(audience) {
			t.Errorf("JWT audience %s, want the SPA, server and (where the stage has one) CLI clients %s", got, js(audience))
		}
		issuer := js(prop(a.Properties, "JwtConfiguration", "Issuer"))
		if !strings.Contains(issuer, "https://") || !strings.Contains(issuer, poolID) {
			t.Errorf("JWT issuer %s, want https://<the pool's provider name>", issuer)
		}
		if js(a.Properties["IdentitySource"]) != `["$request.header.Authorization"]` {
			t.Errorf("identity source %s, want the Authorization header", js(a.Properties["IdentitySource"]))
		}
	})
}

func TestAPIStageAndCORS(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		_, st := s.template.at(t, "Api/DefaultStage/Resource")
		p := st.Properties
		if p["StageName"] != "$default" || p["AutoDeploy"] != true {
			t.Errorf("stage %v autoDeploy %v, want $default, auto-deployed", p["StageName"], p["AutoDeploy"])
		}
		if prop(p, "DefaultRouteSettings", "ThrottlingRateLimit") != s.config.ThrottleRate ||
			prop(p, "DefaultRouteSettings", "ThrottlingBurstLimit") != float64(s.config.ThrottleBurst) {
			t.Errorf("throttling %s, want the stage's %v/%d", js(p["DefaultRouteSettings"]), s.config.ThrottleRate, s.config.ThrottleBurst)
		}
		if prop(p, "AccessLogSettings", "DestinationArn") == nil || !strings.Contains(js(prop(p, "AccessLogSettings", "Format")), "$context.requestId") {
			t.Errorf("access logs %s, want JSON lines to the access log group", js(p["AccessLogSettings"]))
		}
		_, api := s.template.at(t, "Api/Api/Resource")
		cors := api.Properties["CorsConfiguration"]
		if js(prop(cors, "AllowOrigins")) != js(s.config.Origins()) {
			t.Errorf("CORS origins %s, want the front end's %s", js(prop(cors, "AllowOrigins")), js(s.config.Origins()))
		}
		// A browser's POST with Idempotency-Key is preflighted; without the
		// header here the browser never sends it.
		for _, h := range []string{"authorization", "content-type", "idempotency-key"} {
			if !slices.Contains(strs(prop(cors, "AllowHeaders")), h) {
				t.Errorf("CORS headers %s lack %s", js(prop(cors, "AllowHeaders")), h)
			}
		}
		if prop(cors, "AllowCredentials") == true {
			t.Error("CORS allows credentials (cookies); the API takes bearer tokens only")
		}
		logID, logs := s.template.at(t, "Api/AccessLogs/Resource")
		if logs.Properties["RetentionInDays"] != float64(s.config.LogRetentionDays) {
			t.Errorf("access logs kept %v days, want %d", logs.Properties["RetentionInDays"], s.config.LogRetentionDays)
		}
		if js(prop(p, "AccessLogSettings", "DestinationArn")) != js(map[string]any{"Fn::GetAtt": []string{logID, "Arn"}}) {
			t.Error("access logs go elsewhere than the API's log group")
		}
	})
}

// autoDelete is the path of the Node.js provider CDK adds to empty buckets
// of ephemeral stages before deleting them; it is CDK's, not ours.
const autoDelete = "Custom::S3AutoDeleteObjectsCustomResourceProvider/"

// siteDeployment is the path prefix of CDK's bucket deployment handler
// (Python, the AWS CLI), which copies the app's files at deploy time; its
// findings are suppressed with reasons in constructs/edge.
const siteDeployment = "Custom::CDKBucketDeployment"

// sdkCallHandler is the path prefix of CDK's AwsCustomResource handler
// (Node.js), which sets the photo bucket's CORS rule in stages without a
// Web.Domain.
const sdkCallHandler = "AWS679f53fac002430cb0da5b7982bd2287"

// ours drops CDK's auto-delete provider and bucket deployment handler from
// a list of logical ids.
func ours(tpl template, ids []string) []string {
	return slices.DeleteFunc(slices.Clone(ids), func(id string) bool {
		p := tpl.Resources[id].path()
		return strings.HasPrefix(p, autoDelete) || strings.HasPrefix(p, siteDeployment) || strings.HasPrefix(p, sdkCallHandler)
	})
}

func TestAutoDeleteOnlyInEphemeralStages(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		all := slices.DeleteFunc(s.template.ofType("AWS::Lambda::Function"), func(id string) bool {
			p := s.template.Resources[id].path()
			return strings.HasPrefix(p, siteDeployment) || strings.HasPrefix(p, sdkCallHandler)
		})
		has := len(all) != len(ours(s.template, all))
		if has != (s.config.Removal == stage.Destroy) {
			t.Errorf("S3 auto-delete provider present: %v, for removal %v: only stages that destroy their data may empty buckets", has, s.config.Removal)
		}
	})
}

func TestFunctionsAreGoOnGraviton(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		fns := ours(s.template, s.template.ofType("AWS::Lambda::Function"))
		if want := len(routes.Functions()) + 4; len(fns) != want {
			t.Errorf("%d functions, want %d (API functions and four triggers)", len(fns), want)
		}
		for _, id := range fns {
			p := s.template.Resources[id].Properties
			if p["Runtime"] != "provided.al2023" || js(p["Architectures"]) != `["arm64"]` || p["Handler"] != "bootstrap" {
				t.Errorf("%s: %v %s %v, want provided.al2023 on arm64 running bootstrap", id, p["Runtime"], js(p["Architectures"]), p["Handler"])
			}
			if prop(p, "TracingConfig", "Mode") != "Active" {
				t.Errorf("%s: tracing %s, want Active", id, js(p["TracingConfig"]))
			}
			if prop(p, "LoggingConfig", "LogFormat") != "JSON" {
				t.Errorf("%s: log format %s, want JSON", id, js(p["LoggingConfig"]))
			}
			lg, _ := prop(p, "LoggingConfig", "LogGroup", "Ref").(string)
			if got := prop(s.template.Resources[lg].Properties, "RetentionInDays"); got != float64(s.config.LogRetentionDays) {
				t.Errorf("%s: log group %q keeps %v days, want %d", id, lg, got, s.config.LogRetentionDays)
			}
			if !strings.HasSuffix(js(prop(p, "Code", "S3Key")), `.zip"`) {
				t.Errorf("%s: code %s is not a bundled asset", id, js(p["Code"]))
			}
		}
	})
}

// statements returns every statement of every IAM policy attached to the
// role with logical id roleID (inline policies and AWS::IAM::Policy).
func statements(tpl template, roleID string) []any {
	var out []any
	for _, pid := range tpl.ofType("AWS::IAM::Policy") {
		p := tpl.Resources[pid].Properties
		if slices.Contains(strs(jsRefs(p["Roles"])), roleID) {
			out = append(out, prop(p, "PolicyDocument", "Statement").([]any)...)
		}
	}
	for _, pol := range asList(tpl.Resources[roleID].Properties["Policies"]) {
		out = append(out, prop(pol, "PolicyDocument", "Statement").([]any)...)
	}
	return out
}

func jsRefs(v any) []any {
	var out []any
	for _, x := range asList(v) {
		out = append(out, prop(x, "Ref"))
	}
	return out
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func TestLeastPrivilege(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		for _, id := range ours(s.template, s.template.ofType("AWS::IAM::Role")) {
			if m := s.template.Resources[id].Properties["ManagedPolicyArns"]; m != nil {
				t.Errorf("role %s has managed policies %s", id, js(m))
			}
			for _, st := range statements(s.template, id) {
				for _, a := range append(strs(prop(st, "Action")), fmt.Sprint(prop(st, "Action"))) {
					if a == "*" || strings.HasSuffix(a, ":*") {
						t.Errorf("role %s allows %s", id, a)
					}
				}
			}
		}
		// Each function may touch only its own table (and the photos its
		// bucket); the two with an Idempotency-Key route, the idempotency
		// table's single items too, never a Query or Scan of it.
		idemID, _ := s.template.at(t, title(schema.Idempotency.Name)+"Table/Table/Resource")
		for _, fn := range []string{"TodosFunction", "PhotosFunction"} {
			roleID, _ := s.template.at(t, fn+"/Role/Resource")
			for _, st := range statements(s.template, roleID) {
				if !strings.Contains(js(prop(st, "Resource")), idemID) {
					continue
				}
				if got, want := strs(prop(st, "Action")), []string{"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}; !slices.Equal(sorted(got), want) {
					t.Errorf("%s may %v on the idempotency table, want %v", fn, got, want)
				}
			}
		}
		for fn, tables := range map[string][]string{
			"TodosFunction":      {schema.Todos.Name, schema.Idempotency.Name, schema.Usage.Name},
			"PhotosFunction":     {schema.Photos.Name, schema.Idempotency.Name, schema.Usage.Name},
			"ProfileFunction":    {schema.Profiles.Name},
			"RandomFunction":     {},
			"PostConfirmation":   {schema.Profiles.Name},
			"PreSignUp":          {},
			"CustomMessage":      {},
			"PreTokenGeneration": {},
		} {
			roleID, _ := s.template.at(t, fn+"/Role/Resource")
			doc := js(statements(s.template, roleID))
			for _, table := range schema.Tables() {
				tableID, _ := s.template.at(t, title(table.Name)+"Table/Table/Resource")
				if touches := strings.Contains(doc, tableID); touches != slices.Contains(tables, table.Name) {
					t.Errorf("%s reaches the %s table: %v, want %v", fn, table.Name, touches, !touches)
				}
			}
			if strings.Contains(doc, "/index/") {
				t.Errorf("%s is granted table indexes it does not use", fn)
			}
			bucketID, _ := s.template.at(t, "Photos/Bucket/Resource")
			if touches := strings.Contains(doc, bucketID); touches != (fn == "PhotosFunction") {
				t.Errorf("%s reaches the photo bucket: %v", fn, touches)
			}
		}
	})
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestIdentityPoolRoleIsScopedToTheCaller(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		roleID, _ := s.template.at(t, "Identity/AuthenticatedRole/Resource")
		sts := statements(s.template, roleID)
		todosID, _ := s.template.at(t, "TodosTable/Table/Resource")
		bucketID, _ := s.template.at(t, "Photos/Bucket/Resource")
		var dynamo, objects, invoke bool
		for _, st := range sts {
			res := js(prop(st, "Resource"))
			switch {
			case strings.Contains(js(prop(st, "Action")), "dynamodb:"):
				dynamo = true
				if !strings.Contains(res, todosID) {
					t.Errorf("identity role reaches DynamoDB beyond the todos table: %s", res)
				}
				if got := js(prop(st, "Condition", "ForAllValues:StringEquals", "dynamodb:LeadingKeys")); got != `["${cognito-identity.amazonaws.com:sub}"]` {
					t.Errorf("DynamoDB grant LeadingKeys = %s, want the caller's identity id", got)
				}
			case strings.Contains(js(prop(st, "Action")), "s3:ListBucket"):
				if got := js(prop(st, "Condition", "StringLike", "s3:prefix")); got != `["private/${cognito-identity.amazonaws.com:sub}/*"]` {
					t.Errorf("ListBucket prefix = %s, want the caller's folder", got)
				}
			case strings.Contains(js(prop(st, "Action")), "s3:"):
				objects = true
				if !strings.Contains(res, bucketID) || !strings.Contains(res, `/private/${cognito-identity.amazonaws.com:sub}/*`) {
					t.Errorf("S3 grant on %s, want private/${cognito-identity.amazonaws.com:sub}/* of the photo bucket", res)
				}
			case strings.Contains(js(prop(st, "Action")), "execute-api:Invoke"):
				invoke = true
				for _, r := range asList(prop(st, "Resource")) {
					if !strings.Contains(js(r), "/iam/") {
						t.Errorf("execute-api:Invoke on %s, a route that is not an IAM route", js(r))
					}
				}
				var want int
				for _, r := range routes.All() {
					if r.Auth == routes.IAM {
						want++
					}
				}
				if n := len(asList(prop(st, "Resource"))); n != want {
					t.Errorf("execute-api:Invoke on %d routes, want the %d IAM routes", n, want)
				}
			default:
				t.Errorf("identity role has an unexpected statement %s", js(st))
			}
		}
		if !dynamo || !objects || !invoke {
			t.Errorf("identity role grants DynamoDB %v, S3 %v, execute-api %v; want all three", dynamo, objects, invoke)
		}
	})
}

func TestTablesAndBucket(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		retain := s.config.Removal == stage.Retain
		for _, table := range schema.Tables() {
			_, r := s.template.at(t, title(table.Name)+"Table/Table/Resource")
			p := r.Properties
			keys := js(p["KeySchema"])
			if !strings.Contains(keys, `"AttributeName":"`+table.PartitionKey+`","KeyType":"HASH"`) ||
				(table.SortKey != "" && !strings.Contains(keys, `"AttributeName":"`+table.SortKey+`","KeyType":"RANGE"`)) {
				t.Errorf("%s keys %s, want %s/%s", table.Name, keys, table.PartitionKey, table.SortKey)
			}
			if p["BillingMode"] != "PAY_PER_REQUEST" || prop(p, "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled") != true ||
				prop(p, "SSESpecification", "SSEEnabled") != true {
				t.Errorf("%s: billing %v, PITR %s, SSE %s; want on-demand, PITR and KMS encryption", table.Name, p["BillingMode"], js(p["PointInTimeRecoverySpecification"]), js(p["SSESpecification"]))
			}
			if (p["DeletionProtectionEnabled"] == true) != retain || (r.DeletionPolicy == "Retain") != retain {
				t.Errorf("%s: deletion protection %v, policy %s, for removal %v", table.Name, p["DeletionProtectionEnabled"], r.DeletionPolicy, s.config.Removal)
			}
		}
		_, b := s.template.at(t, "Photos/Bucket/Resource")
		p := b.Properties
		if js(p["PublicAccessBlockConfiguration"]) != `{"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":true}` {
			t.Errorf("photo bucket public access block %s", js(p["PublicAccessBlockConfiguration"]))
		}
		if p["BucketEncryption"] == nil || prop(p, "LoggingConfiguration", "DestinationBucketName") == nil {
			t.Errorf("photo bucket encryption %s, logging %s", js(p["BucketEncryption"]), js(p["LoggingConfiguration"]))
		}
		if !strings.Contains(js(p["LifecycleConfiguration"]), "AbortIncompleteMultipartUpload") {
			t.Errorf("photo bucket lifecycle %s does not abort incomplete uploads", js(p["LifecycleConfiguration"]))
		}
		want := fmt.Sprintf(`{"ExpirationInDays":%d,"Id":"expire-uploads","Prefix":%q,"Status":"Enabled"}`, schema.UploadDays, schema.UploadPrefix)
		if !strings.Contains(js(p["LifecycleConfiguration"]), want) {
			t.Errorf("photo bucket lifecycle %s does not expire uncompleted uploads (%s)", js(p["LifecycleConfiguration"]), want)
		}
		if (b.DeletionPolicy == "Retain") != retain {
			t.Errorf("photo bucket deletion policy %s for removal %v", b.DeletionPolicy, s.config.Removal)
		}
		_, pol := s.template.at(t, "Photos/Bucket/Policy/Resource")
		if doc := js(pol.Properties["PolicyDocument"]); !strings.Contains(doc, `"aws:SecureTransport":"false"`) {
			t.Errorf("photo bucket policy does not refuse plain HTTP: %s", doc)
		}
	})
}

func TestTriggersWired(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		_, pool := s.template.at(t, "Users/Pool/Resource")
		for cfg, fn := range map[string]string{"PreSignUp": "PreSignUp", "CustomMessage": "CustomMessage", "PostConfirmation": "PostConfirmation"} {
			fnID, _ := s.template.at(t, fn+"/Function/Resource")
			if got := js(prop(pool.Properties, "LambdaConfig", cfg)); got != js(map[string]any{"Fn::GetAtt": []string{fnID, "Arn"}}) {
				t.Errorf("LambdaConfig.%s = %s, want the %s function", cfg, got, fn)
			}
		}
		fnID, fn := s.template.at(t, "PreTokenGeneration/Function/Resource")
		name, _ := fn.Properties["FunctionName"].(string)
		cfg := prop(pool.Properties, "LambdaConfig", "PreTokenGenerationConfig")
		if arn := joined(prop(cfg, "LambdaArn")); name == "" || !strings.HasSuffix(arn, ":function:"+name) || prop(cfg, "LambdaVersion") != "V2_0" {
			t.Errorf("PreTokenGenerationConfig = %s, want version V2_0 of the function named %q", js(cfg), name)
		}
		var invokable bool
		for _, id := range s.template.ofType("AWS::Lambda::Permission") {
			p := s.template.Resources[id].Properties
			if js(p["FunctionName"]) == js(map[string]any{"Fn::GetAtt": []string{fnID, "Arn"}}) && p["Principal"] == "cognito-idp.amazonaws.com" &&
				js(p["SourceArn"]) == js(map[string]any{"Fn::GetAtt": []string{mustAt(t, s.config.Name, "Users/Pool/Resource"), "Arn"}}) {
				invokable = true
			}
		}
		if !invokable {
			t.Error("no permission lets this pool (and only it) invoke the pre token generation trigger")
		}
	})
}

// TestTriggerScopesPerClient: the pre token generation trigger adds to a
// client's SDK sign-in tokens only the API scopes that client may request
// (its AllowedOAuthScopes), and knows no client but the stage's own. The
// CLI client, which has no OAuth scopes, gets the SPA's: it signs the same
// users in from a terminal.
func TestTriggerScopesPerClient(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		_, fn := s.template.at(t, "PreTokenGeneration/Function/Resource")
		vars := prop(fn.Properties, "Environment", "Variables").(map[string]any)
		for k := range vars {
			if k != schema.ClientScopesEnv {
				t.Errorf("trigger environment %s: want only %s", k, schema.ClientScopesEnv)
			}
		}
		var grants map[string][]string // client logical id -> scopes
		if err := json.Unmarshal([]byte(joined(vars[schema.ClientScopesEnv])), &grants); err != nil {
			t.Fatalf("%s = %s: %v", schema.ClientScopesEnv, js(vars[schema.ClientScopesEnv]), err)
		}
		want := map[string][]string{}
		for _, id := range s.template.ofType("AWS::Cognito::UserPoolClient") {
			var api []string
			for _, sc := range strs(s.template.Resources[id].Properties["AllowedOAuthScopes"]) {
				if strings.HasPrefix(sc, routes.ResourceServerID+"/") {
					api = append(api, sc)
				}
			}
			want[id] = api
		}
		if s.config.CLIClient {
			spa, _ := s.template.at(t, contract.SPAClientPath+"/Resource")
			cli, _ := s.template.at(t, contract.CLIClientPath+"/Resource")
			want[cli] = want[spa]
		}
		if js(grants) != js(want) {
			t.Errorf("trigger grants %s, want each client's allowed API scopes %s", js(grants), js(want))
		}
	})
}

// joined renders {"Fn::Join": ["", parts]} with each {"Ref": id} as id; a
// plain string as itself.
func joined(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	parts := asList(prop(v, "Fn::Join"))
	if len(parts) != 2 {
		return ""
	}
	var b strings.Builder
	for _, p := range asList(parts[1]) {
		switch x := p.(type) {
		case string:
			b.WriteString(x)
		default:
			if id, ok := prop(x, "Ref").(string); ok {
				b.WriteString(id)
			}
		}
	}
	return b.String()
}
