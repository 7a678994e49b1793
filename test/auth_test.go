package test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/portcullis-cdk/portcullis/constructs/auth"
	"github.com/portcullis-cdk/portcullis/contract"
	"github.com/portcullis-cdk/portcullis/contract/routes"
	"github.com/portcullis-cdk/portcullis/stage"
)

// each runs f for every synthesized stage.
func each(t *testing.T, f func(t *testing.T, s *synthesized)) {
	t.Helper()
	for _, cfg := range stage.Stages() {
		s := stages[cfg.Name]
		t.Run(cfg.Name, func(t *testing.T) { f(t, s) })
	}
}

func TestSPAClientIsPublicCodeFlowOnly(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		_, c := s.template.at(t, contract.SPAClientPath+"/Resource")
		if g := c.Properties["GenerateSecret"]; g != nil && g != false {
			t.Errorf("SPA client GenerateSecret = %v, want none: a browser cannot keep a secret", g)
		}
		if got := js(c.Properties["AllowedOAuthFlows"]); got != `["code"]` {
			t.Errorf("SPA AllowedOAuthFlows = %s, want only [\"code\"] (never implicit)", got)
		}
		if c.Properties["AllowedOAuthFlowsUserPoolClient"] != true {
			t.Error("SPA client does not enable its OAuth flows")
		}
		// The stage's, and the app's own (TestEdgeAppURLRegistered).
		if got := strs(c.Properties["CallbackURLs"]); !slices.Equal(got[:min(len(got), len(s.config.CallbackURLs))], s.config.CallbackURLs) {
			t.Errorf("SPA CallbackURLs = %v, want the stage's %v first", got, s.config.CallbackURLs)
		}
		for _, u := range slices.Concat(strs(c.Properties["CallbackURLs"]), strs(c.Properties["LogoutURLs"])) {
			if s.config.Production && auth.IsLocalhost(u) {
				t.Errorf("production SPA client allows localhost URL %q", u)
			}
		}
	})
	if !slices.ContainsFunc(strs(prop(stages["dev"].template.Resources[mustAt(t, "dev", contract.SPAClientPath+"/Resource")].Properties, "CallbackURLs")), auth.IsLocalhost) {
		t.Error("dev SPA client has no localhost callback: local front-end development would not work")
	}
}

func TestServerClientHasSecretAndCodeFlow(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		_, c := s.template.at(t, contract.ServerClientPath+"/Resource")
		if c.Properties["GenerateSecret"] != true {
			t.Error("server client has no secret; its token call (client credentials) uses Basic auth with one")
		}
		if got := js(c.Properties["AllowedOAuthFlows"]); got != `["code"]` {
			t.Errorf("server AllowedOAuthFlows = %s, want [\"code\"]", got)
		}
		// Its own redirect URIs: a code sent to the SPA's page is one only
		// the server can redeem, and the SPA's page is no place for it.
		_, spa := s.template.at(t, contract.SPAClientPath+"/Resource")
		got := strs(c.Properties["CallbackURLs"])
		if !slices.Equal(got, s.config.ServerCallbackURLs) {
			t.Errorf("server CallbackURLs = %v, want the stage's ServerCallbackURLs %v", got, s.config.ServerCallbackURLs)
		}
		for _, u := range got {
			if slices.Contains(strs(spa.Properties["CallbackURLs"]), u) {
				t.Errorf("server client shares the SPA's callback URL %q", u)
			}
		}
	})
}

