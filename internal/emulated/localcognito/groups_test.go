package localcognito

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// cliGroups takes a user through every group operation with the CLI, and
// checks the cognito:groups claim of their tokens as membership changes.
func cliGroups(t *testing.T, c *awsCLI, f *fixture, u cliUser) {
	user := u.name
	aws := func(args ...string) map[string]any { t.Helper(); return c.OK(t, args...) }
	refused := func(code, msg string, args ...string) { t.Helper(); c.Refused(t, code, msg, args...) }
	pool := []string{"--user-pool-id", testPoolID}
	cmd := func(op string, args ...string) []string {
		return append(append([]string{"cognito-idp", op}, pool...), args...)
	}
	out := aws(cmd("create-group", "--group-name", "admins", "--description", "Administrators", "--precedence", "1")...)
	if g, _ := out["Group"].(map[string]any); g["GroupName"] != "admins" || g["Precedence"] != float64(1) ||
		g["Description"] != "Administrators" || g["UserPoolId"] != testPoolID || g["CreationDate"] == nil {
		t.Errorf("create-group output = %v", out)
	}
	aws(cmd("create-group", "--group-name", "readers")...)
	refused("GroupExistsException", "A group with the name admins already exists.", cmd("create-group", "--group-name", "admins")...)
	refused("ResourceNotFoundException", "Group not found.", cmd("get-group", "--group-name", "nobody")...)
	if g, _ := aws(cmd("get-group", "--group-name", "readers")...)["Group"].(map[string]any); g["GroupName"] != "readers" || g["Precedence"] != nil {
		t.Errorf("get-group readers = %v", g)
	}
	names := func(out map[string]any, key, field string) []string {
		var got []string
		list, _ := out[key].([]any)
		for _, x := range list {
			m, _ := x.(map[string]any)
			got = append(got, m[field].(string))
		}
		return got
	}
	if got := names(aws(cmd("list-groups")...), "Groups", "GroupName"); !slices.Equal(got, []string{"admins", "readers"}) {
		t.Errorf("list-groups = %v", got)
	}

	// Members: the user in both groups, listed by precedence.
	aws(cmd("admin-add-user-to-group", "--username", user, "--group-name", "readers")...)
	aws(cmd("admin-add-user-to-group", "--username", user, "--group-name", "admins")...)
	aws(cmd("admin-add-user-to-group", "--username", user, "--group-name", "admins")...) // again: no change
	refused("UserNotFoundException", "User does not exist.", cmd("admin-add-user-to-group", "--username", "ghost", "--group-name", "admins")...)
	refused("ResourceNotFoundException", "Group not found.", cmd("admin-add-user-to-group", "--username", user, "--group-name", "nobody")...)
	if got := names(aws(cmd("admin-list-groups-for-user", "--username", user)...), "Groups", "GroupName"); !slices.Equal(got, []string{"admins", "readers"}) {
		t.Errorf("admin-list-groups-for-user = %v", got)
	}
	if got := names(aws(cmd("list-users-in-group", "--group-name", "admins")...), "Users", "Username"); !slices.Equal(got, []string{user}) {
		t.Errorf("list-users-in-group = %v", got)
	}
	tokenGroups := func() (access, id any) {
		t.Helper()
		// The CLI's commands outlast the fixture's context.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := f.idp.InitiateAuth(ctx, &cip.InitiateAuthInput{
			AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: awssdk.String(publicID),
			AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": goodPassword},
		})
		if err != nil || out.AuthenticationResult == nil {
			t.Fatalf("sign-in: %v", err)
		}
		res := out.AuthenticationResult
		return claims(t, *res.AccessToken)["cognito:groups"], claims(t, *res.IdToken)["cognito:groups"]
	}
	if access, id := tokenGroups(); !slices.Equal(anyStrings(access), []string{"admins", "readers"}) || !slices.Equal(anyStrings(id), []string{"admins", "readers"}) {
		t.Errorf("cognito:groups = %v (access), %v (ID), want [admins readers] in both", access, id)
	}

	// Leaving a group, and a group deleted, leave the tokens.
	aws(cmd("admin-remove-user-from-group", "--username", user, "--group-name", "readers")...)
	if access, _ := tokenGroups(); !slices.Equal(anyStrings(access), []string{"admins"}) {
		t.Errorf("cognito:groups after leaving readers = %v", access)
	}
	aws(cmd("delete-group", "--group-name", "admins")...)
	refused("ResourceNotFoundException", "Group not found.", cmd("delete-group", "--group-name", "admins")...)
	if access, id := tokenGroups(); access != nil || id != nil {
		t.Errorf("cognito:groups after the group was deleted = %v, %v", access, id)
	}
	if got := names(aws(cmd("admin-list-groups-for-user", "--username", user)...), "Groups", "GroupName"); len(got) != 0 {
		t.Errorf("groups of the user after the deletion = %v", got)
	}
}

