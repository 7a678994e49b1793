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
	if err := runChecks(nil, []check{checkLimit(in.Limit)}); err != nil {
		return listUsersOutput{}, err
	}
	match, err := parseFilter(in.Filter)
	if err != nil {
		return listUsersOutput{}, err
	}
	all := s.users.list(match)
	sortUsers(all)
	users, next, err := page(all, in.Limit, in.PaginationToken)
	if err != nil {
		return listUsersOutput{}, err
	}
	out := listUsersOutput{Users: []userType{}, PaginationToken: next}
	for _, u := range users {
		out.Users = append(out.Users, u.userType(in.AttributesToGet))
	}
	return out, nil
}

// sortUsers orders users as the list operations list them: oldest first.
func sortUsers(users []*user) {
	slices.SortFunc(users, func(a, b *user) int {
		if c := a.created.Compare(b.created); c != 0 {
			return c
		}
		return strings.Compare(a.username, b.username)
	})
}

// maxPage is the most items, and the default number, one page of a list
// operation holds.
const maxPage = 60

// page is the page of all a list operation answers for its limit (0 means
// maxPage; the caller has checked the range) and pagination token, and the
// token of the next page ("" for the last).
func page[T any](all []T, limit int, token string) ([]T, string, error) {
	if limit == 0 {
		limit = maxPage
	}
	offset := 0
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		n, convErr := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || convErr != nil || !strings.HasPrefix(string(b), "offset:") || n < 0 {
			return nil, "", invalidParameter("Invalid pagination token.")
		}
		offset = n
	}
	end := min(offset+limit, len(all))
	if offset >= end {
		return nil, "", nil
	}
	next := ""
	if end < len(all) {
		next = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
	}
	return all[offset:end], next, nil
}

// checkLimit is the API's constraint on the Limit of a list operation.
func checkLimit(limit int) check {
	return want(limit >= 0 && limit <= maxPage, "limit", "Member must have value less than or equal to 60")
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