func TestClientsShareSecureSettings(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		for _, name := range []string{contract.SPAClient, contract.ServerClient} {
			_, c := s.template.at(t, contract.Clients+"/"+name+"/Resource")
			p := c.Properties
			// The SPA also signs in by choice (USER_AUTH), and rotates its
			// refresh tokens, which takes REFRESH_TOKEN_AUTH away (the
			// client refreshes with GetTokensFromRefreshToken).
			want, rotation := `["ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH"]`, "null"
			if name == contract.SPAClient {
				want = `["ALLOW_USER_SRP_AUTH","ALLOW_USER_AUTH"]`
				rotation = fmt.Sprintf(`{"Feature":"ENABLED","RetryGracePeriodSeconds":%v}`, stage.RefreshTokenRotationGrace.Seconds())
			}
			if got := js(p["ExplicitAuthFlows"]); got != want {
				t.Errorf("%s ExplicitAuthFlows = %s, want %s", name, got, want)
			}
			if got := js(p["RefreshTokenRotation"]); got != rotation {
				t.Errorf("%s RefreshTokenRotation = %s, want %s", name, got, rotation)
			}
			if p["EnableTokenRevocation"] != true {
				t.Errorf("%s: token revocation is off", name)
			}
			if p["PreventUserExistenceErrors"] != "ENABLED" {
				t.Errorf("%s PreventUserExistenceErrors = %v, want ENABLED", name, p["PreventUserExistenceErrors"])
			}
			if got, want := p["AccessTokenValidity"], s.config.AccessTokenValidity.Minutes(); got != want {
				t.Errorf("%s AccessTokenValidity = %v, want %v (minutes, from the stage config)", name, got, want)
			}
			if got, want := p["IdTokenValidity"], s.config.IDTokenValidity.Minutes(); got != want {
				t.Errorf("%s IdTokenValidity = %v, want %v", name, got, want)
			}
			if got, want := p["RefreshTokenValidity"], s.config.RefreshTokenValidity.Minutes(); got != want {
				t.Errorf("%s RefreshTokenValidity = %v, want %v", name, got, want)
			}
			if got := js(p["TokenValidityUnits"]); got != `{"AccessToken":"minutes","IdToken":"minutes","RefreshToken":"minutes"}` {
				t.Errorf("%s TokenValidityUnits = %s, want minutes for all", name, got)
			}
			scopes := strs(p["AllowedOAuthScopes"])
			// Only the SPA's users manage their own account with the access
			// token (profile, TOTP): the server client's tokens cannot.
			if got, want := slices.Contains(scopes, "aws.cognito.signin.user.admin"), name == contract.SPAClient; got != want {
				t.Errorf("%s client may request aws.cognito.signin.user.admin: %v, want %v", name, got, want)
			}
			for _, sc := range routes.ScopeDescriptions {
				if !slices.Contains(scopes, routes.FullScope(sc.Name)) {
					t.Errorf("%s client cannot request scope %s", name, routes.FullScope(sc.Name))
				}
			}
		}
	})
}

// The command-line sign-in `make dev` prints (USER_PASSWORD_AUTH) works
// on the deployed dev stage through a client of its own: public, that
// flow and refresh only, no OAuth flow, and the secure settings of the
// others. Prod has none.
func TestCLIClient(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		var found []string
		for id, r := range s.template.Resources {
			if r.Type == "AWS::Cognito::UserPoolClient" && slices.Contains(strs(r.Properties["ExplicitAuthFlows"]), "ALLOW_USER_PASSWORD_AUTH") {
				found = append(found, r.path())
				if r.path() != contract.CLIClientPath+"/Resource" {
					t.Errorf("client %s (%s) allows USER_PASSWORD_AUTH", id, r.path())
				}
			}
		}
		_, hasOutput := s.template.Outputs[contract.OutputCLIClientID]
		if !s.config.CLIClient {
			if len(found) != 0 || hasOutput {
				t.Errorf("clients %v allow USER_PASSWORD_AUTH (output %v) in a stage without CLIClient", found, hasOutput)
			}
			return
		}
		id, c := s.template.at(t, contract.CLIClientPath+"/Resource")
		if !hasOutput || js(s.template.Outputs[contract.OutputCLIClientID].Value) != ref(id) {
			t.Errorf("output %s does not name the CLI client %s", contract.OutputCLIClientID, id)
		}
		p := c.Properties
		for prop, want := range map[string]string{
			"GenerateSecret":                  "false",
			"ExplicitAuthFlows":               `["ALLOW_USER_PASSWORD_AUTH","ALLOW_REFRESH_TOKEN_AUTH"]`,
			"AllowedOAuthFlowsUserPoolClient": "false",
			"AllowedOAuthFlows":               "null",
			"CallbackURLs":                    "null",
			"EnableTokenRevocation":           "true",
			"PreventUserExistenceErrors":      `"ENABLED"`,
			"AccessTokenValidity":             js(s.config.AccessTokenValidity.Minutes()),
			"IdTokenValidity":                 js(s.config.IDTokenValidity.Minutes()),
			"RefreshTokenValidity":            js(s.config.RefreshTokenValidity.Minutes()),
		} {
			if got := js(p[prop]); got != want {
				t.Errorf("CLI client %s = %s, want %s", prop, got, want)
			}
		}
	})
	if !stages["dev"].config.CLIClient || stages["prod"].config.CLIClient {
		t.Error("want a CLI client in dev and none in prod")
	}
}

