package rbac

import (
	"context"
	"sort"
)

// grantSnapshot is every group, membership and grant, loaded in one read so
// that authorisation questions never hit the store on the query path.
type grantSnapshot struct {
	groupNames map[string]string                     // group id → name
	members    map[string][]string                   // user id → explicit group ids
	grants     map[string]map[string]map[string]bool // group id → type → resource id
}

func (s *Service) snapshot(ctx context.Context) (*grantSnapshot, error) {
	if g := s.grants.Load(); g != nil {
		return g, nil
	}
	g := &grantSnapshot{groupNames: map[string]string{}, members: map[string][]string{}, grants: map[string]map[string]map[string]bool{}}
	rows, err := s.st.DB.QueryContext(ctx, "SELECT id, name FROM user_groups")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return nil, err
		}
		g.groupNames[id] = name
	}
	rows.Close()
	rows, err = s.st.DB.QueryContext(ctx, "SELECT user_id, group_id FROM user_group_members")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var u, gid string
		if err := rows.Scan(&u, &gid); err != nil {
			rows.Close()
			return nil, err
		}
		g.members[u] = append(g.members[u], gid)
	}
	rows.Close()
	rows, err = s.st.DB.QueryContext(ctx, "SELECT group_id, resource_type, resource_id FROM resource_grants")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var gid, typ, id string
		if err := rows.Scan(&gid, &typ, &id); err != nil {
			return nil, err
		}
		if g.grants[gid] == nil {
			g.grants[gid] = map[string]map[string]bool{}
		}
		if g.grants[gid][typ] == nil {
			g.grants[gid][typ] = map[string]bool{}
		}
		g.grants[gid][typ][id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s.grants.CompareAndSwap(nil, g)
	return g, nil
}

func (g *grantSnapshot) principal(u *User) *Principal {
	ids := map[string]bool{EveryoneGroupID: true}
	for _, gid := range g.members[u.ID] {
		if _, ok := g.groupNames[gid]; ok {
			ids[gid] = true
		}
	}
	p := &Principal{UserID: u.ID, Email: u.Email, Name: u.Name}
	for id := range ids {
		p.GroupIDs = append(p.GroupIDs, id)
	}
	sort.Strings(p.GroupIDs)
	for _, id := range p.GroupIDs {
		p.GroupNames = append(p.GroupNames, g.groupNames[id])
	}
	p.IsAdmin = ids[AdminGroupID]
	return p
}

// Can reports whether the principal may use the resource. It is the one
// question every access decision in Agnes goes through:
//   - members of Admin may use every resource of a type that honours admin
//     god-mode (tables); for other types (plugins) Admin is an ordinary group;
//   - everyone else needs a grant (group, type, id) on one of their groups,
//     Everyone included;
//   - unknown resource types are denied.
func (s *Service) Can(ctx context.Context, p *Principal, resourceType, resourceID string) bool {
	if p == nil {
		return false
	}
	rt, ok := s.types.get(resourceType)
	if !ok {
		return false
	}
	if p.IsAdmin && rt.AdminAll {
		return true
	}
	g, err := s.snapshot(ctx)
	if err != nil {
		return false // deny on any doubt
	}
	for _, gid := range p.GroupIDs {
		if g.grants[gid][resourceType][resourceID] {
			return true
		}
	}
	return false
}

// Granted returns the ids of resourceType granted to the principal's groups
// (for Admin on a god-mode type, ok=false means "all").
func (s *Service) Granted(ctx context.Context, p *Principal, resourceType string) (ids map[string]bool, all bool, err error) {
	rt, ok := s.types.get(resourceType)
	if !ok || p == nil {
		return map[string]bool{}, false, nil
	}
	if p.IsAdmin && rt.AdminAll {
		return nil, true, nil
	}
	g, err := s.snapshot(ctx)
	if err != nil {
		return nil, false, err
	}
	ids = map[string]bool{}
	for _, gid := range p.GroupIDs {
		for id := range g.grants[gid][resourceType] {
			ids[id] = true
		}
	}
	return ids, false, nil
}
