package test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/contract/schema"
	"github.com/portcullis-cdk/portcullis/internal/devstack"
	"github.com/portcullis-cdk/portcullis/internal/protocol/iam"
	"github.com/portcullis-cdk/portcullis/lambdas/httpapi"
	"github.com/portcullis-cdk/portcullis/stage"
)

// TestIAMRoutesTrustTheStagesIdentityPool: every function serving an IAM
// route is told the stage's identity pool, the only one whose identities
// its handlers accept, and no other function is.
func TestIAMRoutesTrustTheStagesIdentityPool(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		poolID, _ := s.template.at(t, "Identity/Pool")
		iam := map[routes.Function]bool{}
		for _, r := range routes.All() {
			iam[r.Function] = iam[r.Function] || r.Auth == routes.IAM
		}
		for _, fn := range routes.Functions() {
			_, res := s.template.at(t, title(string(fn))+"Function/Function/Resource")
			got := prop(res.Properties, "Environment", "Variables", schema.IdentityPoolEnv)
			switch {
			case iam[fn] && js(got) != js(map[string]any{"Ref": poolID}):
				t.Errorf("%s function %s = %s, want the stage's identity pool %s", fn, schema.IdentityPoolEnv, js(got), poolID)
			case !iam[fn] && got != nil:
				t.Errorf("%s function serves no IAM route but has %s", fn, schema.IdentityPoolEnv)
			}
		}
	})
}

// TestGroupsAreTheRoles: the pool has the stage's Cognito groups (admins
// by default), each in the stage's pool, in the order of the config.
func TestGroupsAreTheRoles(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		poolID, _ := s.template.at(t, "Users/Pool/Resource")
		want := s.config.Groups
		if want == nil {
			want = stage.DefaultGroups()
		}
		got := map[string]float64{}
		for _, id := range s.template.ofType("AWS::Cognito::UserPoolGroup") {
			p := s.template.Resources[id].Properties
			if js(p["UserPoolId"]) != js(map[string]any{"Ref": poolID}) {
				t.Errorf("group %s belongs to %s, not the stage's pool", id, js(p["UserPoolId"]))
			}
			name, _ := p["GroupName"].(string)
			got[name], _ = p["Precedence"].(float64)
		}
		if len(got) != len(want) {
			t.Errorf("groups %v, want %v", got, want)
		}
		for i, g := range want {
			if p, ok := got[g]; !ok || p != float64(i) {
				t.Errorf("group %q: present %v, precedence %v; want precedence %d", g, ok, p, i)
			}
		}
	})
	if !slices.Contains(stage.DefaultGroups(), "admins") {
		t.Error("the default groups lack admins")
	}
}

// TestPhoneSignUpLimitedToCallingCodes: the pre sign-up trigger gets the
// stage's allowed calling codes; a stage that sends SMS names some (or,
// with none, refuses phone sign-up), and prod sends none.
func TestPhoneSignUpLimitedToCallingCodes(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		_, fn := s.template.at(t, "PreSignUp/Function/Resource")
		got := prop(fn.Properties, "Environment", "Variables", schema.AllowedCallingCodesEnv)
		if want := strings.Join(s.config.AllowedCallingCodes, ","); got != want {
			t.Errorf("%s = %v, want the stage's %q", schema.AllowedCallingCodesEnv, got, want)
		}
		if s.config.SignIn == auth.SignInPhone && len(s.config.AllowedCallingCodes) == 0 {
			t.Error("phone-only sign-in with no allowed calling code")
		}
	})
}

