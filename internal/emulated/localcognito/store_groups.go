package localcognito

import (
	"cmp"
	"errors"
	"slices"
	"time"
)

// errNoGroup is the store's answer for a group it does not have.
var errNoGroup = errors.New("no such group")

// storedGroup is a group with its dates.
type storedGroup struct {
	Group
	created, modified time.Time
}

// addGroup stores a new group; a name taken is GroupExistsException.
func (st *userStore) addGroup(g storedGroup) error {
	var err error
	st.locked(func() {
		if _, taken := st.groups[g.Name]; taken {
			err = apiError(errGroupExists, "A group with the name %s already exists.", g.Name)
			return
		}
		st.groups[g.Name] = &g
	})
	return err
}

// group returns a copy of the group called name.
func (st *userStore) group(name string) (storedGroup, error) {
	var (
		g   storedGroup
		err = errNoGroup
	)
	st.locked(func() {
		if stored := st.groups[name]; stored != nil {
			g, err = *stored, nil
		}
	})
	return g, err
}

// allGroups returns copies of every group, oldest first.
func (st *userStore) allGroups() []storedGroup {
	var out []storedGroup
	st.locked(func() {
		for _, g := range st.groups {
			out = append(out, *g)
		}
	})
	slices.SortFunc(out, func(a, b storedGroup) int {
		return cmp.Or(a.created.Compare(b.created), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// deleteGroup deletes a group and every membership of it.
func (st *userStore) deleteGroup(name string) error {
	err := errNoGroup
	st.locked(func() {
		if st.groups[name] == nil {
			return
		}
		delete(st.groups, name)
		for _, u := range st.users {
			u.groups = slices.DeleteFunc(u.groups, func(g string) bool { return g == name })
		}
		err = nil
	})
	return err
}

// setMembership adds the user ref names to a group, or removes them; either
// is a no-op when it is so already. errNoUser or errNoGroup when either is
// missing, the user checked first.
func (st *userStore) setMembership(ref userRef, group string, member bool) error {
	var err error
	st.locked(func() {
		u := st.resolve(ref)
		switch {
		case u == nil:
			err = errNoUser
		case st.groups[group] == nil:
			err = errNoGroup
		case member && !slices.Contains(u.groups, group):
			u.groups = append(u.groups, group)
		case !member:
			u.groups = slices.DeleteFunc(u.groups, func(g string) bool { return g == group })
		}
	})
	return err
}

// groupsOf returns copies of the groups of a user (a copy, whose group
// names may be stale), in token order (byPrecedence).
func (st *userStore) groupsOf(u *user) []storedGroup {
	var out []storedGroup
	st.locked(func() {
		for _, name := range u.groups {
			if g := st.groups[name]; g != nil {
				out = append(out, *g)
			}
		}
	})
	slices.SortFunc(out, byPrecedence)
	return out
}

// members returns copies of the users in a group, or errNoGroup.
func (st *userStore) members(group string) ([]*user, error) {
	var (
		out []*user
		err = errNoGroup
	)
	st.locked(func() {
		if st.groups[group] == nil {
			return
		}
		err = nil
		for _, u := range st.users {
			if slices.Contains(u.groups, group) {
				out = append(out, u.snapshot())
			}
		}
	})
	return out, err
}

// byPrecedence orders groups as a user's tokens list them: lowest
// precedence first, groups without one last, then by name.
func byPrecedence(a, b storedGroup) int {
	switch {
	case a.Precedence != nil && b.Precedence == nil:
		return -1
	case a.Precedence == nil && b.Precedence != nil:
		return 1
	case a.Precedence != nil && *a.Precedence != *b.Precedence:
		return cmp.Compare(*a.Precedence, *b.Precedence)
	}
	return cmp.Compare(a.Name, b.Name)
}
