package localcognito

import (
	"context"
	"errors"
	"slices"
)

// Group is a user pool group (CreateGroup, AWS::Cognito::UserPoolGroup):
// an authorization role. Tokens of its members carry its name in
// cognito:groups.
type Group struct {
	// Name is the GroupName, unique in the pool.
	Name        string
	Description string
	// Precedence orders a user's groups: lower first. nil is none, which
	// comes after every number.
	Precedence *int
	// RoleArn is the IAM role of the group's members, in the ID token's
	// cognito:roles and cognito:preferred_role.
	RoleArn string
}

// groupType is the GroupType of the API.
type groupType struct {
	GroupName        string `json:"GroupName"`
	UserPoolID       string `json:"UserPoolId"`
	Description      string `json:"Description,omitempty"`
	RoleArn          string `json:"RoleArn,omitempty"`
	Precedence       *int   `json:"Precedence,omitempty"`
	CreationDate     epoch  `json:"CreationDate"`
	LastModifiedDate epoch  `json:"LastModifiedDate"`
}

func (s *Server) groupType(g storedGroup) groupType {
	return groupType{
		GroupName: g.Name, UserPoolID: s.id, Description: g.Description, RoleArn: g.RoleArn,
		Precedence: g.Precedence, CreationDate: epoch(g.created), LastModifiedDate: epoch(g.modified),
	}
}

func groupNotFound() error { return apiError(errResourceNotFound, "Group not found.") }

type groupInput struct {
	UserPoolID  string `json:"UserPoolId"`
	GroupName   string `json:"GroupName"`
	Description string `json:"Description"`
	RoleArn     string `json:"RoleArn"`
	Precedence  *int   `json:"Precedence"`
}

type groupOutput struct {
	Group groupType `json:"Group"`
}

// asGroupAdmin is the preamble of an admin operation on a group: the pool
// id, groupName and the operation's checks.
func (s *Server) asGroupAdmin(poolID, group string, checks ...check) error {
	if err := s.checkPool(poolID); err != nil {
		return err
	}
	return runChecks([]check{need("groupName", group)}, checks)
}

// createGroup adds a group.
func (s *Server) createGroup(_ context.Context, in groupInput) (groupOutput, error) {
	err := s.asGroupAdmin(in.UserPoolID, in.GroupName,
		want(in.Precedence == nil || *in.Precedence >= 0, "precedence", "Member must have value greater than or equal to 0"))
	if err != nil {
		return groupOutput{}, err
	}
	now := s.now()
	g := storedGroup{
		Group:   Group{Name: in.GroupName, Description: in.Description, Precedence: in.Precedence, RoleArn: in.RoleArn},
		created: now, modified: now,
	}
	if err := s.users.addGroup(g); err != nil {
		return groupOutput{}, err
	}
	return groupOutput{Group: s.groupType(g)}, nil
}

// getGroup describes a group.
func (s *Server) getGroup(_ context.Context, in groupInput) (groupOutput, error) {
	if err := s.asGroupAdmin(in.UserPoolID, in.GroupName); err != nil {
		return groupOutput{}, err
	}
	g, err := s.users.group(in.GroupName)
	if err != nil {
		return groupOutput{}, groupNotFound()
	}
	return groupOutput{Group: s.groupType(g)}, nil
}

// deleteGroup deletes a group; its members are members no more.
func (s *Server) deleteGroup(_ context.Context, in groupInput) (empty, error) {
	if err := s.asGroupAdmin(in.UserPoolID, in.GroupName); err != nil {
		return empty{}, err
	}
	if err := s.users.deleteGroup(in.GroupName); err != nil {
		return empty{}, groupNotFound()
	}
	return empty{}, nil
}

type listGroupsInput struct {
	UserPoolID string `json:"UserPoolId"`
	Username   string `json:"Username"`
	GroupName  string `json:"GroupName"`
	Limit      int    `json:"Limit"`
	NextToken  string `json:"NextToken"`
}

type listGroupsOutput struct {
	Groups    []groupType `json:"Groups"`
	NextToken string      `json:"NextToken,omitempty"`
}

// listGroups lists the pool's groups, oldest first.
func (s *Server) listGroups(_ context.Context, in listGroupsInput) (listGroupsOutput, error) {
	if err := s.checkPool(in.UserPoolID); err != nil {
		return listGroupsOutput{}, err
	}
	if err := runChecks(nil, []check{checkLimit(in.Limit)}); err != nil {
		return listGroupsOutput{}, err
	}
	return s.groupPage(s.users.allGroups(), in)
}