func anyStrings(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// TestGroupRolesAndTrigger: groups from the configuration; the ID token
// names the roles of the user's groups and the preferred one (the lowest
// precedence's); the pre token generation trigger sees the groups and can
// replace them.
func TestGroupRolesAndTrigger(t *testing.T) {
	one, five := 1, 5
	var mu sync.Mutex
	var seen events.GroupConfigurationV2_0
	override := false
	f := newFixture(t, func(c *Config) {
		c.Groups = []Group{
			{Name: "editors", Precedence: &five, RoleArn: "arn:aws:iam::123456789012:role/editor"},
			{Name: "admins", Precedence: &one, RoleArn: "arn:aws:iam::123456789012:role/admin"},
			{Name: "everyone"},
		}
		c.Triggers.PreTokenGeneration = func(_ context.Context, ev events.CognitoEventUserPoolsPreTokenGenV2_0) (events.CognitoEventUserPoolsPreTokenGenV2_0, error) {
			mu.Lock()
			defer mu.Unlock()
			seen = ev.Request.GroupConfiguration
			if override {
				ev.Response.ClaimsAndScopeOverrideDetails.GroupOverrideDetails.GroupsToOverride = []string{"auditors"}
			}
			return ev, nil
		}
	})
	f.confirmedUser("ada", "ada@example.com")
	for _, g := range []string{"everyone", "editors", "admins"} {
		if _, err := f.idp.AdminAddUserToGroup(f.ctx, &cip.AdminAddUserToGroupInput{
			UserPoolId: awssdk.String(testPoolID), Username: awssdk.String("ada"), GroupName: awssdk.String(g),
		}); err != nil {
			t.Fatal(err)
		}
	}
	res := f.signIn("ada", goodPassword)
	id, access := claims(t, *res.IdToken), claims(t, *res.AccessToken)
	want := []string{"admins", "editors", "everyone"}
	if !slices.Equal(anyStrings(id["cognito:groups"]), want) || !slices.Equal(anyStrings(access["cognito:groups"]), want) {
		t.Errorf("cognito:groups = %v (ID), %v (access), want %v", id["cognito:groups"], access["cognito:groups"], want)
	}
	roles := []string{"arn:aws:iam::123456789012:role/admin", "arn:aws:iam::123456789012:role/editor"}
	if !slices.Equal(anyStrings(id["cognito:roles"]), roles) || id["cognito:preferred_role"] != roles[0] || access["cognito:roles"] != nil {
		t.Errorf("roles %v preferred %v (access %v), want %v and the admin role in the ID token only", id["cognito:roles"], id["cognito:preferred_role"], access["cognito:roles"], roles)
	}
	mu.Lock()
	if !slices.Equal(seen.GroupsToOverride, want) || !slices.Equal(seen.IAMRolesToOverride, roles) || seen.PreferredRole == nil || *seen.PreferredRole != roles[0] {
		t.Errorf("trigger saw %+v", seen)
	}
	override = true
	mu.Unlock()
	res = f.signIn("ada", goodPassword)
	if got := anyStrings(claims(t, *res.AccessToken)["cognito:groups"]); !slices.Equal(got, []string{"auditors"}) {
		t.Errorf("cognito:groups after the trigger's override = %v", got)
	}
}

// TestGroupConfigurationErrors: groups in the configuration are checked
// as CreateGroup checks them.
func TestGroupConfigurationErrors(t *testing.T) {
	minus := -1
	cfg := Config{
		PoolID: testPoolID, BaseURL: "http://127.0.0.1:1", Clients: []Client{{ID: publicID}}, Credentials: testCredentials(),
		Groups: []Group{{Name: "a"}, {Name: "a"}, {Name: ""}, {Name: "b", Precedence: &minus}},
	}
	_, err := New(cfg)
	for _, want := range []string{`group "a" given twice`, `group ""`, `group "b": precedence -1`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("New: %v, want an error containing %s", err, want)
		}
	}
}