func TestChoiceBasedSignIn(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		_, pool := s.template.at(t, "Users/Pool/Resource")
		p := pool.Properties
		want := []string{"PASSWORD"}
		if s.config.MFA != auth.MFARequired {
			// A pool that requires MFA offers no one-time-code first factor.
			if s.config.SignIn != auth.SignInPhone {
				want = append(want, "EMAIL_OTP")
			}
			if s.config.SignIn != auth.SignInEmail {
				want = append(want, "SMS_OTP")
			}
		}
		want = append(want, "WEB_AUTHN")
		if got := strs(prop(p, "Policies", "SignInPolicy", "AllowedFirstAuthFactors")); !slices.Equal(got, want) {
			t.Errorf("AllowedFirstAuthFactors = %v, want %v", got, want)
		}
		uv := "preferred"
		if s.config.Production {
			uv = "required"
		}
		if got := p["WebAuthnUserVerification"]; got != uv {
			t.Errorf("WebAuthnUserVerification = %v, want %s", got, uv)
		}
		// The relying party is the domain the app is served from.
		rp := js(p["WebAuthnRelyingPartyID"])
		if d := s.config.Web.Domain; d != "" {
			if rp != js(d) {
				t.Errorf("WebAuthnRelyingPartyID = %s, want the stage's Web.Domain %q", rp, d)
			}
		} else if want := `{"Fn::GetAtt":["EdgeDistribution0060737B","DomainName"]}`; rp != want {
			t.Errorf("WebAuthnRelyingPartyID = %s, want the distribution's domain name %s", rp, want)
		}
		// Passkeys as a first factor of a pool that requires MFA count as
		// two factors only with user verification.
		if got, want := p["WebAuthnFactorConfiguration"], map[bool]any{true: "MULTI_FACTOR_WITH_USER_VERIFICATION", false: nil}[s.config.MFA == auth.MFARequired]; got != want {
			t.Errorf("WebAuthnFactorConfiguration = %v, want %v", got, want)
		}
		if tier := p["UserPoolTier"]; tier != "ESSENTIALS" && tier != "PLUS" {
			t.Errorf("UserPoolTier = %v: passkeys and one-time codes need Essentials or Plus", tier)
		}
	})
}

func TestResourceServerDefinesAPIScopes(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		_, rs := s.template.at(t, contract.Clients+"/ResourceServer/Resource")
		if rs.Properties["Identifier"] != routes.ResourceServerID {
			t.Errorf("resource server Identifier = %v, want %q", rs.Properties["Identifier"], routes.ResourceServerID)
		}
		var names []string
		for _, sc := range rs.Properties["Scopes"].([]any) {
			names = append(names, prop(sc, "ScopeName").(string))
		}
		for _, want := range []string{"todos.read", "todos.write", "photos.read", "photos.write", "profile.read"} {
			if !slices.Contains(names, want) {
				t.Errorf("resource server lacks scope %q (has %v)", want, names)
			}
		}
	})
}

func TestSMSRoleTrustRequiresExternalID(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		if s.config.SignIn == auth.SignInEmail {
			t.Skip("an email-only pool sends no SMS (TestSMSOnlyWhereUsed)")
		}
		roleID, role := s.template.at(t, "Users/SMSRole/Resource")
		_, pool := s.template.at(t, "Users/Pool/Resource")
		ext := prop(pool.Properties, "SmsConfiguration", "ExternalId")
		if ext == nil || ext == "" {
			t.Fatal("user pool SmsConfiguration has no ExternalId")
		}
		if got := js(prop(pool.Properties, "SmsConfiguration", "SnsCallerArn")); got != js(map[string]any{"Fn::GetAtt": []string{roleID, "Arn"}}) {
			t.Errorf("SnsCallerArn = %s, want the SMS role's ARN", got)
		}
		stmts := prop(role.Properties, "AssumeRolePolicyDocument", "Statement").([]any)
		if len(stmts) != 1 {
			t.Fatalf("SMS role trust has %d statements, want 1", len(stmts))
		}
		st := stmts[0]
		if prop(st, "Principal", "Service") != "cognito-idp.amazonaws.com" {
			t.Errorf("SMS role trusts %s, want only cognito-idp.amazonaws.com", js(prop(st, "Principal")))
		}
		if got := prop(st, "Condition", "StringEquals", "sts:ExternalId"); got != ext {
			t.Errorf("SMS role trust sts:ExternalId = %v, want the pool's %v", got, ext)
		}
	})
}