// TestPhotoWritesBounded: the photo bucket's policy, evaluated with the
// project's IAM evaluator, denies every principal a write that names a
// storage class other than STANDARD or asks for no server-side encryption,
// and leaves the photos function's writes (presigned PUT, copy: encrypted,
// no storage class) alone; identity-pool callers may not write at all
// (photos go through the API, which bounds size and content type).
func TestPhotoWritesBounded(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		bucketID, _ := s.template.at(t, "Photos/Bucket/Resource")
		_, pol := s.template.at(t, "Photos/Bucket/Policy/Resource")
		names := devstack.Names{Region: "us-east-1", AccountID: "111111111111", Buckets: map[string]string{bucketID: "photos"}}
		policies, err := names.Policies([]devstack.RolePolicy{{Name: "photo bucket", Document: mustJSON(t, pol.Properties["PolicyDocument"])}})
		if err != nil {
			t.Fatal(err)
		}
		// The write bounds; the TLS statements use NumericLessThan, which
		// the evaluator does not read, and TestTablesAndBucket checks them.
		bounds := iam.Policy{Name: "photo bucket write bounds"}
		for _, st := range policies[0].Statements {
			if st.Sid == "DenyStorageClassOtherThanStandard" || st.Sid == "DenyWritesWithoutServerSideEncryption" {
				bounds.Statements = append(bounds.Statements, st)
			}
		}
		if len(bounds.Statements) != 2 {
			t.Fatalf("photo bucket policy %s lacks the storage-class and encryption denies", js(pol.Properties["PolicyDocument"]))
		}
		for _, c := range []struct {
			name       string
			headers    map[string][]string
			wantDenied bool
		}{
			{"encrypted, no storage class (the function's presigned PUT and copy)", map[string][]string{"s3:x-amz-server-side-encryption": {"AES256"}}, false},
			{"encrypted, STANDARD", map[string][]string{"s3:x-amz-server-side-encryption": {"AES256"}, "s3:x-amz-storage-class": {"STANDARD"}}, false},
			{"encrypted with KMS", map[string][]string{"s3:x-amz-server-side-encryption": {"aws:kms"}}, false},
			{"DEEP_ARCHIVE", map[string][]string{"s3:x-amz-server-side-encryption": {"AES256"}, "s3:x-amz-storage-class": {"DEEP_ARCHIVE"}}, true},
			{"GLACIER_IR", map[string][]string{"s3:x-amz-server-side-encryption": {"AES256"}, "s3:x-amz-storage-class": {"GLACIER_IR"}}, true},
			{"no encryption asked for", map[string][]string{}, true},
		} {
			req := iam.Request{
				Action: "s3:PutObject", Resource: "arn:aws:s3:::photos/" + schema.PhotoPrefix + "someone/photo",
				Context:   c.headers,
				Principal: iam.Principal{Type: "AWS", ID: "arn:aws:sts::111111111111:assumed-role/PhotosFunctionRole/photos"},
			}
			d := iam.Evaluate(req, bounds)
			if denied := d.Effect == iam.ExplicitDeny; denied != c.wantDenied {
				t.Errorf("%s: denied %v, want %v (%s)", c.name, denied, c.wantDenied, d.Reason)
			}
		}

		roleID, _ := s.template.at(t, "Identity/AuthenticatedRole/Resource")
		for _, st := range statements(s.template, roleID) {
			if actions := strs(prop(st, "Action")); slices.Contains(actions, "s3:PutObject") || prop(st, "Action") == "s3:PutObject" {
				t.Errorf("identity-pool callers may write objects directly: %s", js(st))
			}
		}
	})
}

