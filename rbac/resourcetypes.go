package rbac

import (
	"fmt"
	"regexp"
	"sort"
	"sync"
)

// ResourceType is a kind of thing that can be granted to groups.
type ResourceType struct {
	Key         string `json:"key"`
	Description string `json:"description"`
	IDFormat    string `json:"id_format"`
	// AdminAll: members of Admin may use every resource of this type without
	// a grant. False for plugins: admins curate their own view by granting.
	AdminAll bool `json:"admin_all"`
	idRe     *regexp.Regexp
}

// Resource type keys.
const (
	ResourceTable  = "table"
	ResourcePlugin = "plugin"
)

type typeRegistry struct {
	mu    sync.RWMutex
	types map[string]ResourceType
}

func defaultTypes() *typeRegistry {
	r := &typeRegistry{types: map[string]ResourceType{}}
	r.add(ResourceType{Key: ResourceTable, Description: "a registered table (read access)", IDFormat: "<table id>", AdminAll: true,
		idRe: regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}$`)})
	r.add(ResourceType{Key: ResourcePlugin, Description: "a marketplace plugin", IDFormat: "<marketplace slug>/<plugin name>", AdminAll: false,
		idRe: regexp.MustCompile(`^[a-z0-9][a-z0-9_\-]{0,63}/[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$`)})
	return r
}

func (r *typeRegistry) add(t ResourceType) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.types[t.Key] = t
}

func (r *typeRegistry) get(key string) (ResourceType, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.types[key]
	return t, ok
}

// RegisterResourceType adds a resource type (for capabilities added later).
// idPattern is a regular expression every resource id must match.
func (s *Service) RegisterResourceType(t ResourceType, idPattern string) error {
	re, err := regexp.Compile(idPattern)
	if err != nil {
		return err
	}
	t.idRe = re
	s.types.add(t)
	return nil
}

// ResourceTypes lists the registered resource types, sorted by key.
func (s *Service) ResourceTypes() []ResourceType {
	s.types.mu.RLock()
	defer s.types.mu.RUnlock()
	out := make([]ResourceType, 0, len(s.types.types))
	for _, t := range s.types.types {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func (s *Service) validateResource(typ, id string) error {
	t, ok := s.types.get(typ)
	if !ok {
		return fmt.Errorf("%w: unknown resource type %q", ErrInvalid, typ)
	}
	if t.idRe != nil && !t.idRe.MatchString(id) {
		return fmt.Errorf("%w: resource id %q does not match %s for type %s", ErrInvalid, id, t.IDFormat, typ)
	}
	return nil
}