func TestUserPoolSettings(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		_, pool := s.template.at(t, "Users/Pool/Resource")
		p := pool.Properties
		if prop(p, "AdminCreateUserConfig", "AllowAdminCreateUserOnly") != false {
			t.Error("self sign-up is disabled")
		}
		if prop(p, "UsernameConfiguration", "CaseSensitive") != false {
			t.Error("sign-in is case sensitive: Alice@x.com and alice@x.com would be two users")
		}
		wantUser := map[auth.SignIn]string{
			auth.SignInEmail:        `["email"]`,
			auth.SignInPhone:        `["phone_number"]`,
			auth.SignInEmailOrPhone: `["email","phone_number"]`,
		}[s.config.SignIn]
		if got := js(p["UsernameAttributes"]); got != wantUser {
			t.Errorf("UsernameAttributes = %s, want %s for sign-in %v", got, wantUser, s.config.SignIn)
		}
		if got := js(p["AutoVerifiedAttributes"]); got != wantUser {
			t.Errorf("AutoVerifiedAttributes = %s, want %s: the sign-in attribute is verified by code", got, wantUser)
		}
		pw := prop(p, "Policies", "PasswordPolicy")
		for _, k := range []string{"RequireLowercase", "RequireNumbers", "RequireSymbols", "RequireUppercase"} {
			if prop(pw, k) != true {
				t.Errorf("password policy %s is not true", k)
			}
		}
		if n, _ := prop(pw, "MinimumLength").(float64); n < 12 {
			t.Errorf("password MinimumLength = %v, want at least 12", n)
		}
		if got := js(p["EnabledMfas"]); got != `["SOFTWARE_TOKEN_MFA"]` {
			t.Errorf("EnabledMfas = %s, want TOTP only", got)
		}
		wantMFA := map[auth.MFA]string{auth.MFARequired: "ON", auth.MFAOptional: "OPTIONAL"}[s.config.MFA]
		if p["MfaConfiguration"] != wantMFA {
			t.Errorf("MfaConfiguration = %v, want %v", p["MfaConfiguration"], wantMFA)
		}
		var recovery []string
		for _, m := range prop(p, "AccountRecoverySetting", "RecoveryMechanisms").([]any) {
			recovery = append(recovery, prop(m, "Name").(string))
		}
		for _, r := range recovery {
			if r != "verified_email" && r != "verified_phone_number" {
				t.Errorf("account recovery through %q, want verified channels only", r)
			}
		}
		var custom []string
		for _, a := range p["Schema"].([]any) {
			if prop(a, "AttributeDataType") == "String" {
				custom = append(custom, prop(a, "Name").(string))
			}
		}
		if js(custom) != `["company","role_name"]` {
			t.Errorf("custom attributes = %v, want company and role_name", custom)
		}
		if got := js(prop(p, "UserPoolTags")); got != js(map[string]string{"project": s.config.Project, "stage": s.config.Name}) {
			t.Errorf("UserPoolTags = %s, want project and stage", got)
		}
		if s.config.Plan == auth.PlanPlus {
			if p["UserPoolTier"] != "PLUS" || prop(p, "UserPoolAddOns", "AdvancedSecurityMode") != "ENFORCED" {
				t.Errorf("Plus plan: UserPoolTier = %v, AdvancedSecurityMode = %v; want PLUS with threat protection ENFORCED",
					p["UserPoolTier"], prop(p, "UserPoolAddOns", "AdvancedSecurityMode"))
			}
		}
	})
	if stages["prod"].config.Plan != auth.PlanPlus || stages["prod"].config.MFA != auth.MFARequired {
		t.Error("prod must use the Plus plan (threat protection) and require MFA")
	}
}