// TestQuotasCounted: the todos and photos functions get the stage's quotas
// (defaults where it sets none) and may only read and update single items
// of the usage table; identity-pool callers cannot reach it, so no direct
// write resets a count.
func TestQuotasCounted(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		q, d := s.config.Quotas, stage.DefaultQuotas()
		or := func(v, def int64) int64 {
			if v == 0 {
				return def
			}
			return v
		}
		usageID, _ := s.template.at(t, title(schema.Usage.Name)+"Table/Table/Resource")
		for fn, want := range map[string]map[string]string{
			"TodosFunction":  {schema.TodosQuotaEnv: fmt.Sprint(or(q.Todos, d.Todos))},
			"PhotosFunction": {schema.PhotosQuotaEnv: fmt.Sprint(or(q.Photos, d.Photos)), schema.PhotoBytesQuotaEnv: fmt.Sprint(or(q.PhotoBytes, d.PhotoBytes))},
		} {
			_, res := s.template.at(t, fn+"/Function/Resource")
			vars := prop(res.Properties, "Environment", "Variables")
			for k, v := range want {
				if got := prop(vars, k); got != v {
					t.Errorf("%s %s = %v, want %s", fn, k, got, v)
				}
			}
			if got := prop(vars, schema.Usage.Env); js(got) != js(map[string]any{"Ref": usageID}) {
				t.Errorf("%s %s = %s, want the usage table", fn, schema.Usage.Env, js(got))
			}
			roleID, _ := s.template.at(t, fn+"/Role/Resource")
			for _, st := range statements(s.template, roleID) {
				if !strings.Contains(js(prop(st, "Resource")), usageID) {
					continue
				}
				for _, a := range append(strs(prop(st, "Action")), fmt.Sprint(prop(st, "Action"))) {
					if strings.HasPrefix(a, "dynamodb:") && a != "dynamodb:GetItem" && a != "dynamodb:UpdateItem" {
						t.Errorf("%s may %s on the usage table", fn, a)
					}
				}
			}
		}
		roleID, _ := s.template.at(t, "Identity/AuthenticatedRole/Resource")
		if strings.Contains(js(statements(s.template, roleID)), usageID) {
			t.Error("identity-pool callers reach the usage table")
		}
	})
}

// TestAPIOnlyThroughTheDistribution: a stage with a domain disables the
// API's execute-api endpoint and maps the API to its own custom domain
// (TLS 1.2, the stage's regional certificate), which the distribution's
// /api/* behaviour and the ApiUrl output name; a stage without one keeps
// the endpoint (its front end calls it directly).
func TestAPIOnlyThroughTheDistribution(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		apiID, api := s.template.at(t, "Api/Api/Resource")
		domains := s.template.ofType("AWS::ApiGatewayV2::DomainName")
		if s.config.Web.Domain == "" {
			if api.Properties["DisableExecuteApiEndpoint"] == true || len(domains) != 0 {
				t.Errorf("a stage without a domain: DisableExecuteApiEndpoint %v, domain names %v", api.Properties["DisableExecuteApiEndpoint"], domains)
			}
			return
		}
		if api.Properties["DisableExecuteApiEndpoint"] != true {
			t.Error("the execute-api endpoint answers beside the distribution")
		}
		domainID, dn := s.template.at(t, "ApiDomain/Resource")
		if dn.Properties["DomainName"] != "api."+s.config.Web.Domain ||
			js(prop(dn.Properties, "DomainNameConfigurations")) != js([]any{map[string]any{
				"CertificateArn": s.config.Web.APICertificateARN, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}}) {
			t.Errorf("API domain %s", js(dn.Properties))
		}
		var mapped bool
		for _, id := range s.template.ofType("AWS::ApiGatewayV2::ApiMapping") {
			p := s.template.Resources[id].Properties
			mapped = mapped || js(p["ApiId"]) == js(map[string]any{"Ref": apiID}) && js(p["DomainName"]) == js(map[string]any{"Ref": domainID})
		}
		if !mapped {
			t.Error("the API is not mapped to its custom domain")
		}
		if out := js(s.template.Outputs["ApiUrl"]); !strings.Contains(out, domainID) {
			t.Errorf("ApiUrl output %s does not name the custom domain", out)
		}
	})
}

// TestAccessLogsNameNoOne: the API's access log records the caller's hash
// (the caller_hash claim the pre token generation trigger adds), never the
// sub or the identity id.
func TestAccessLogsNameNoOne(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		_, st := s.template.at(t, "Api/DefaultStage/Resource")
		format, _ := prop(st.Properties, "AccessLogSettings", "Format").(string)
		for _, raw := range []string{"claims.sub", "cognitoIdentityId", "cognitoIdentityPoolId", `$context.identity.user"`, "$context.identity.userArn"} {
			if strings.Contains(format, raw) {
				t.Errorf("access log format records %s: %s", raw, format)
			}
		}
		if !strings.Contains(format, `"caller":"$context.authorizer.claims.`+httpapi.CallerClaim+`"`) {
			t.Errorf("access log format %s lacks the caller's hash", format)
		}
	})
}