// adminListGroupsForUser lists a user's groups, as their tokens list them.
func (s *Server) adminListGroupsForUser(_ context.Context, in listGroupsInput) (listGroupsOutput, error) {
	call, err := s.asAdmin(in.UserPoolID, in.Username, checkLimit(in.Limit))
	if err != nil {
		return listGroupsOutput{}, err
	}
	u, err := call.user()
	if err != nil {
		return listGroupsOutput{}, err
	}
	return s.groupPage(s.users.groupsOf(u), in)
}

func (s *Server) groupPage(all []storedGroup, in listGroupsInput) (listGroupsOutput, error) {
	groups, next, err := page(all, in.Limit, in.NextToken)
	if err != nil {
		return listGroupsOutput{}, err
	}
	out := listGroupsOutput{Groups: []groupType{}, NextToken: next}
	for _, g := range groups {
		out.Groups = append(out.Groups, s.groupType(g))
	}
	return out, nil
}

type listUsersInGroupOutput struct {
	Users     []userType `json:"Users"`
	NextToken string     `json:"NextToken,omitempty"`
}

// listUsersInGroup lists a group's members, oldest first.
func (s *Server) listUsersInGroup(_ context.Context, in listGroupsInput) (listUsersInGroupOutput, error) {
	if err := s.asGroupAdmin(in.UserPoolID, in.GroupName, checkLimit(in.Limit)); err != nil {
		return listUsersInGroupOutput{}, err
	}
	members, err := s.users.members(in.GroupName)
	if err != nil {
		return listUsersInGroupOutput{}, groupNotFound()
	}
	sortUsers(members)
	users, next, err := page(members, in.Limit, in.NextToken)
	if err != nil {
		return listUsersInGroupOutput{}, err
	}
	out := listUsersInGroupOutput{Users: []userType{}, NextToken: next}
	for _, u := range users {
		out.Users = append(out.Users, u.userType(nil))
	}
	return out, nil
}

type membershipInput struct {
	UserPoolID string `json:"UserPoolId"`
	Username   string `json:"Username"`
	GroupName  string `json:"GroupName"`
}

// adminAddUserToGroup makes a user a member of a group; their next tokens
// carry it.
func (s *Server) adminAddUserToGroup(_ context.Context, in membershipInput) (empty, error) {
	return empty{}, s.setMembership(in, true)
}

// adminRemoveUserFromGroup ends a user's membership of a group.
func (s *Server) adminRemoveUserFromGroup(_ context.Context, in membershipInput) (empty, error) {
	return empty{}, s.setMembership(in, false)
}

func (s *Server) setMembership(in membershipInput, member bool) error {
	if _, err := s.asAdmin(in.UserPoolID, in.Username, need("groupName", in.GroupName)); err != nil {
		return err
	}
	err := s.users.setMembership(byName(in.Username), in.GroupName, member)
	switch {
	case errors.Is(err, errNoUser):
		return userNotFound()
	case errors.Is(err, errNoGroup):
		return groupNotFound()
	}
	return err
}

// groupClaims are what a user's groups put in their tokens, and in the
// pre token generation event's groupConfiguration: the names in order, the
// roles of those that have one, and the preferred role: that of the
// lowest precedence among them, unless groups of that precedence name
// different roles.
type groupClaims struct {
	names, roles []string
	preferred    string
}

func claimsOf(groups []storedGroup) groupClaims {
	var c groupClaims
	var best *int
	tied := false
	for _, g := range groups {
		c.names = append(c.names, g.Name)
		if g.RoleArn == "" {
			continue
		}
		if !slices.Contains(c.roles, g.RoleArn) {
			c.roles = append(c.roles, g.RoleArn)
		}
		switch {
		case g.Precedence == nil:
		case best == nil || *g.Precedence < *best:
			best, c.preferred, tied = g.Precedence, g.RoleArn, false
		case *g.Precedence == *best && g.RoleArn != c.preferred:
			tied = true
		}
	}
	if tied {
		c.preferred = ""
	}
	return c
}

// put writes the group claims into the tokens: cognito:groups in both,
// the roles in the ID token.
func (c groupClaims) put(access, id map[string]any) {
	if len(c.names) == 0 {
		return
	}
	access["cognito:groups"] = c.names
	id["cognito:groups"] = c.names
	if len(c.roles) > 0 {
		id["cognito:roles"] = c.roles
	}
	if c.preferred != "" {
		id["cognito:preferred_role"] = c.preferred
	}
}