func TestPoolRemovalFollowsStage(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		_, pool := s.template.at(t, "Users/Pool/Resource")
		want := map[stage.Removal][3]string{
			stage.Retain:  {"ACTIVE", "Retain", "Retain"},
			stage.Destroy: {"INACTIVE", "Delete", "Delete"},
		}[s.config.Removal]
		got := [3]string{pool.Properties["DeletionProtection"].(string), pool.DeletionPolicy, pool.UpdateReplacePolicy}
		if got != want {
			t.Errorf("pool DeletionProtection, DeletionPolicy, UpdateReplacePolicy = %v, want %v for %v", got, want, s.config.Removal)
		}
	})
	if stages["prod"].config.Removal != stage.Retain || stages["dev"].config.Removal != stage.Destroy {
		t.Error("prod must Retain its pool and dev Destroy it")
	}
}

func TestDomainPerStage(t *testing.T) {
	seen := map[any]string{}
	each(t, func(t *testing.T, s *synthesized) {
		_, d := s.template.at(t, "Users/Pool/Domain/Resource")
		prefix := d.Properties["Domain"]
		if prefix != s.config.Project+"-"+s.config.Name {
			t.Errorf("domain prefix = %v, want %s-%s", prefix, s.config.Project, s.config.Name)
		}
		if other, dup := seen[prefix]; dup {
			t.Errorf("stages %s and %s share domain prefix %v", other, s.config.Name, prefix)
		}
		seen[prefix] = s.config.Name
	})
}

func TestIdentityPoolAuthenticatedOnly(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		poolID, ip := s.template.at(t, "Identity/Pool")
		if ip.Properties["AllowUnauthenticatedIdentities"] != false {
			t.Error("identity pool allows unauthenticated identities")
		}
		if ip.Properties["AllowClassicFlow"] != false {
			t.Error("identity pool allows the classic flow, where clients choose the role")
		}
		providers := ip.Properties["CognitoIdentityProviders"].([]any)
		if len(providers) == 0 || prop(providers[0], "ServerSideTokenCheck") != true {
			t.Errorf("identity providers = %s, want the SPA client with server-side token check", js(providers))
		}
		_, att := s.template.at(t, "Identity/Roles")
		roles := prop(att.Properties, "Roles").(map[string]any)
		if len(roles) != 1 || roles["authenticated"] == nil {
			t.Errorf("role attachment roles = %s, want only an authenticated role", js(roles))
		}
		_, role := s.template.at(t, "Identity/AuthenticatedRole/Resource")
		st := prop(role.Properties, "AssumeRolePolicyDocument", "Statement").([]any)[0]
		if got := js(prop(st, "Condition", "StringEquals", "cognito-identity.amazonaws.com:aud")); got != ref(poolID) {
			t.Errorf("authenticated role trusts aud %s, want this identity pool", got)
		}
		if prop(st, "Condition", "ForAnyValue:StringLike", "cognito-identity.amazonaws.com:amr") != "authenticated" {
			t.Error("authenticated role does not require amr = authenticated")
		}
	})
}

func TestOutputsForFrontEnd(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		for _, name := range []string{"Region", "UserPoolId", "UserPoolIssuer", "SpaClientId", "ServerClientId", "HostedUiUrl", "IdentityPoolId"} {
			if _, ok := s.template.Outputs[name]; !ok {
				t.Errorf("no output %s", name)
			}
		}
		for name, o := range s.template.Outputs {
			if js(o.Value) == js(map[string]any{"Fn::GetAtt": []string{mustAt(t, s.config.Name, contract.ServerClientPath+"/Resource"), "ClientSecret"}}) {
				t.Errorf("output %s exposes the client secret", name)
			}
		}
	})
}

func TestEveryResourceTagged(t *testing.T) {
	each(t, func(t *testing.T, s *synthesized) {
		for id, r := range s.template.Resources {
			tags, ok := r.Properties["Tags"].([]any)
			if !ok {
				continue // resource types without Tags, and the pool's UserPoolTags map
			}
			found := map[string]any{}
			for _, tag := range tags {
				found[prop(tag, "Key").(string)] = prop(tag, "Value")
			}
			if found["project"] != s.config.Project || found["stage"] != s.config.Name {
				t.Errorf("%s (%s) tags = %s, want project and stage", id, r.Type, js(found))
			}
		}
	})
}

// strs returns a JSON list of strings as a slice.
func strs(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func mustAt(t *testing.T, stageName, path string) string {
	id, _ := stages[stageName].template.at(t, path)
	return id
}
