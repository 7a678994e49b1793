package localcognito

import (
	"context"
	"encoding/base64"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

type listUsersInput struct {
	UserPoolID      string   `json:"UserPoolId"`
	AttributesToGet []string `json:"AttributesToGet"`
	Limit           int      `json:"Limit"`
	PaginationToken string   `json:"PaginationToken"`
	Filter          string   `json:"Filter"`
}

type listUsersOutput struct {
	Users           []userType `json:"Users"`
	PaginationToken string     `json:"PaginationToken,omitempty"`
}

// listUsers lists users oldest first, optionally filtered with ListUsers'
// filter syntax: one attribute, "=" (exact) or "^=" (starts with), a
// quoted value, e.g. email = "jane@example.com".
func (s *Server) listUsers(_ context.Context, in listUsersInput) (listUsersOutput, error) {
	if err := s.checkPool(in.UserPoolID); err != nil {
		return listUsersOutput{}, err
	}
	var v validation
	v.check(in.Limit >= 0 && in.Limit <= 60, "limit", "Member must have value less than or equal to 60")
	if err := v.err(); err != nil {
		return listUsersOutput{}, err
	}
	limit := in.Limit
	if limit == 0 {
		limit = 60
	}
	match, err := parseFilter(in.Filter)
	if err != nil {
		return listUsersOutput{}, err
	}
	offset := 0
	if in.PaginationToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.PaginationToken)
		n, convErr := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || convErr != nil || !strings.HasPrefix(string(b), "offset:") || n < 0 {
			return listUsersOutput{}, invalidParameter("Invalid pagination token.")
		}
		offset = n
	}

	all := s.users.list(match)
	slices.SortFunc(all, func(a, b *user) int {
		if c := a.created.Compare(b.created); c != 0 {
			return c
		}
		return strings.Compare(a.username, b.username)
	})
	out := listUsersOutput{Users: []userType{}}
	for i := offset; i < len(all) && len(out.Users) < limit; i++ {
		out.Users = append(out.Users, all[i].userType(in.AttributesToGet))
	}
	if next := offset + len(out.Users); next < len(all) {
		out.PaginationToken = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(next)))
	}
	return out, nil
}

var filterPattern = regexp.MustCompile(`^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$`)

// filterable are the attributes ListUsers can filter on.
var filterable = []string{
	"username", "email", "phone_number", "name", "given_name", "family_name",
	"preferred_username", "cognito:user_status", "status", "sub",
}

func parseFilter(filter string) (func(*user) bool, error) {
	if strings.TrimSpace(filter) == "" {
		return func(*user) bool { return true }, nil
	}
	m := filterPattern.FindStringSubmatch(filter)
	if m == nil {
		return nil, invalidParameter("Error while parsing filter.")
	}
	attr, op := m[1], m[2]
	want := strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(m[3])
	if !slices.Contains(filterable, attr) {
		return nil, invalidParameter("Invalid search attribute: %s", attr)
	}
	value := func(u *user) string {
		switch attr {
		case "username":
			return u.username
		case "cognito:user_status":
			return u.status
		case "status":
			return "Enabled"
		default:
			return u.attrs[attr]
		}
	}
	// Usernames and email addresses compare case-insensitively, as the
	// pool treats them.
	norm := func(s string) string { return s }
	if attr == "username" || attr == attrEmail {
		norm = fold
	}
	want = norm(want)
	return func(u *user) bool {
		got := norm(value(u))
		if op == "^=" {
			return strings.HasPrefix(got, want)
		}
		return got == want
	}, nil
}
